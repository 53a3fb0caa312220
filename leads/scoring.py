"""A lead's score against qualification rules (plays.qualification), as plain computation: no queries.
`leads.services.scoring` loads what it needs in a few set-based queries and stores the result.

The score is the sum of each touch kind's points times its count of touches (capped when the rule
says `up to`); the action score is the same without page views. The lead is ready when every
criterion holds: the score and action score thresholds, one of the required actions, the title and
the company fit. Each rule's contribution is kept as {rule, points or met, why}."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from partnerhub.tenancy.taxonomy import Region
from plays.qualification import PAGE_VIEW_KINDS, TOUCH_KINDS, Rules


@dataclass(frozen=True)
class Company:
    """What the company fit is judged on: the lead's matched target account (None: no account) and
    whether it is on its program's plan accounts (None: the lead has no program)."""

    account_id: int | None
    industry: str = ""
    region: str = ""
    on_plan: bool | None = None


@dataclass(frozen=True)
class Score:
    score: int
    action_score: int
    ready: bool
    reasons: list[dict]

    @property
    def unmet(self) -> list[str]:
        return [reason["why"] for reason in self.reasons if reason.get("met") is False]


def _criterion(rule: str, met: bool, why: str) -> dict:
    return {"rule": rule, "met": met, "why": why}


@functools.cache
def _whole_word(word: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(word)}\b")


def _title_fit(keywords: tuple[str, ...], title: str) -> dict:
    lowered = title.lower()
    match = next((word for word in keywords if _whole_word(word).search(lowered)), None)
    if match:
        return _criterion("title", True, f"Title “{title}” matches “{match}”.")
    if not title:
        return _criterion("title", False, "No title: the rules need one with " + ", ".join(keywords) + ".")
    return _criterion("title", False, f"Title “{title}” has none of: {', '.join(keywords)}.")


def _account_fit(scope: str, company: Company) -> dict:
    if company.account_id is None:
        return _criterion("account", False, "The company is not a target account.")
    if scope == "plan" and company.on_plan is False:
        return _criterion("account", False, "The company is a target account, but not on the program's plan.")
    where = "on the program's plan" if scope == "plan" and company.on_plan else "a target account"
    return _criterion("account", True, f"The company is {where}.")


def _any_of(rule: str, wanted: tuple[str, ...], value: str, shown: Mapping[str, str]) -> dict:
    label = shown.get(value, value) or "unknown"
    names = ", ".join(shown.get(item, item) for item in wanted)
    if value in wanted:
        return _criterion(rule, True, f"The company's {rule} is {label}.")
    return _criterion(rule, False, f"The company's {rule} ({label}) is not one of: {names}.")


def evaluate(rules: Rules, counts: Mapping[str, int], title: str, company: Company, source: str) -> Score:
    """Score a lead with `counts` touches of each kind; `source` says whose rules these are."""
    reasons: list[dict] = [{"rule": "rules", "why": source}]
    score = action_score = 0
    for item in rules.points:
        count = counts.get(item.kind, 0)
        if not count:
            continue
        points = item.total(count)
        score += points
        if item.kind not in PAGE_VIEW_KINDS:
            action_score += points
        capped = f" (at most {item.cap})" if item.cap is not None and points == item.cap else ""
        reasons.append(
            {
                "rule": f"points:{item.kind}",
                "points": points,
                "why": f"{TOUCH_KINDS[item.kind].capitalize()}: {count} at {item.points} each{capped}.",
            }
        )
    criteria = [
        _criterion(
            "score",
            score >= rules.score_at_least,
            f"Score {score}, {rules.score_at_least} needed.",
        )
    ]
    if rules.actions_at_least:
        criteria.append(
            _criterion(
                "actions",
                action_score >= rules.actions_at_least,
                f"{action_score} from actions, {rules.actions_at_least} needed.",
            )
        )
    if rules.required_actions:
        done = [kind for kind in rules.required_actions if counts.get(kind)]
        names = ", ".join(TOUCH_KINDS[kind] for kind in rules.required_actions)
        criteria.append(
            _criterion(
                "required_actions",
                bool(done),
                f"Did: {TOUCH_KINDS[done[0]]}." if done else f"None of the required actions: {names}.",
            )
        )
    if rules.title_keywords:
        criteria.append(_title_fit(rules.title_keywords, title))
    if rules.account:
        criteria.append(_account_fit(rules.account, company))
    if rules.industries:
        criteria.append(_any_of("industry", rules.industries, company.industry, {}))
    if rules.regions:
        criteria.append(_any_of("region", rules.regions, company.region, dict(Region.choices)))
    reasons.extend(criteria)
    return Score(
        score=score,
        action_score=action_score,
        ready=all(criterion["met"] for criterion in criteria),
        reasons=reasons,
    )
