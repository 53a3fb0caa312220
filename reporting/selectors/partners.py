"""A partner's own figures: its home dashboard in the portal, and the parts the partner review
(QBR) shares with it. Every read filters on the partner as well as the tenant: a partner user's
page shows only its company's rows.

A fixed number of queries whatever the partner's number of plans, leads or handoffs."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Checkpoint, Plan
from leads.models import DealRegistration, Handoff
from leads.selectors.routing import partner_lead_figures
from mdf.selectors.funds import Quarter, current_quarter, my_funds
from partnerhub.tenancy.models import Partner, Tenant

ZERO = Decimal("0.00")
PLANS_SHOWN = 10
TREND_MONTHS = 6

# What each tier is for (DOMAIN.md §3). Tiers are set by the partner manager: PartnerHub holds no
# automatic tier rules, so the page says what the next tier offers and who decides, nothing more.
NEXT_TIER = {
    Partner.Tier.ONE_TO_MANY: (
        Partner.Tier.ONE_TO_FEW,
        "Templates with customization, quarterly check-ins and proposal-based MDF. Your partner "
        "manager decides tiers from pipeline, certifications and feedback.",
    ),
    Partner.Tier.ONE_TO_FEW: (
        Partner.Tier.ONE_TO_ONE,
        "Joint quarterly planning, custom programs and strategic MDF budgeted jointly. Your partner "
        "manager decides tiers from pipeline, certifications and feedback.",
    ),
    Partner.Tier.ONE_TO_ONE: (None, "The strategic tier: there is no tier above it."),
}


def checkpoint_state(checkpoint: Checkpoint) -> str:
    """open, met, missed or no_target (as the checkpoints API says it)."""
    if checkpoint.frozen_at is None:
        return "open"
    return {True: "met", False: "missed", None: "no_target"}[(checkpoint.snapshot or {}).get("met")]


@dataclass
class PlanResult:
    plan: Plan
    checkpoints: list[tuple[Checkpoint, str]]  # (checkpoint, state) by day


def _with_checkpoints(plans) -> list[PlanResult]:
    return [
        PlanResult(plan=plan, checkpoints=[(c, checkpoint_state(c)) for c in plan.checkpoints.all()])
        for plan in plans
    ]


def partner_plans(*, tenant: Tenant, partner: Partner):
    """The partner's launched plans, newest first, with their program and checkpoints (two
    queries when listed)."""
    return (
        Plan.objects.filter(tenant=tenant, partner=partner, launched_at__isnull=False)
        .select_related("program", "play")
        .prefetch_related(
            Prefetch("checkpoints", queryset=Checkpoint.objects.filter(tenant=tenant).order_by("day"))
        )
        .order_by("-launched_at", "-id")
    )


@dataclass
class SlaStanding:
    """Where the partner's handoffs stand against their accept SLA."""

    handed: int = 0
    accepted_in_sla: int = 0
    accepted_late: int = 0
    breached: int = 0  # open, a running clock past its due instant
    waiting: int = 0  # offered, not answered yet, within its SLA
    rejected: int = 0


def sla_standing(*, tenant: Tenant, partner: Partner, since=None, until=None, now=None) -> SlaStanding:
    """One aggregate over the partner's handoffs (offered in [since, until) when given)."""
    now = now or timezone.now()
    rows = Handoff.objects.filter(tenant=tenant, partner=partner)
    if since is not None:
        rows = rows.filter(offered_at__gte=since)
    if until is not None:
        rows = rows.filter(offered_at__lt=until)
    accepted = Q(accepted_at__isnull=False)
    in_sla = accepted & (Q(accept_due_at__isnull=True) | Q(accepted_at__lte=F("accept_due_at")))
    figures = rows.aggregate(
        handed=Count("id"),
        accepted_in_sla=Count("id", filter=in_sla),
        accepted_late=Count("id", filter=accepted & ~in_sla),
        breached=Count("id", filter=Q(state__in=Handoff.OPEN_STATES, deadline_at__lte=now)),
        waiting=Count(
            "id",
            filter=Q(state=Handoff.State.OFFERED) & (Q(deadline_at__gt=now) | Q(deadline_at__isnull=True)),
        ),
        rejected=Count("id", filter=Q(state=Handoff.State.REJECTED)),
    )
    return SlaStanding(**figures)


