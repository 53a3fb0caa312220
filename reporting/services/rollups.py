"""Refreshing the dashboards' rollups (docs/reporting.md, "Freshness").

A refresh finds the periods (months and ISO weeks, in the tenant's time zone) that hold a source
row changed since the last refresh, and rewrites exactly those periods' rows, set-based: one
DELETE and one INSERT … SELECT per kind of period, in one transaction, under a lock on the
tenant's `RollupState` so two refreshes never interleave. The first refresh (or `full=True`)
rewrites everything.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AccountMapping, Opportunity, OpportunityStageChange, PlanAccount, Program
from leads.models import DealRegistration, Handoff, HandoffEscalation, Lead
from leads.models.handoffs import Step
from mdf.models import Allocation, Claim, FundRequest, LedgerEntry
from mdf.models.ledger import EntryKind
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.tasking import enqueue_on_commit
from reporting.models import FxRate, Rollup, RollupState
from reporting.selectors.attribution import INFLUENCED, SOURCED, attributed_sql, attribution_params
from reporting.selectors.money import amount_sql, local_date_sql, reporting_currency

logger = logging.getLogger(__name__)

# Rows committed a little after their `updated_at` (a long transaction) are still picked up.
OVERLAP = datetime.timedelta(minutes=5)
UNITS = {"month": "month", "week": "week"}  # PostgreSQL's weeks start on Monday: ISO weeks

T = {
    "lead": Lead._meta.db_table,
    "handoff": Handoff._meta.db_table,
    "escalation": HandoffEscalation._meta.db_table,
    "opportunity": Opportunity._meta.db_table,
    "stage_change": OpportunityStageChange._meta.db_table,
    "program": Program._meta.db_table,
    "entry": LedgerEntry._meta.db_table,
    "claim": Claim._meta.db_table,
    "request": FundRequest._meta.db_table,
    "allocation": Allocation._meta.db_table,
    "rollup": Rollup._meta.db_table,
    "mapping": AccountMapping._meta.db_table,
    "registration": DealRegistration._meta.db_table,
    "plan_account": PlanAccount._meta.db_table,
    "fx_rate": FxRate._meta.db_table,
}


def _pipeline_facts() -> str:
    """Sourced and influenced pipeline by the opportunity's creation, by the attribution rules
    (reporting.selectors.attribution): a partner's rows count what it sourced and what it
    influenced; the all-partner rows count each opportunity once (sourced, else influenced)."""
    return f"""
    SELECT x.* FROM (
        WITH {attributed_sql("{range:o.created_at}")}
        SELECT opp.created_at AS at, a.partner_id, NULL::bigint AS program_id,
               'pipeline_' || a.kind AS metric, opp.amount_reporting AS value, 1 AS n,
               a.kind = '{SOURCED}' AS for_total
        FROM attributed a JOIN opp ON opp.id = a.opportunity_id
        UNION ALL
        SELECT opp.created_at, NULL, NULL, 'pipeline_{INFLUENCED}', opp.amount_reporting, 1, true
        FROM opp
        WHERE EXISTS (SELECT 1 FROM attributed a WHERE a.opportunity_id = opp.id AND a.kind = '{INFLUENCED}')
          AND NOT EXISTS (SELECT 1 FROM attributed a WHERE a.opportunity_id = opp.id AND a.kind = '{SOURCED}')
        UNION ALL
        SELECT opp.created_at, s.partner_id, NULL, 'amounts_without_rate', NULL, 1, true
        FROM opp LEFT JOIN attributed s ON s.opportunity_id = opp.id AND s.kind = '{SOURCED}'
        WHERE opp.amount_reporting IS NULL
          AND EXISTS (SELECT 1 FROM attributed a WHERE a.opportunity_id = opp.id)
    ) x
    """


def _facts() -> str:
    """Every counted fact as (at, partner_id, program_id, metric, value, n, for_total). `for_total`
    false: the row counts for its partner only (its all-partner twin is a separate row). Handoffs
    and breaches count per partner, not per program: a program's figures are its leads'."""
    paid_amount = amount_sql("e.amount", "e.currency", local_date_sql("e.created_at"), "%(currency)s")
    lead_partner = f"""coalesce(p.partner_id, (
        SELECT h.partner_id FROM {T["handoff"]} h WHERE h.lead_id = l.id AND h.tenant_id = %(tenant)s
        ORDER BY h.offered_at DESC, h.id DESC LIMIT 1))"""
    return f"""
    SELECT l.created_at AS at, {lead_partner} AS partner_id, l.program_id, m.metric,
           NULL::numeric AS value, 1 AS n, true AS for_total
    FROM {T["lead"]} l
    LEFT JOIN {T["program"]} p ON p.id = l.program_id AND p.tenant_id = %(tenant)s
    CROSS JOIN LATERAL (VALUES ('leads', true),
        ('leads_mql', l.stage IN ('mql', 'sql', 'opportunity')),
        ('leads_sql', l.stage IN ('sql', 'opportunity')),
        ('leads_opportunity', l.stage = 'opportunity')) AS m(metric, hit)
    WHERE l.tenant_id = %(tenant)s AND m.hit AND {{range:l.created_at}}
    UNION ALL
    SELECT h.offered_at, h.partner_id, NULL, m.metric, NULL, 1, true
    FROM {T["handoff"]} h
    CROSS JOIN LATERAL (VALUES ('handoffs_offered', true),
        ('handoffs_accepted', h.accepted_at IS NOT NULL)) AS m(metric, hit)
    WHERE h.tenant_id = %(tenant)s AND m.hit AND {{range:h.offered_at}}
    UNION ALL  -- fallen silent (accepted, no feedback by its silence instant), when it fell silent
    SELECT h.silent_at, h.partner_id, NULL, 'handoffs_silent', NULL, 1, true
    FROM {T["handoff"]} h
    WHERE h.tenant_id = %(tenant)s AND h.state = 'accepted' AND h.silent_at <= %(now)s
      AND {{range:h.silent_at}}
    UNION ALL
    SELECT e.at, h.partner_id, NULL, 'sla_breaches', NULL, 1, true
    FROM {T["escalation"]} e
    JOIN {T["handoff"]} h ON h.id = e.handoff_id AND h.tenant_id = %(tenant)s
    WHERE e.tenant_id = %(tenant)s AND e.step = '{Step.BREACHED}' AND {{range:e.at}}
    UNION ALL
    {_pipeline_facts()}
    UNION ALL
    SELECT e.created_at, coalesce(c.partner_id, a.partner_id), r.program_id, 'mdf_paid', {paid_amount},
           1, true
    FROM {T["entry"]} e
    LEFT JOIN {T["allocation"]} a ON a.id = e.allocation_id AND a.tenant_id = %(tenant)s
    LEFT JOIN {T["claim"]} c ON e.concerns_type_id = %(claim_type)s AND c.id = e.concerns_id
         AND c.tenant_id = %(tenant)s
    LEFT JOIN {T["request"]} r ON r.id = c.request_id AND r.tenant_id = %(tenant)s
    WHERE e.tenant_id = %(tenant)s AND e.kind = '{EntryKind.PAID}' AND {{range:e.created_at}}
    UNION ALL
    SELECT p.launched_at, p.partner_id, p.id, 'programs_launched', NULL, 1, true
    FROM {T["program"]} p WHERE p.tenant_id = %(tenant)s AND {{range:p.launched_at}}
    UNION ALL
    SELECT p.launched_at, p.partner_id, NULL, 'partners_active', NULL, 1, true
    FROM {T["program"]} p WHERE p.tenant_id = %(tenant)s AND {{range:p.launched_at}}
    UNION ALL
    SELECT h.offered_at, h.partner_id, NULL, 'partners_active', NULL, 1, true
    FROM {T["handoff"]} h WHERE h.tenant_id = %(tenant)s AND {{range:h.offered_at}}
    """


def _ranged(sql: str) -> str:
    """Each fact's own time column bounded (indexable), instead of one filter over the union."""
    return re.sub(r"\{range:([\w.]+)\}", r"(\1 >= %(from)s AND \1 < %(to)s)", sql)


