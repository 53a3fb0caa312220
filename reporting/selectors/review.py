"""The partner review (QBR) of one partner for one quarter (DOMAIN.md §6, the partner view):
results against its plans' targets, lead quality and progression, feedback rate, MDF used and its
ROI, registrations and next quarter's plan. The page, its CSV, its PDF pack and the API read this.

A fixed number of queries whatever the partner's number of plans, leads or opportunities."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, DecimalField, Q
from django.utils import timezone

from accounts.models import Checkpoint, Plan
from leads.models import Lead, LeadStage
from mdf.selectors.funds import Quarter
from mdf.selectors.paid import mdf_paid_by_currency
from partnerhub.tenancy.models import Partner, Tenant
from reporting.selectors.attribution import Period, pipeline_split
from reporting.selectors.checkpoints import CheckpointView, checkpoints_live
from reporting.selectors.money import reporting_currency
from reporting.selectors.partners import (
    SlaStanding,
    checkpoint_state,
    feedback_rate,
    registration_counts,
    sla_standing,
)
from reporting.selectors.scorecard import PlanFigures, scorecard

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
# The funnel's steps and the lead stages that have passed each (a lead at SQL was an MQL).
FUNNEL = [
    ("Leads handed", None),
    ("MQL", (LeadStage.MQL, LeadStage.SQL, LeadStage.OPPORTUNITY)),
    ("SQL", (LeadStage.SQL, LeadStage.OPPORTUNITY)),
    ("Opportunity", (LeadStage.OPPORTUNITY,)),
]


def quarter_bounds(tenant: Tenant, quarter: Quarter) -> tuple[datetime.datetime, datetime.datetime]:
    """The quarter's first instant and the next quarter's, in the tenant's time zone."""

    def start(q: Quarter) -> datetime.datetime:
        day = datetime.date(q.year, 3 * (q.quarter - 1) + 1, 1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), tenant.zone)

    return start(quarter), start(quarter.shifted(1))


@dataclass
class Pipeline:
    sourced: Decimal = ZERO
    influenced: Decimal = ZERO
    without_rate: int = 0


def partner_pipeline(*, tenant: Tenant, partner: Partner, since, until, now=None) -> Pipeline:
    """Pipeline created in [since, until) that the partner sourced or influenced, by the
    attribution rules (reporting.selectors.attribution), in the reporting currency at the FX rate
    of each opportunity's day: one statement."""
    split = pipeline_split(tenant, Period(since=since, until=until), partner_id=partner.id, now=now)
    return Pipeline(sourced=split.sourced, influenced=split.influenced, without_rate=split.without_rate)