def feedback_rate(*, tenant: Tenant, partner: Partner, now=None) -> float | None:
    """The routing's feedback rate of the partner (leads.selectors.routing): of its accepted
    handoffs that can be judged, the share with feedback within 14 days."""
    row = partner_lead_figures(tenant=tenant, now=now).filter(id=partner.id).values("feedback_rate").first()
    return row["feedback_rate"] if row else None


def registration_counts(*, tenant: Tenant, partner: Partner, since=None, until=None) -> list[tuple[str, int]]:
    """The partner's deal registrations by state, in the states' order (created in [since, until))."""
    rows = DealRegistration.objects.filter(tenant=tenant, partner=partner)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    counts = Counter(dict(rows.values_list("state").annotate(n=Count("id")).order_by()))
    return [(str(label), counts.get(state, 0)) for state, label in DealRegistration.State.choices]


def month_starts(tenant: Tenant, today: datetime.date, months: int) -> list[datetime.date]:
    first = today.replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        starts.append(datetime.date(index // 12, index % 12 + 1, 1))
    return starts


def handed_by_month(*, tenant: Tenant, partner: Partner, months: list[datetime.date]) -> list[int]:
    """Handoffs offered to the partner in each month (tenant time zone), one query."""
    since = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time()), tenant.zone)
    counts = dict(
        Handoff.objects.filter(tenant=tenant, partner=partner, offered_at__gte=since)
        .annotate(month=TruncMonth("offered_at", tzinfo=tenant.zone))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_date = {
        (month.date() if isinstance(month, datetime.datetime) else month): n for month, n in counts.items()
    }
    return [by_date.get(month, 0) for month in months]


@dataclass
class FundsUsed:
    quarter: Quarter
    rows: list[dict] = field(default_factory=list)  # fund, currency, allocated, available, committed, paid
    pools: list[dict] = field(default_factory=list)


def funds_used(*, tenant: Tenant, partner: Partner, quarter: Quarter) -> FundsUsed:
    """The partner's MDF of the quarter (mdf.selectors.funds.my_funds: two queries): what it was
    allocated, what is available, committed (reserved or claimed) and paid."""
    mine = my_funds(tenant=tenant, partner=partner, quarter=quarter)
    rows = [
        {
            "fund": allocation.fund.name,
            "currency": allocation.fund.currency,
            "allocated": allocation.allocated,
            "available": max(allocation.available, ZERO),
            "committed": allocation.reserved + allocation.claimed,
            "paid": allocation.paid,
        }
        for allocation in mine.allocations
    ]
    return FundsUsed(quarter=quarter, rows=rows, pools=mine.pools)


@dataclass
class PartnerDashboard:
    partner: Partner
    plans: list[PlanResult]
    sla: SlaStanding
    feedback_rate: float | None
    registrations: list[tuple[str, int]]
    funds: FundsUsed
    next_tier: str | None
    next_tier_text: str
    months: list[datetime.date]
    handed: list[int]

    @property
    def checkpoint_tally(self) -> dict[str, int]:
        tally = Counter(state for result in self.plans for _, state in result.checkpoints)
        return {state: tally.get(state, 0) for state in ("met", "missed", "open", "no_target")}


def partner_dashboard(
    *, tenant: Tenant, partner: Partner, now: datetime.datetime | None = None
) -> PartnerDashboard:
    now = now or timezone.now()
    months = month_starts(tenant, tenant.local_date(now), TREND_MONTHS)
    next_tier, text = NEXT_TIER.get(partner.tier, (None, ""))
    return PartnerDashboard(
        partner=partner,
        plans=_with_checkpoints(partner_plans(tenant=tenant, partner=partner)[:PLANS_SHOWN]),
        sla=sla_standing(tenant=tenant, partner=partner, now=now),
        feedback_rate=feedback_rate(tenant=tenant, partner=partner, now=now),
        registrations=registration_counts(tenant=tenant, partner=partner),
        funds=funds_used(tenant=tenant, partner=partner, quarter=current_quarter(tenant=tenant, now=now)),
        next_tier=str(Partner.Tier(next_tier).label) if next_tier else None,
        next_tier_text=text,
        months=months,
        handed=handed_by_month(tenant=tenant, partner=partner, months=months),
    )