# The all-partner row adds up only `for_total` facts; a partner's or program's row adds up its own.
# Active partners count partners, not facts.
INSERT_SQL = f"""
INSERT INTO {T["rollup"]} (tenant_id, period, starts_on, partner_id, program_id, metric, value, count,
                          refreshed_at)
SELECT %(tenant)s, %(period)s, f.starts_on,
       CASE WHEN GROUPING(f.partner_id) = 0 THEN f.partner_id END,
       CASE WHEN GROUPING(f.program_id) = 0 THEN f.program_id END,
       f.metric,
       CASE WHEN GROUPING(f.partner_id) = 1 THEN coalesce(sum(f.value) FILTER (WHERE f.for_total), 0)
            ELSE coalesce(sum(f.value), 0) END,
       CASE WHEN f.metric = 'partners_active' THEN count(DISTINCT f.partner_id)
            WHEN GROUPING(f.partner_id) = 1 THEN count(*) FILTER (WHERE f.for_total)
            ELSE count(*) END,
       %(now)s
FROM (
    SELECT date_trunc(%(unit)s, x.at AT TIME ZONE %(tz)s)::date AS starts_on, x.*
    FROM ({{facts}}) x
) f
WHERE f.starts_on = ANY(%(periods)s)
GROUP BY GROUPING SETS ((f.metric, f.starts_on), (f.metric, f.starts_on, f.partner_id),
                        (f.metric, f.starts_on, f.partner_id, f.program_id))
HAVING NOT (GROUPING(f.partner_id) = 0 AND f.partner_id IS NULL)
   AND NOT (GROUPING(f.program_id) = 0 AND f.program_id IS NULL)
"""

