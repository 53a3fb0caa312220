"""The method's own views (docs/reporting.md, "Method views"), for one year in the tenant's time zone:
which play works in which segment, the year as four quarters, and the scalability metrics. Each
figure is read from fields that exist; where the data model has no field for a metric the page says
so instead of inventing one. A constant number of queries whatever the data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractQuarter, Lower

from accounts.models import Checkpoint, Opportunity, OpportunityStage, Plan, PlanAccount, Program
from leads.models import Lead, Touch
from mdf.models import FundRequest, RequestState
from mdf.selectors.paid import mdf_paid_by_currency
from partnerhub.tenancy.models import Partner, Tenant
from reporting.selectors.money import reporting_amount

ZERO = Decimal("0.00")
QUARTERS = ["Q1", "Q2", "Q3", "Q4"]
LAUNCH_TARGET_DAYS = 14


def year_bounds(tenant: Tenant, year: int) -> tuple[datetime.datetime, datetime.datetime]:
    zone = tenant.zone
    start = datetime.datetime(year, 1, 1, tzinfo=zone)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=zone)


def _ratio(part, whole) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"), ROUND_HALF_UP) if whole else None


def _segment(kind: str, value: str) -> str:
    return Plan(market_kind=kind, market_value=value).market_label or "No market"


@dataclass
class Matrix:
    rows: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    # (play, segment) -> figures of the cell
    cells: dict = field(default_factory=dict)

    def chart_cells(self, key: str) -> dict:
        return {where: cell.get(key) for where, cell in self.cells.items()}

    def table(self) -> list[tuple[str, list[dict | None]]]:
        return [(row, [self.cells.get((row, column)) for column in self.columns]) for row in self.rows]


def play_segment_matrix(*, tenant: Tenant, year: int, currency: str) -> Matrix:
    """Plays by segments (the plan's market) of the programs launched in the year: programs, frozen
    checkpoints met of those with a result, and pipeline per program (opportunities opened on the
    named accounts since launch, not lost, in `currency`). Two queries."""
    start, end = year_bounds(tenant, year)
    launched = Q(plan__launched_at__gte=start, plan__launched_at__lt=end)
    outcomes = (
        Checkpoint.objects.filter(launched, tenant=tenant, frozen_at__isnull=False)
        .values("plan__play__name", "plan__market_kind", "plan__market_value")
        .annotate(
            programs=Count("plan", distinct=True),
            met=Count("id", filter=Q(snapshot__met=True)),
            missed=Count("id", filter=Q(snapshot__met=False)),
        )
        .order_by()
    )
    opened = Q(account__opportunities__created_at__gte=F("plan__launched_at")) & ~Q(
        account__opportunities__stage=OpportunityStage.CLOSED_LOST
    )
    converted = reporting_amount(
        tenant,
        amount="account__opportunities__amount",
        currency="account__opportunities__currency",
        on="account__opportunities__created_at",
    )
    pipeline = (
        PlanAccount.objects.filter(launched, tenant=tenant)
        .values("plan__play__name", "plan__market_kind", "plan__market_value")
        .annotate(
            programs=Count("plan", distinct=True),
            pipeline=Sum(converted, filter=opened),
        )
        .order_by()
    )
    matrix = Matrix()
    for row in pipeline:
        where = (
            row["plan__play__name"] or "No play",
            _segment(row["plan__market_kind"], row["plan__market_value"]),
        )
        cell = matrix.cells.setdefault(where, {"programs": 0, "met": 0, "missed": 0, "pipeline": ZERO})
        cell["programs"] += row["programs"]
        cell["pipeline"] += row["pipeline"] or ZERO
    for row in outcomes:
        where = (
            row["plan__play__name"] or "No play",
            _segment(row["plan__market_kind"], row["plan__market_value"]),
        )
        cell = matrix.cells.setdefault(
            where, {"programs": row["programs"], "met": 0, "missed": 0, "pipeline": ZERO}
        )
        cell["met"] += row["met"]
        cell["missed"] += row["missed"]
    for cell in matrix.cells.values():
        cell["met_rate"] = _ratio(cell["met"], cell["met"] + cell["missed"])
        cell["pipeline_per_program"] = (
            (cell["pipeline"] / cell["programs"]).quantize(Decimal("0.01")) if cell["programs"] else None
        )
    matrix.rows = sorted({play for play, _ in matrix.cells})
    matrix.columns = sorted({segment for _, segment in matrix.cells})
    return matrix


def _first_touch(lead_ref: str):
    return Subquery(
        Touch.objects.filter(lead_id=OuterRef(lead_ref)).order_by("occurred_at").values("occurred_at")[:1]
    )


@dataclass
class YearInQuarters:
    leads: list[int]  # leads whose first touch fell in each quarter
    # (first-touch quarter, quarter the opportunity was opened) -> opportunities
    carry: dict
    pipeline: list[Decimal]  # pipeline of the opportunities, by their account's first-touch quarter


def year_in_quarters(*, tenant: Tenant, year: int, currency: str) -> YearInQuarters:
    """Leads by the quarter of their first touch, and the opportunities on their accounts by the
    quarter of the account's first touch (its leads' earliest) and the quarter they were opened.
    Two queries."""
    start, end = year_bounds(tenant, year)
    zone = tenant.zone
    leads = (
        Lead.objects.filter(tenant=tenant)
        .annotate(first=_first_touch("pk"))
        .filter(first__gte=start, first__lt=end)
        .annotate(quarter=ExtractQuarter("first", tzinfo=zone))
        .values("quarter")
        .annotate(n=Count("id"))
        .order_by()
    )
    account_first = Subquery(
        Touch.objects.filter(lead__account_id=OuterRef("account_id"))
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    opportunities = (
        Opportunity.objects.filter(tenant=tenant, created_at__gte=start, created_at__lt=end)
        .annotate(first=account_first)
        .filter(first__gte=start, first__lt=end)
        .annotate(
            touched=ExtractQuarter("first", tzinfo=zone), opened=ExtractQuarter("created_at", tzinfo=zone)
        )
        .values("touched", "opened")
        .annotate(n=Count("id"), pipeline=Sum(reporting_amount(tenant)))
        .order_by()
    )
    result = YearInQuarters(leads=[0, 0, 0, 0], carry={}, pipeline=[ZERO] * 4)
    for row in leads:
        result.leads[row["quarter"] - 1] = row["n"]
    for row in opportunities:
        result.carry[(QUARTERS[row["touched"] - 1], QUARTERS[row["opened"] - 1])] = row["n"]
        result.pipeline[row["touched"] - 1] += row["pipeline"] or ZERO
    return result


@dataclass
class Metric:
    label: str
    value: str | Decimal | int | None
    kind: str  # "days", "ratio", "money", "count", "missing"
    target: str = ""
    met: bool | None = None
    how: str = ""


def scalability(*, tenant: Tenant, year: int, currency: str) -> list[Metric]:
    """The program-level metrics of the method, for programs launched in the year. Six queries."""
    start, end = year_bounds(tenant, year)
    in_year = Q(launched_at__gte=start, launched_at__lt=end)
    first_program = Subquery(
        Program.objects.filter(partner_id=OuterRef("pk")).order_by("launched_at").values("launched_at")[:1]
    )
    wait = ExpressionWrapper(F("first") - F("created_at"), output_field=DurationField())
    partners = (
        Partner.objects.filter(tenant=tenant)
        .annotate(first=first_program)
        .aggregate(
            partners=Count("id"),
            launched=Count("id", filter=Q(first__gte=start, first__lt=end)),
            fast=Count(
                "id",
                filter=Q(first__gte=start, first__lt=end)
                & Q(first__lte=F("created_at") + datetime.timedelta(days=LAUNCH_TARGET_DAYS)),
            ),
            average=Avg(wait, filter=Q(first__gte=start, first__lt=end)),
            active=Count(
                "id", filter=Q(programs__launched_at__gte=start, programs__launched_at__lt=end), distinct=True
            ),
            long_tail=Count("id", filter=Q(tier=Partner.Tier.ONE_TO_MANY), distinct=True),
        )
    )
    programs = Program.objects.filter(in_year, tenant=tenant).aggregate(
        programs=Count("id"),
        reused=Count("id", filter=Q(package__partner__isnull=True)),
        conventional=Count("id", filter=Q(utm_medium="partner", utm_campaign=Lower("tracking_code"))),
    )
    catalog = FundRequest.objects.filter(
        tenant=tenant,
        kind=FundRequest.Kind.CATALOG,
        partner__tier=Partner.Tier.ONE_TO_MANY,
        created_at__gte=start,
        created_at__lt=end,
    ).exclude(state__in=[RequestState.DRAFT, RequestState.CANCELLED])
    self_serve = catalog.aggregate(requests=Count("id"), partners=Count("partner", distinct=True))
    program_year = Q(request__plan__launched_at__gte=start, request__plan__launched_at__lt=end) | Q(
        request__program__launched_at__gte=start, request__program__launched_at__lt=end
    )
    paid = mdf_paid_by_currency(
        tenant=tenant,
        claims=program_year,
        tranches=Q(plan__launched_at__gte=start, plan__launched_at__lt=end),
    )
    average = partners["average"]
    n_programs = programs["programs"]
    reuse = _ratio(programs["reused"], n_programs)
    activation = _ratio(partners["active"], partners["partners"])
    comparability = _ratio(programs["conventional"], n_programs)
    spent = paid.get(currency, (ZERO, 0))[0]
    return [
        Metric(
            "Time to launch (partner added → first program live)",
            Decimal(average.total_seconds() / 86400).quantize(Decimal("0.1")) if average else None,
            "days",
            target=f"under {LAUNCH_TARGET_DAYS} days",
            met=(average.days < LAUNCH_TARGET_DAYS) if average else None,
            how=f"{partners['fast']} of {partners['launched']} partners whose first program went live this "
            f"year did so within {LAUNCH_TARGET_DAYS} days of being added to PartnerHub (the "
            "partner's creation date: PartnerHub keeps no separate signing date).",
        ),
        Metric(
            "Reuse rate",
            reuse,
            "ratio",
            target="over 70 %",
            met=(reuse > Decimal("0.7")) if reuse is not None else None,
            how=f"{programs['reused']} of {n_programs} programs launched on the master package or a vertical "
            "version, the others on a partner's own version.",
        ),
        Metric(
            "Partner activation rate",
            activation,
            "ratio",
            target="over 50 %",
            met=(activation > Decimal("0.5")) if activation is not None else None,
            how=f"{partners['active']} of {partners['partners']} partners launched a program this year.",
        ),
        Metric(
            "Self-serve adoption",
            self_serve["requests"],
            "count",
            how=f"Catalog requests sent by one-to-many partners this year, from {self_serve['partners']} of "
            f"{partners['long_tail']} long-tail partners.",
        ),
        Metric(
            "Cost per partner program",
            (spent / n_programs).quantize(Decimal("0.01")) if n_programs else None,
            "money",
            how=f"MDF paid ({spent} {currency}: claims and tranches) for the {n_programs} programs launched "
            f"this year; amounts in other currencies are left out.",
        ),
        Metric(
            "Cross-partner comparability",
            comparability,
            "ratio",
            target="100 %",
            met=(comparability == 1) if comparability is not None else None,
            how=f"{programs['conventional']} of {n_programs} programs tracked on the shared convention (UTM "
            "medium “partner”, campaign = the program's tracking code).",
        ),
    ]


NOT_MEASURED = [
    (
        "Return on partner investment",
        "PartnerHub records no gross margin on partner revenue, so it cannot be computed here.",
    ),
    (
        "Partner satisfaction",
        "PartnerHub records no satisfaction survey, so it is not shown.",
    ),
]