def lead_funnel(*, tenant: Tenant, partner: Partner, since, until) -> list[tuple[str, int]]:
    """Leads handed to the partner in [since, until), and how many reached MQL, SQL, opportunity
    (by the stage they are at now): one query."""
    handed = Lead.objects.filter(
        tenant=tenant,
        handoffs__partner=partner,
        handoffs__tenant=tenant,
        handoffs__offered_at__gte=since,
        handoffs__offered_at__lt=until,
    ).distinct()
    counts = Counter(
        dict(
            Lead.objects.filter(id__in=handed.values("id"))
            .values_list("stage")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    total = sum(counts.values())
    return [
        (label, total if stages is None else sum(counts.get(s, 0) for s in stages))
        for label, stages in FUNNEL
    ]


def mdf_paid(*, tenant: Tenant, partner: Partner, since, until, currency: str) -> tuple[Decimal, int]:
    """MDF paid to the partner in the quarter (claims paid on a day inside it, tranches paid or
    released inside it), in `currency`, and how many payments in another currency were left out."""
    start, end = timezone.localdate(since, tenant.zone), timezone.localdate(until, tenant.zone)
    tranche_paid = Q(decided_at__isnull=False, decided_at__gte=since, decided_at__lt=until) | Q(
        decided_at__isnull=True, settled_at__gte=since, settled_at__lt=until
    )
    paid = mdf_paid_by_currency(
        tenant=tenant,
        claims=Q(partner=partner, paid_on__gte=start, paid_on__lt=end),
        tranches=Q(tranche_paid, request__partner=partner),
    )
    amount, _ = paid.pop(currency, (ZERO, 0))
    return amount, sum(count for _, count in paid.values())


@dataclass
class ReviewResult:
    """One checkpoint of a plan: its state and its measures (target, frozen actual, live)."""

    view: CheckpointView
    state: str

    @property
    def plan(self) -> Plan:
        return self.view.checkpoint.plan


@dataclass
class PartnerReview:
    partner: Partner
    quarter: Quarter
    currency: str
    results: list[ReviewResult]
    plan_figures: PlanFigures | None  # the quarter's plans added up (scorecard, first 90 days)
    funnel: list[tuple[str, int]]
    sla: SlaStanding
    feedback_rate: float | None
    mdf_paid: Decimal
    mdf_other_currency: int
    pipeline: Pipeline
    registrations: list[tuple[str, int]]
    next_plans: list[Plan] = field(default_factory=list)

    @property
    def checkpoint_tally(self) -> dict[int, dict[str, int]]:
        """Per day (30, 60, 90): how many checkpoints met, missed, are open or had no target."""
        tally = {day: Counter() for day in (30, 60, 90)}
        for result in self.results:
            tally.setdefault(result.view.checkpoint.day, Counter())[result.state] += 1
        return tally

    @property
    def pipeline_total(self) -> Decimal:
        return self.pipeline.sourced + self.pipeline.influenced

    @property
    def roi(self) -> Decimal | None:
        """Pipeline sourced or influenced per unit of MDF paid in the quarter."""
        if not self.mdf_paid:
            return None
        return (self.pipeline_total / self.mdf_paid).quantize(Decimal("0.01"))

    @property
    def plan_pipeline_roi(self) -> Decimal | None:
        """Pipeline progressed on the quarter's plans' named accounts ÷ MDF paid for their programs."""
        figures = self.plan_figures
        if figures is None or not figures.mdf_paid:
            return None
        return (figures.pipeline_progressed / figures.mdf_paid).quantize(Decimal("0.01"))


def partner_review(
    *, tenant: Tenant, partner: Partner, quarter: Quarter, now: datetime.datetime | None = None
) -> PartnerReview:
    now = now or timezone.now()
    since, until = quarter_bounds(tenant, quarter)
    currency = reporting_currency(tenant)
    start, end = tenant.local_date(since), tenant.local_date(until)
    checkpoints = (
        Checkpoint.objects.filter(
            tenant=tenant,
            plan__partner=partner,
            plan__launched_at__isnull=False,
            due_on__gte=start,
            due_on__lt=end,
        )
        .select_related("plan__program")
        .order_by("plan__launched_at", "plan_id", "day")
    )
    views = checkpoints_live(tenant=tenant, checkpoints=checkpoints)
    plans = Plan.objects.filter(
        tenant=tenant, partner=partner, year=quarter.year, quarter=quarter.quarter, launched_at__isnull=False
    ).select_related("partner", "program")
    rows = scorecard(tenant=tenant, plans=plans, by="partner", currency=currency, now=now)
    paid, other = mdf_paid(tenant=tenant, partner=partner, since=since, until=until, currency=currency)
    following = quarter.shifted(1)
    return PartnerReview(
        partner=partner,
        quarter=quarter,
        currency=currency,
        results=[ReviewResult(view=view, state=checkpoint_state(view.checkpoint)) for view in views],
        plan_figures=rows[0].figures if rows else None,
        funnel=lead_funnel(tenant=tenant, partner=partner, since=since, until=until),
        sla=sla_standing(tenant=tenant, partner=partner, since=since, until=until, now=now),
        feedback_rate=feedback_rate(tenant=tenant, partner=partner, now=now),
        mdf_paid=paid,
        mdf_other_currency=other,
        pipeline=partner_pipeline(tenant=tenant, partner=partner, since=since, until=until, now=now),
        registrations=registration_counts(tenant=tenant, partner=partner, since=since, until=until),
        next_plans=list(
            Plan.objects.filter(
                tenant=tenant, partner=partner, year=following.year, quarter=following.quarter
            )
            .select_related("play")
            .order_by("name", "id")
        ),
    )


class ReviewRow(NamedTuple):
    section: str
    figure: str
    value: object


def review_rows(review: PartnerReview) -> list[ReviewRow]:
    """The review's figures as (section, figure, value) rows: the CSV, and the tables under charts."""
    rows: list[tuple[str, str, object]] = []
    for result in review.results:
        checkpoint = result.view.checkpoint
        for measure in result.view.rows:
            actual = measure["frozen_actual"] if checkpoint.frozen_at else measure["actual"]
            rows.append(
                (
                    "Results against targets",
                    f"{checkpoint.plan} · day {checkpoint.day} · {measure['label']}",
                    f"{actual} of {measure['target']}" if measure["target"] is not None else actual,
                )
            )
        rows.append(("Results against targets", f"{checkpoint.plan} · day {checkpoint.day}", result.state))
    for label, count in review.funnel:
        rows.append(("Lead quality and progression", label, count))
    rows += [
        ("Lead quality and progression", "Accepted in SLA", review.sla.accepted_in_sla),
        ("Lead quality and progression", "Accepted late", review.sla.accepted_late),
        ("Lead quality and progression", "Breached", review.sla.breached),
        ("Lead quality and progression", "Waiting", review.sla.waiting),
        (
            "Feedback",
            "Feedback rate",
            "" if review.feedback_rate is None else f"{review.feedback_rate:.0%}",
        ),
        ("MDF and ROI", f"MDF paid ({review.currency})", review.mdf_paid),
        ("MDF and ROI", f"Pipeline sourced ({review.currency})", review.pipeline.sourced),
        ("MDF and ROI", f"Pipeline influenced ({review.currency})", review.pipeline.influenced),
        ("MDF and ROI", "Pipeline per unit of MDF", "" if review.roi is None else review.roi),
    ]
    for label, count in review.registrations:
        rows.append(("Deal registrations", label, count))
    for plan in review.next_plans:
        rows.append(("Next quarter's plan", str(plan), plan.get_status_display()))
    return [ReviewRow(*row) for row in rows]