TOUCHED_SQL = f"""
SELECT DISTINCT date_trunc('month', t.at AT TIME ZONE %(tz)s)::date,
                date_trunc('week', t.at AT TIME ZONE %(tz)s)::date
FROM (
    SELECT l.created_at AS at FROM {T["lead"]} l WHERE l.tenant_id = %(tenant)s AND l.updated_at >= %(since)s
    UNION ALL
    SELECT h.offered_at FROM {T["handoff"]} h WHERE h.tenant_id = %(tenant)s AND h.updated_at >= %(since)s
    UNION ALL
    SELECT h.silent_at FROM {T["handoff"]} h
    WHERE h.tenant_id = %(tenant)s AND h.updated_at >= %(since)s AND h.silent_at IS NOT NULL
    UNION ALL  -- the partner of a lead follows its latest handoff
    SELECT l.created_at FROM {T["handoff"]} h
    JOIN {T["lead"]} l ON l.id = h.lead_id AND l.tenant_id = %(tenant)s
    WHERE h.tenant_id = %(tenant)s AND h.updated_at >= %(since)s
    UNION ALL
    SELECT e.at FROM {T["escalation"]} e WHERE e.tenant_id = %(tenant)s AND e.created_at >= %(since)s
    UNION ALL
    SELECT o.created_at FROM {T["opportunity"]} o WHERE o.tenant_id = %(tenant)s AND o.updated_at >= %(since)s
    UNION ALL
    SELECT o.created_at FROM {T["stage_change"]} s
    JOIN {T["opportunity"]} o ON o.id = s.opportunity_id AND o.tenant_id = %(tenant)s
    WHERE s.tenant_id = %(tenant)s AND s.changed_at >= %(since)s
    UNION ALL
    SELECT e.created_at FROM {T["entry"]} e
    WHERE e.tenant_id = %(tenant)s AND e.kind = '{EntryKind.PAID}' AND e.created_at >= %(since)s
    UNION ALL
    SELECT p.launched_at FROM {T["program"]} p WHERE p.tenant_id = %(tenant)s AND p.launched_at >= %(since)s
    UNION ALL  -- what attribution reads: the opportunities on the accounts it concerns
    SELECT o.created_at FROM {T["mapping"]} m
    JOIN {T["opportunity"]} o ON o.account_id = m.account_id AND o.tenant_id = %(tenant)s
    WHERE m.tenant_id = %(tenant)s AND m.updated_at >= %(since)s
    UNION ALL
    SELECT o.created_at FROM {T["registration"]} r
    JOIN {T["opportunity"]} o ON o.id = r.opportunity_id AND o.tenant_id = %(tenant)s
    WHERE r.tenant_id = %(tenant)s AND r.updated_at >= %(since)s
    UNION ALL
    SELECT o.created_at FROM {T["handoff"]} h
    JOIN {T["lead"]} l ON l.id = h.lead_id AND l.tenant_id = %(tenant)s
    JOIN {T["opportunity"]} o ON o.account_id = l.account_id AND o.tenant_id = %(tenant)s
    WHERE h.tenant_id = %(tenant)s AND (h.updated_at >= %(since)s OR l.updated_at >= %(since)s)
    UNION ALL
    SELECT o.created_at FROM {T["program"]} p
    JOIN {T["plan_account"]} pa ON pa.plan_id = p.plan_id AND pa.tenant_id = %(tenant)s
    JOIN {T["opportunity"]} o ON o.account_id = pa.account_id AND o.tenant_id = %(tenant)s
    WHERE p.tenant_id = %(tenant)s AND p.launched_at >= %(since)s
    UNION ALL  -- an FX rate loaded or corrected: the amounts of its currency from its day on
    SELECT o.created_at FROM {T["fx_rate"]} r
    JOIN {T["opportunity"]} o ON o.currency = r.currency AND o.tenant_id = %(tenant)s
         AND o.created_at >= r.rate_date
    WHERE r.tenant_id = %(tenant)s AND r.updated_at >= %(since)s
    UNION ALL
    SELECT e.created_at FROM {T["fx_rate"]} r
    JOIN {T["entry"]} e ON e.currency = r.currency AND e.tenant_id = %(tenant)s
         AND e.kind = '{EntryKind.PAID}' AND e.created_at >= r.rate_date
    WHERE r.tenant_id = %(tenant)s AND r.updated_at >= %(since)s
) t
"""


