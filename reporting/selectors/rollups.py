"""Reading the dashboards' rollups: a few series in one indexed query, and how fresh they are."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from partnerhub.tenancy.models import Partner, Tenant
from reporting.models import Period, Rollup, RollupState

# Every metric the rollups count (reporting.services.rollups; docs/reporting.md, "Freshness").
METRICS = {
    "leads": "Leads created",
    "leads_mql": "Leads created that reached MQL or beyond",
    "leads_sql": "Leads created that reached SQL or beyond",
    "leads_opportunity": "Leads created that became an opportunity",
    "handoffs_offered": "Handoffs offered",
    "handoffs_accepted": "Handoffs offered that were accepted",
    "handoffs_silent": "Handoffs offered that went silent",
    "sla_breaches": "SLA deadlines breached",
    "pipeline_sourced": "Partner-sourced pipeline created",
    "pipeline_influenced": "Partner-influenced pipeline created",
    "amounts_without_rate": "Opportunities left out: no FX rate",
    "mdf_paid": "MDF paid",
    "programs_launched": "Programs launched",
    "partners_active": "Partners active (launched a program or handed a lead)",
}


@dataclass(frozen=True)
class Figure:
    value: Decimal = Decimal("0.00")
    count: int = 0


ZERO = Figure()


@dataclass(frozen=True)
class Freshness:
    refreshed_at: datetime.datetime | None
    requested_at: datetime.datetime | None
    minutes_ago: int | None


def period_starts(
    tenant: Tenant, period: str, count: int, today: datetime.date | None = None
) -> list[datetime.date]:
    """The last `count` months (first days) or ISO weeks (Mondays), oldest first, up to today's."""
    today = today or tenant.local_date()
    if period == Period.WEEK:
        monday = today - datetime.timedelta(days=today.weekday())
        return [monday - datetime.timedelta(weeks=n) for n in range(count - 1, -1, -1)]
    starts, year, month = [], today.year, today.month
    for _ in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def rollup_series(
    *,
    tenant: Tenant,
    metrics: list[str],
    period: str,
    starts: list[datetime.date],
    partner: Partner | int | None = None,
) -> dict[str, dict[datetime.date, Figure]]:
    """{metric: {period start: Figure}} for every start asked (zero where nothing happened), for all
    partners or one. One query."""
    rows = Rollup.objects.filter(
        tenant=tenant, period=period, metric__in=metrics, starts_on__in=starts, program__isnull=True
    )
    rows = rows.filter(partner=partner) if partner is not None else rows.filter(partner__isnull=True)
    found: dict[str, dict] = defaultdict(dict)
    for metric, starts_on, value, count in rows.values_list("metric", "starts_on", "value", "count"):
        found[metric][starts_on] = Figure(value=value, count=count)
    return {metric: {day: found[metric].get(day, ZERO) for day in starts} for metric in metrics}


def rollup_breakdown(
    *, tenant: Tenant, metrics: list[str], period: str, starts: list[datetime.date], by: str
) -> dict[tuple[int, str], Figure]:
    """Totals over `starts` per partner (`by="partner"`) or per program: {(id, metric): Figure}."""
    rows = Rollup.objects.filter(tenant=tenant, period=period, metric__in=metrics, starts_on__in=starts)
    if by == "partner":
        rows = rows.filter(partner__isnull=False, program__isnull=True)
    else:
        rows = rows.filter(program__isnull=False)
    key = "partner_id" if by == "partner" else "program_id"
    totals = rows.values(key, "metric").annotate(value=Sum("value"), count=Sum("count"))
    return {(row[key], row["metric"]): Figure(value=row["value"], count=row["count"]) for row in totals}


def rollup_total(*, tenant: Tenant, metric: str, period: str, partner: Partner | None = None) -> int:
    """A metric's count over every period (one indexed sum), for all partners or one."""
    rows = Rollup.objects.filter(tenant=tenant, period=period, metric=metric, program__isnull=True)
    rows = rows.filter(partner=partner) if partner is not None else rows.filter(partner__isnull=True)
    return rows.aggregate(total=Sum("count"))["total"] or 0


def rollups_freshness(tenant: Tenant, *, now: datetime.datetime | None = None) -> Freshness:
    state = RollupState.objects.filter(tenant=tenant).first()
    if state is None or state.refreshed_at is None:
        return Freshness(None, state.requested_at if state else None, None)
    minutes = int(((now or timezone.now()) - state.refreshed_at).total_seconds() // 60)
    return Freshness(state.refreshed_at, state.requested_at, max(minutes, 0))
