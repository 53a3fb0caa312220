"""Routing: which partner a lead is offered to, and why (docs/leads.md, "Routing").

The rules kept here, in order:
1. **The program's partner**: the lead came through a partner's program.
2. **The account mapping**: a partner that already works with the lead's account (the best of
   them by fit when several do).
3. **Fit**: tier, region and vertical fit with the lead's account, weighted by the partner's
   feedback rate (partners who report back get more).
Never a partner that is inactive, that declined the lead or let it expire, or that had it and was
recalled; never beyond a partner's weekly cap of open handoffs. With no partner left the lead stays
in the vendor's queue. Every decision is stored with its reason and the candidates considered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import AccountMapping
from leads.models import Handoff, Lead, RoutingDecision, RoutingRule
from leads.selectors.routing import WAITING_STAGES, partner_feedback_rates, partner_week_load
from leads.services.handoffs import check_staff, handoff_offer
from partnerhub.tenancy.actors import Actor, actor_columns
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant

TIER_POINTS = {Partner.Tier.ONE_TO_ONE: 3, Partner.Tier.ONE_TO_FEW: 2, Partner.Tier.ONE_TO_MANY: 1}
REGION_POINTS = VERTICAL_POINTS = 2
# The feedback rate weighs fit from 0.5 (never reports back) to 1.5 (always does); a partner with no
# judged handoff yet is weighed as one in the middle.
NEUTRAL_RATE = 0.5
CANDIDATES_KEPT = 50
HAD_IT = {
    Handoff.State.REJECTED: "declined this lead",
    Handoff.State.EXPIRED: "let this lead expire",
    Handoff.State.RECALLED: "had this lead and it was recalled",
}


@dataclass
class Candidate:
    partner: Partner
    feedback_rate: float | None
    load: int
    program_partner: bool = False
    mapped: bool = False
    fit: dict = field(default_factory=dict)
    excluded: str = ""

    @property
    def score(self) -> float:
        rate = NEUTRAL_RATE if self.feedback_rate is None else self.feedback_rate
        return round(sum(self.fit.values()) * (0.5 + rate), 3)

    def as_json(self) -> dict:
        return {
            "partner": self.partner.id,
            "name": self.partner.name,
            "score": self.score,
            "fit": self.fit,
            "feedback_rate": None if self.feedback_rate is None else round(self.feedback_rate, 3),
            "open_this_week": self.load,
            "weekly_cap": self.partner.weekly_handoff_cap,
            "program_partner": self.program_partner,
            "account_mapping": self.mapped,
            "excluded": self.excluded or None,
        }


def _fit(partner: Partner, lead: Lead) -> dict:
    account = lead.account
    region = bool(account and account.region and account.region in partner.regions)
    vertical = bool(account and account.industry and account.industry in partner.verticals)
    return {
        "tier": TIER_POINTS.get(partner.tier, 1),
        "region": REGION_POINTS if region else 0,
        "vertical": VERTICAL_POINTS if vertical else 0,
    }


def _excluded(partner: Partner, had: dict[int, str], load: int) -> str:
    if partner.status == Partner.Status.INACTIVE:
        return "inactive"
    if partner.id in had:
        return HAD_IT[had[partner.id]]
    cap = partner.weekly_handoff_cap
    if cap is not None and load >= cap:
        return f"at its weekly cap ({load} of {cap} open handoffs this week)"
    return ""


def routing_candidates(*, tenant: Tenant, lead: Lead, now: datetime.datetime) -> list[Candidate]:
    """Every partner of the tenant as a candidate for the lead, eligible or excluded with the reason,
    the best first (eligible by score, then the less loaded, then by name). Four queries."""
    loads = partner_week_load(tenant=tenant, now=now)
    had: dict[int, str] = {}
    earlier = Handoff.objects.filter(tenant=tenant, lead=lead, state__in=list(HAD_IT)).order_by("closed_at")
    for partner_id, state in earlier.values_list("partner_id", "state"):
        had.setdefault(partner_id, state)  # the first refusal names it: declined or expired wins
    mapped = set()
    if lead.account_id:
        mappings = AccountMapping.objects.filter(tenant=tenant, account_id=lead.account_id)
        mapped = set(mappings.values_list("partner_id", flat=True))
    program_partner_id = lead.program.partner_id if lead.program_id else None
    candidates = []
    for partner in partner_feedback_rates(tenant=tenant, now=now):
        load = loads.get(partner.id, 0)
        candidates.append(
            Candidate(
                partner=partner,
                feedback_rate=partner.feedback_rate,
                load=load,
                program_partner=partner.id == program_partner_id,
                mapped=partner.id in mapped,
                fit=_fit(partner, lead),
                excluded=_excluded(partner, had, load),
            )
        )
    return sorted(
        candidates, key=lambda c: (bool(c.excluded), -c.score, c.load, c.partner.name, c.partner.id)
    )


def _choose(lead: Lead, candidates: list[Candidate]) -> tuple[str, Candidate | None, str]:
    """The rule that decides, the partner it picks (None: the queue) and the reason sentence."""
    eligible = [candidate for candidate in candidates if not candidate.excluded]
    passed = []
    program = next((candidate for candidate in candidates if candidate.program_partner), None)
    if program is not None:
        if not program.excluded:
            return (
                RoutingRule.PROGRAM_PARTNER,
                program,
                f"The lead came through {program.partner.name}'s program {lead.program.tracking_code}.",
            )
        passed.append(f"the program's partner {program.partner.name} {program.excluded}")
    mapped = [candidate for candidate in candidates if candidate.mapped]
    mapped_eligible = [candidate for candidate in mapped if not candidate.excluded]
    if mapped_eligible:
        best = mapped_eligible[0]
        others = f" (the best fit of {len(mapped_eligible)} that do)" if len(mapped_eligible) > 1 else ""
        return (
            RoutingRule.ACCOUNT_MAPPING,
            best,
            _after(passed, f"{best.partner.name} already works with {lead.account.name}{others}."),
        )
    passed += [
        f"{candidate.partner.name}, mapped to the account, {candidate.excluded}" for candidate in mapped
    ]
    if eligible:
        best = eligible[0]
        rate = "no feedback record yet" if best.feedback_rate is None else f"{best.feedback_rate:.0%}"
        fit = ", ".join(f"{name} {points}" for name, points in best.fit.items())
        return (
            RoutingRule.FIT,
            best,
            _after(
                passed,
                f"{best.partner.name} fits best of {len(eligible)}: score {best.score} (fit: {fit}; "
                f"feedback rate {rate}).",
            ),
        )
    if not candidates:
        return RoutingRule.NONE, None, "The tenant has no partners: the lead stays in the vendor's queue."
    reasons: dict[str, int] = {}
    for candidate in candidates:
        kind = candidate.excluded.split(" (")[0]
        reasons[kind] = reasons.get(kind, 0) + 1
    summary = "; ".join(f"{count} {kind}" for kind, count in reasons.items())
    return (
        RoutingRule.NONE,
        None,
        f"No partner can take the lead ({summary}): it stays in the vendor's queue.",
    )


def _after(passed: list[str], sentence: str) -> str:
    return f"{'; '.join(passed).capitalize()}. {sentence}" if passed else sentence


def _decide(*, tenant: Tenant, actor: Actor, lead: Lead, now: datetime.datetime) -> RoutingDecision:
    candidates = routing_candidates(tenant=tenant, lead=lead, now=now)
    rule, chosen, reason = _choose(lead, candidates)
    handoff = None
    if chosen is not None:
        handoff = handoff_offer(
            tenant=tenant, actor=actor, lead_id=lead.id, partner_id=chosen.partner.id, now=now
        )
    return _store(tenant, actor, lead, rule, reason, handoff, [c.as_json() for c in candidates], now)


def _store(tenant, actor, lead, rule, reason, handoff, candidates, now) -> RoutingDecision:
    columns = actor_columns(actor)
    decision = RoutingDecision.objects.create(
        tenant=tenant,
        lead=lead,
        handoff=handoff,
        rule=rule,
        reason=reason[:500],
        candidates=candidates[:CANDIDATES_KEPT],
        actor=columns["actor"],
        actor_label=columns["actor_label"],
        created_at=now,
    )
    audit(
        tenant=tenant,
        actor=actor,
        action="lead.routed",
        target=lead,
        after={"rule": rule, "handoff": handoff.id if handoff else None, "reason": decision.reason},
    )
    return decision


def _locked_lead(tenant: Tenant):
    return (
        Lead.objects.select_for_update(of=("self",))
        .select_related("account", "program")
        .filter(tenant=tenant)
    )


@transaction.atomic
def lead_route(
    *, tenant: Tenant, actor: Actor, lead_id: int, now: datetime.datetime | None = None
) -> RoutingDecision:
    """Route a ready lead with no open handoff (staff): pick the partner by the rules above and
    offer it the lead (handoff_offer), or leave it in the vendor's queue; the decision is stored
    either way, with its reason."""
    check_staff(tenant, actor, "route")
    lead = _locked_lead(tenant).filter(id=lead_id).first()
    if lead is None:
        raise ServiceError("No such lead.", field="lead")
    if Handoff.objects.filter(tenant=tenant, lead=lead, state__in=Handoff.OPEN_STATES).exists():
        raise ServiceError("This lead already has an open handoff: recall it first.", field="lead")
    if not lead.ready:
        raise ServiceError("This lead is not ready to hand off yet.", field="lead")
    return _decide(tenant=tenant, actor=actor, lead=lead, now=now or timezone.now())


def lead_reroute(*, tenant: Tenant, lead_id: int, now: datetime.datetime) -> RoutingDecision | None:
    """The ladder's recall, in the sweep's transaction: route the lead to the next partner (the
    recalled one is never picked again), or back to the vendor's queue, by the system. A lead that
    has an open handoff again, or is no longer in play, is left alone (None)."""
    lead = _locked_lead(tenant).get(id=lead_id)
    if Handoff.objects.filter(tenant=tenant, lead=lead, state__in=Handoff.OPEN_STATES).exists():
        return None
    if lead.stage not in WAITING_STAGES:  # disqualified, or an opportunity already: out of play
        return None
    if not lead.ready:
        reason = (
            f"The lead is {lead.get_stage_display()}, not ready to hand off: it stays in the vendor's queue."
        )
        return _store(tenant, None, lead, RoutingRule.NONE, reason, None, [], now)
    try:
        with transaction.atomic():
            return _decide(tenant=tenant, actor=None, lead=lead, now=now)
    except ServiceError as exc:  # e.g. a calendar that cannot give a deadline: the queue, and why
        return _store(
            tenant, None, lead, RoutingRule.NONE, f"{exc.message} The lead stays in the queue.", None, [], now
        )