@dataclass(frozen=True)
class RefreshResult:
    months: int
    weeks: int
    rows: int
    seconds: float


def _local_midnight(tenant: Tenant, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=tenant.zone)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _period_end(period: str, starts_on: datetime.date) -> datetime.date:
    return _next_month(starts_on) if period == "month" else starts_on + datetime.timedelta(days=7)


def _rewrite(cursor, tenant: Tenant, params: dict, period: str, starts: set[datetime.date]) -> int:
    if not starts:
        return 0
    days = sorted(starts)
    span = dict(
        params,
        period=period,
        unit=UNITS[period],
        periods=days,
        **{
            "from": _local_midnight(tenant, days[0]),
            "to": _local_midnight(tenant, _period_end(period, days[-1])),
        },
    )
    cursor.execute(
        f"DELETE FROM {T['rollup']} WHERE tenant_id = %(tenant)s AND period = %(period)s"
        " AND starts_on = ANY(%(periods)s)",
        span,
    )
    cursor.execute(INSERT_SQL.replace("{facts}", _ranged(_facts())), span)
    return cursor.rowcount


def rollups_refresh(
    tenant: Tenant,
    *,
    since: datetime.datetime | None = None,
    full: bool = False,
    now: datetime.datetime | None = None,
) -> RefreshResult:
    """Rewrite the rollups of every period with a source row changed since `since` (default: the
    last refresh, less a small overlap); everything on the first run or with `full`. Idempotent:
    running it twice gives the same rows."""
    started = time.monotonic()
    now = now or timezone.now()
    with tenant_context(tenant), transaction.atomic():
        RollupState.objects.get_or_create(tenant=tenant)
        state = RollupState.objects.select_for_update().get(tenant=tenant)
        if since is None and state.watermark is not None and not full:
            since = state.watermark - OVERLAP
        params = {
            "tenant": tenant.id,
            "tz": tenant.timezone,
            "zone": tenant.timezone,
            "currency": reporting_currency(tenant),
            **attribution_params(tenant),
            "claim_type": ContentType.objects.get_for_model(Claim).id,
            "now": now,
        }
        with connection.cursor() as cursor:
            if since is None:
                cursor.execute(f"DELETE FROM {T['rollup']} WHERE tenant_id = %s", [tenant.id])
            cursor.execute(
                TOUCHED_SQL, dict(params, since=since or datetime.datetime.min.replace(tzinfo=datetime.UTC))
            )
            touched = cursor.fetchall()
            months = {month for month, _ in touched}
            weeks = {week for _, week in touched}
            rows = _rewrite(cursor, tenant, params, "month", months) + _rewrite(
                cursor, tenant, params, "week", weeks
            )
        state.refreshed_at, state.watermark = now, now
        if state.requested_at is not None and state.requested_at <= now:
            state.requested_at = None
        state.duration_ms = int((time.monotonic() - started) * 1000)
        state.periods_refreshed = len(months) + len(weeks)
        state.save(
            update_fields=["refreshed_at", "watermark", "requested_at", "duration_ms", "periods_refreshed"]
        )
    return RefreshResult(months=len(months), weeks=len(weeks), rows=rows, seconds=time.monotonic() - started)


def rollups_refresh_all(*, full: bool = False) -> int:
    """The scheduled run: every tenant's rollups brought up to date (each in its own transaction;
    one tenant's failure does not hold up the others). Also honours pending "Refresh now" clicks.
    `full` (the nightly run) rewrites every period: what a changed row cannot show, a deleted one
    or a deleted FX rate, drops out of the figures by the next morning."""
    done = 0
    for tenant in Tenant.objects.order_by("id"):
        try:
            rollups_refresh(tenant, full=full)
            done += 1
        except Exception:
            logger.exception("Rollups of tenant %s failed; retried on the next run.", tenant.id)
    return done


@transaction.atomic
def rollups_refresh_request(*, tenant: Tenant, actor) -> RollupState:
    """A staff member's "Refresh now": recorded first (so the next scheduled run honours it if the
    broker is down), then sent to a worker once the transaction commits."""
    RollupState.objects.get_or_create(tenant=tenant)
    state = RollupState.objects.select_for_update().get(tenant=tenant)
    state.requested_at = timezone.now()
    state.save(update_fields=["requested_at"])
    audit(tenant=tenant, actor=actor, action="reporting.rollups.refresh_requested", target=state)
    enqueue_on_commit("reporting.refresh_tenant_rollups", tenant_id=tenant.id)
    return state
