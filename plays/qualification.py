"""The machine-readable handoff criteria of an activation package: a "Rules:" block at the end of its
qualification component, under the prose. A program pins the component's text at launch, and with it
the rules; the leads app scores each lead against the rules of its program.

    Rules:
    score at least: 60
    actions at least: 30
    points: event_attended 20, meeting 40, email_reply 15, asset_downloaded 10, landing_page_visit 5 up to 10
    required actions: event_attended, meeting
    title: director, vp, vice president, head, chief, owner
    account: plan
    industry: healthcare, education
    region: dach, nordics

One rule a line, `name: value`; blank lines and lines starting with `#` are skipped. `points` gives
each touch kind's points per touch (`up to N` caps a kind's total); `actions at least` counts the
points of every kind but page views; `required actions`, `title`, `industry` and `region` hold when
any one of their values does; `account` is `plan` (on the program's plan accounts) or `target` (on
any target account). Only `score at least` and `points` are required.

Plain strings only: plays sits below leads, so the touch kinds are named here as leads stores them
(a test holds them equal to `leads.models.TouchKind`)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from partnerhub.tenancy.taxonomy import Region
from plays.catalog import QUALIFICATION_RULES

HEADER = "rules:"

TOUCH_KINDS: dict[str, str] = {
    "event_registered": "registered for an event",
    "event_attended": "attended an event",
    "event_no_show": "did not show at an event",
    "asset_downloaded": "downloaded an asset",
    "landing_page_visit": "visited a landing page",
    "meeting": "meeting",
    "email_reply": "replied to an email",
}
# Page views count in the score but never towards `actions at least`.
PAGE_VIEW_KINDS = frozenset({"landing_page_visit"})

ACCOUNT_SCOPES = {"plan": "on the program's plan accounts", "target": "on a target account"}

NAMES = (
    "score at least",
    "actions at least",
    "points",
    "required actions",
    "title",
    "account",
    "industry",
    "region",
)
MAX_POINTS = 1000

_POINTS = re.compile(r"^(?P<kind>[a-z_]+)\s+(?P<points>-?\d+)(?:\s+up\s+to\s+(?P<cap>\d+))?$")


class RulesError(ValueError):
    """A rules block that does not parse; `errors` holds one message a line, each naming its line."""

    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Points:
    kind: str
    points: int
    cap: int | None = None

    def total(self, count: int) -> int:
        total = self.points * count
        return min(total, self.cap) if self.cap is not None else total


@dataclass(frozen=True)
class Rules:
    """The criteria a lead must meet to be ready for a handoff."""

    score_at_least: int
    points: tuple[Points, ...]
    actions_at_least: int = 0
    required_actions: tuple[str, ...] = ()
    title_keywords: tuple[str, ...] = ()
    account: str = ""
    industries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def describe(self) -> list[str]:
        """The rules in words, one a line, for the package page."""
        lines = [f"Score of {self.score_at_least} or more from weighted touches."]
        if self.actions_at_least:
            lines.append(f"At least {self.actions_at_least} of it from actions, not page views.")
        lines.append(
            "Points: "
            + ", ".join(
                f"{TOUCH_KINDS[item.kind]} {item.points}"
                + (f" (at most {item.cap} in all)" if item.cap is not None else "")
                for item in self.points
            )
            + "."
        )
        if self.required_actions:
            kinds = ", ".join(TOUCH_KINDS[kind] for kind in self.required_actions)
            lines.append(f"Required, any of: {kinds}.")
        if self.title_keywords:
            lines.append("Title contains any of: " + ", ".join(self.title_keywords) + ".")
        if self.account:
            lines.append(f"Company {ACCOUNT_SCOPES[self.account]}.")
        if self.industries:
            lines.append("Industry, any of: " + ", ".join(self.industries) + ".")
        if self.regions:
            regions = ", ".join(str(Region(value).label) for value in self.regions)
            lines.append(f"Region, any of: {regions}.")
        return lines


@dataclass
class _Reader:
    errors: list[str] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)

    def error(self, line: int, message: str) -> None:
        self.errors.append(f"Line {line}: {message}")


def split(text: str) -> tuple[str, str | None, int]:
    """The prose, the rules block (None without one) and the line number of its header."""
    lines = (text or "").splitlines()
    for number, line in enumerate(lines, start=1):
        if line.strip().lower() == HEADER:
            return "\n".join(lines[: number - 1]).rstrip(), "\n".join(lines[number:]), number
    return (text or "").rstrip(), None, 0


def parse(text: str) -> Rules | None:
    """The rules of a qualification component's text; None when it has no "Rules:" block. Raises
    RulesError with every faulty line (numbered as in the whole text)."""
    _, block, header = split(text)
    if block is None:
        return None
    reader = _Reader()
    for offset, raw in enumerate(block.splitlines(), start=1):
        number = header + offset
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, colon, value = line.partition(":")
        name = " ".join(name.lower().split())
        if not colon or name not in NAMES:
            reader.error(
                number,
                f"“{line[:60]}” is not a rule; write “name: value” with one of: {', '.join(NAMES)}.",
            )
            continue
        if name in reader.seen:
            reader.error(number, f"“{name}” is given twice (first on line {reader.seen[name]}).")
            continue
        reader.seen[name] = number
        _read(reader, number, name, value.strip())
    if not reader.errors:
        for required in ("score at least", "points"):
            if required not in reader.seen:
                reader.error(header, f"the rules need “{required}: …”.")
    if reader.errors:
        raise RulesError(reader.errors)
    return Rules(**reader.values)


def _read(reader: _Reader, number: int, name: str, value: str) -> None:
    if name in ("score at least", "actions at least"):
        if not value.isdigit() or int(value) > MAX_POINTS * 10:
            reader.error(number, f"“{name}” takes a whole number of points, e.g. “{name}: 30”.")
            return
        reader.values[name.replace(" ", "_")] = int(value)
        return
    if name == "account":
        if value.lower() not in ACCOUNT_SCOPES:
            reader.error(
                number, "“account” is “plan” (the program's plan accounts) or “target” (any target account)."
            )
            return
        reader.values["account"] = value.lower()
        return
    items = [" ".join(item.lower().split()) for item in value.split(",") if item.strip()]
    if not items:
        reader.error(number, f"“{name}” needs at least one value.")
        return
    if name == "points":
        reader.values["points"] = tuple(_points(reader, number, items))
    elif name == "required actions":
        reader.values["required_actions"] = tuple(_kinds(reader, number, items))
    elif name == "title":
        reader.values["title_keywords"] = tuple(items)
    elif name == "industry":
        reader.values["industries"] = tuple(items)
    else:
        unknown = [item for item in items if item not in Region.values]
        if unknown:
            reader.error(number, f"“{unknown[0]}” is not a region; use one of: {', '.join(Region.values)}.")
        reader.values["regions"] = tuple(items)


def _kinds(reader: _Reader, number: int, items: list[str]) -> list[str]:
    unknown = [item for item in items if item not in TOUCH_KINDS]
    if unknown:
        reader.error(number, f"“{unknown[0]}” is not a touch kind; use one of: {', '.join(TOUCH_KINDS)}.")
    return items


def _points(reader: _Reader, number: int, items: list[str]) -> list[Points]:
    points, kinds = [], set()
    for item in items:
        match = _POINTS.match(item)
        if match is None:
            reader.error(
                number, f"“{item}” is not “kind points”, e.g. “meeting 40” or “asset_downloaded 10 up to 20”."
            )
            continue
        kind, value = match["kind"], int(match["points"])
        if kind not in TOUCH_KINDS:
            reader.error(number, f"“{kind}” is not a touch kind; use one of: {', '.join(TOUCH_KINDS)}.")
            continue
        if kind in kinds:
            reader.error(number, f"“{kind}” has points twice.")
            continue
        if abs(value) > MAX_POINTS:
            reader.error(number, f"“{kind}” has more than {MAX_POINTS} points.")
            continue
        kinds.add(kind)
        points.append(Points(kind=kind, points=value, cap=int(match["cap"]) if match["cap"] else None))
    return points


@functools.cache
def default_rules() -> Rules:
    """The catalog's rules: what a lead with no program, or of a program launched before the catalog
    carried rules, is scored by."""
    rules = parse(f"{HEADER}\n{QUALIFICATION_RULES}")
    assert rules is not None
    return rules


def rules_or_default(text: str) -> tuple[Rules, bool]:
    """The rules pinned in a component's text, else the catalog's default (True: the text's own). A
    pinned text that does not parse (it was never validated) falls back to the default too."""
    try:
        rules = parse(text)
    except RulesError:
        rules = None
    return (rules, True) if rules is not None else (default_rules(), False)


@dataclass(frozen=True)
class Shown:
    """A qualification component as the package page shows it: its prose, its rules in words, and
    whether they are the text's own (else the catalog's defaults apply)."""

    prose: str
    rules: list[str]
    own: bool


def shown(text: str) -> Shown:
    prose, _, _ = split(text)
    rules, own = rules_or_default(text)
    return Shown(prose=prose, rules=rules.describe(), own=own)
