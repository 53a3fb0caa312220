"""The executive (monthly) and operational (weekly) dashboards (docs/reporting.md): figures read
from the rollups, plus a few small live counts. A constant number of queries at any size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from accounts.models import Checkpoint, Program
from leads.models import Handoff
from leads.selectors.inbox import SlaState, filter_sla_state, handoff_list
from mdf.models import ClaimState
from mdf.models.requests import IN_REVIEW
from mdf.selectors.claims import claim_list
from mdf.selectors.requests import request_list
from partnerhub.tenancy.models import Partner, Tenant
from reporting.selectors.money import reporting_currency
from reporting.selectors.rollups import Figure, period_starts, rollup_breakdown, rollup_series, rollup_total

EXECUTIVE_METRICS = [
    "pipeline_sourced",
    "pipeline_influenced",
    "amounts_without_rate",
    "mdf_paid",
    "programs_launched",
    "partners_active",
]
FUNNEL = [
    ("leads", "Leads"),
    ("leads_mql", "MQL"),
    ("leads_sql", "SQL"),
    ("leads_opportunity", "Opportunity"),
]
OPERATIONAL_METRICS = [key for key, _ in FUNNEL] + [
    "handoffs_offered",
    "handoffs_accepted",
    "sla_breaches",
    "handoffs_silent",
    "partners_active",
]
LIVE_LIST = 10  # the short live lists: the worst first


def _local_midnight(tenant: Tenant, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=tenant.zone)


def _ratio(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"))


@dataclass
class MonthRow:
    starts_on: datetime.date
    sourced: Decimal
    influenced: Decimal
    mdf_paid: Decimal
    programs_launched: int
    partners_active: int
    activation_rate: Decimal | None

    @property
    def pipeline(self) -> Decimal:
        return self.sourced + self.influenced

    @property
    def mdf_roi(self) -> Decimal | None:
        """Pipeline generated per unit of MDF paid in the month (to a tenth: 12.5 times)."""
        if not self.mdf_paid:
            return None
        return (self.pipeline / self.mdf_paid).quantize(Decimal("0.1"))


@dataclass
class Executive:
    currency: str
    months: list[MonthRow]
    active_partners: int
    amounts_without_rate: int
    margin_known: bool = False  # no margin is recorded anywhere yet: the ROI section says so

    @property
    def totals(self) -> dict:
        return {
            "sourced": sum((m.sourced for m in self.months), Decimal("0.00")),
            "influenced": sum((m.influenced for m in self.months), Decimal("0.00")),
            "mdf_paid": sum((m.mdf_paid for m in self.months), Decimal("0.00")),
            "programs_launched": sum(m.programs_launched for m in self.months),
        }


def _active_partners(tenant: Tenant, partner: Partner | None) -> int:
    partners = Partner.objects.filter(tenant=tenant, status=Partner.Status.ACTIVE)
    if partner is not None:
        partners = partners.filter(id=partner.id)
    return partners.count()


def executive_dashboard(
    *, tenant: Tenant, months: int = 12, partner: Partner | None = None, today: datetime.date | None = None
) -> Executive:
    starts = period_starts(tenant, "month", months, today)
    series = rollup_series(
        tenant=tenant, metrics=EXECUTIVE_METRICS, period="month", starts=starts, partner=partner
    )
    active = _active_partners(tenant, partner)
    rows = [
        MonthRow(
            starts_on=day,
            sourced=series["pipeline_sourced"][day].value,
            influenced=series["pipeline_influenced"][day].value,
            mdf_paid=series["mdf_paid"][day].value,
            programs_launched=series["programs_launched"][day].count,
            partners_active=series["partners_active"][day].count,
            activation_rate=_ratio(series["partners_active"][day].count, active),
        )
        for day in starts
    ]
    without_rate = sum(series["amounts_without_rate"][day].count for day in starts)
    return Executive(reporting_currency(tenant), rows, active, without_rate)


@dataclass
class WeekRow:
    starts_on: datetime.date
    figures: dict[str, Figure]


@dataclass
class FlowRow:
    label: str
    figures: dict[str, int]


@dataclass
class Operational:
    weeks: list[WeekRow]
    funnel: list[tuple[str, int]]
    by_partner: list[FlowRow]
    by_program: list[FlowRow]
    checkpoints: dict[tuple[str, str], int]
    breached: list[Handoff]
    breached_count: int
    silent: list[Handoff]
    silent_count: int
    partners_active: int
    partners_quiet: list[Partner]
    partners_total: int
    requests_waiting: int
    requests_aging: int
    claims_waiting: int
    claims_to_pay: int
    checkpoint_rows: list[str] = field(default_factory=lambda: ["Open", "Met", "Missed", "No target"])
    checkpoint_columns: list[str] = field(default_factory=lambda: ["Day 30", "Day 60", "Day 90"])


def _checkpoint_states(tenant: Tenant, partner: Partner | None) -> dict[tuple[str, str], int]:
    """Checkpoints of the programs still running, by day and state (one grouped query)."""
    rows = Checkpoint.objects.filter(tenant=tenant, plan__program__status=Program.Status.RUNNING)
    if partner is not None:
        rows = rows.filter(plan__program__partner=partner)
    counts = rows.values("day").annotate(
        open=Count("id", filter=Q(frozen_at__isnull=True)),
        frozen=Count("id", filter=Q(frozen_at__isnull=False)),
        met=Count("id", filter=Q(frozen_at__isnull=False, snapshot__met=True)),
        missed=Count("id", filter=Q(frozen_at__isnull=False, snapshot__met=False)),
    )
    cells: dict[tuple[str, str], int] = {}
    for row in counts:
        column = f"Day {row['day']}"
        row["untargeted"] = row["frozen"] - row["met"] - row["missed"]  # the plan set no target
        for key, label in (
            ("open", "Open"),
            ("met", "Met"),
            ("missed", "Missed"),
            ("untargeted", "No target"),
        ):
            cells[(label, column)] = row[key]
    return cells


def _flow_rows(totals: dict, labels: dict[int, str]) -> list[FlowRow]:
    rows = [
        FlowRow(
            label,
            {key: totals.get((ident, key), Figure()).count for key, _ in [*FUNNEL, ("sla_breaches", "")]},
        )
        for ident, label in labels.items()
    ]
    return sorted(rows, key=lambda row: (-row.figures["leads"], row.label))[:20]


def operational_dashboard(
    *,
    tenant: Tenant,
    weeks: int = 12,
    partner: Partner | None = None,
    now: datetime.datetime,
) -> Operational:
    starts = period_starts(tenant, "week", weeks, tenant.local_date(now))
    series = rollup_series(
        tenant=tenant, metrics=OPERATIONAL_METRICS, period="week", starts=starts, partner=partner
    )
    week_rows = [
        WeekRow(day, {metric: series[metric][day] for metric in OPERATIONAL_METRICS}) for day in starts
    ]
    funnel = [(label, sum(series[key][day].count for day in starts)) for key, label in FUNNEL]

    breakdown_metrics = [key for key, _ in FUNNEL] + ["sla_breaches"]
    per_partner = rollup_breakdown(
        tenant=tenant, metrics=breakdown_metrics, period="week", starts=starts, by="partner"
    )
    per_program = rollup_breakdown(
        tenant=tenant, metrics=breakdown_metrics, period="week", starts=starts, by="program"
    )
    partner_ids = {ident for ident, _ in per_partner}
    program_ids = {ident for ident, _ in per_program}
    if partner is not None:
        partner_ids &= {partner.id}
    partners = dict(Partner.objects.filter(tenant=tenant, id__in=partner_ids).values_list("id", "name"))
    programs = Program.objects.filter(tenant=tenant, id__in=program_ids)
    if partner is not None:
        programs = programs.filter(partner=partner)
    program_labels = {
        p["id"]: f"{p['plan__name'] or p['tracking_code']} ({p['partner__name']})"
        for p in programs.values("id", "plan__name", "tracking_code", "partner__name")
    }

    handoffs = handoff_list(tenant=tenant)
    if partner is not None:
        handoffs = handoffs.filter(partner=partner)
    breached = filter_sla_state(handoffs.filter(state__in=Handoff.OPEN_STATES), SlaState.BREACHED, now)
    # Fallen silent: accepted, and its silence instant (no feedback since) has passed. The list
    # reads the range's handoffs (an index range), the count the rollups.
    silent = handoffs.filter(
        state=Handoff.State.ACCEPTED, silent_at__lte=now, offered_at__gte=_local_midnight(tenant, starts[0])
    )

    silent_total = rollup_total(tenant=tenant, metric="handoffs_silent", period="week", partner=partner)
    recent = starts[-4:]  # activation: anything in the last four weeks
    activity = rollup_breakdown(
        tenant=tenant, metrics=["partners_active"], period="week", starts=recent, by="partner"
    )
    active_ids = {ident for ident, _ in activity}
    partner_rows = Partner.objects.filter(tenant=tenant, status=Partner.Status.ACTIVE)
    if partner is not None:
        partner_rows = partner_rows.filter(id=partner.id)
    quiet = partner_rows.exclude(id__in=active_ids).order_by("name", "id")

    # The MDF queues' own selectors: what their review pages list (and which requests are aging).
    requests = request_list(tenant=tenant, now=now).filter(state__in=IN_REVIEW)
    claims = claim_list(tenant=tenant)
    if partner is not None:
        requests, claims = requests.filter(partner=partner), claims.filter(partner=partner)
    request_counts = requests.aggregate(waiting=Count("id"), aging=Count("id", filter=Q(is_aging=True)))
    claim_counts = claims.aggregate(
        waiting=Count("id", filter=Q(state=ClaimState.SUBMITTED)),
        to_pay=Count("id", filter=Q(state__in=[ClaimState.APPROVED, ClaimState.PARTIALLY_APPROVED])),
    )
    partner_counts = partner_rows.aggregate(
        total=Count("id"), active=Count("id", filter=Q(id__in=active_ids))
    )
    return Operational(
        weeks=week_rows,
        funnel=funnel,
        by_partner=_flow_rows(per_partner, partners),
        by_program=_flow_rows(per_program, program_labels),
        checkpoints=_checkpoint_states(tenant, partner),
        breached=list(breached[:LIVE_LIST]),
        breached_count=breached.count(),
        silent=list(silent.order_by("-silent_at", "-id")[:LIVE_LIST]),
        silent_count=silent_total,
        partners_active=partner_counts["active"],
        partners_quiet=list(quiet[:LIVE_LIST]),
        partners_total=partner_counts["total"],
        requests_waiting=request_counts["waiting"],
        requests_aging=request_counts["aging"],
        claims_waiting=claim_counts["waiting"],
        claims_to_pay=claim_counts["to_pay"],
    )
