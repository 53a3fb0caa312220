"""Sourced and influenced pipeline, by rule (docs/reporting.md, "Attribution"). Nobody sets it by
hand: each opportunity's partners are read from what happened, and every figure can show the rule
that put each opportunity in it.

**Sourced** (one partner at most; the first rule that holds):
- `deal_registration`: an approved deal registration (or one approved, since expired) links the
  opportunity;
- `converted_lead`: a lead on the opportunity's account, accepted by the partner on a handoff it
  still held, converted (moved to the Opportunity stage) at most `window` days before the
  opportunity was created, and not after; the latest such conversion wins.

**Influenced** (any number of partners, each not its source): while the opportunity was open (from
its creation until it closed, or now),
- `account_mapping`: the partner maps the account (mapped before it closed);
- `program`: the partner ran a program whose plan names the account (its 90 measured days overlap);
- `handoff`: the partner held an accepted handoff of a lead on the account.

Totals count each opportunity once: sourced if it has a source partner, else influenced if a partner
influenced it. A partner's own figures count the opportunities it sourced and those it influenced.
Amounts are in the reporting currency at the FX rate of the opportunity's creation day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from accounts.models import (
    AccountMapping,
    Opportunity,
    OpportunityStage,
    PlanAccount,
    Program,
    TargetAccount,
)
from leads.models import DealRegistration, Handoff, Lead, LeadStage
from partnerhub.tenancy.models import Partner, Tenant
from reporting.selectors.money import amount_sql, local_date_sql, reporting_currency
from reporting.selectors.settings import reporting_settings

PROGRAM_RUNS_DAYS = 90  # a program influences for the days its checkpoints measure
SOURCED, INFLUENCED = "sourced", "influenced"
RULES = {
    "deal_registration": "Approved deal registration",
    "converted_lead": "Partner-handed lead converted before the opportunity",
    "account_mapping": "Partner maps the account",
    "program": "Partner ran a program naming the account",
    "handoff": "Partner held an accepted handoff on the account",
}


@dataclass(frozen=True)
class Period:
    """Opportunities created from `since` (inclusive) to `until` (exclusive); None: unbounded."""

    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


def _tables() -> dict:
    models = {
        "opportunity": Opportunity,
        "account": TargetAccount,
        "registration": DealRegistration,
        "lead": Lead,
        "handoff": Handoff,
        "mapping": AccountMapping,
        "plan_account": PlanAccount,
        "program": Program,
        "partner": Partner,
    }
    return {name: model._meta.db_table for name, model in models.items()}


OPPORTUNITIES_IN_PERIOD = """(%(since)s::timestamptz IS NULL OR o.created_at >= %(since)s)
      AND (%(until)s::timestamptz IS NULL OR o.created_at < %(until)s)"""


def attributed_sql(opportunities: str = OPPORTUNITIES_IN_PERIOD) -> str:
    """CTEs `opp` (the opportunities `opportunities` selects, a condition on `o`, with their amount
    in the reporting currency) ending in `attributed` (opportunity_id, partner_id, kind, rules).
    The statement binds `attribution_params()` and `%(tenant)s`, `%(zone)s`, `%(currency)s`,
    `%(now)s`."""
    t = _tables()
    closed = ", ".join(f"'{stage}'" for stage in (OpportunityStage.CLOSED_WON, OpportunityStage.CLOSED_LOST))
    registered = ", ".join(
        f"'{state}'" for state in (DealRegistration.State.APPROVED, DealRegistration.State.EXPIRED)
    )
    amount = amount_sql("o.amount", "o.currency", local_date_sql("o.created_at"), "%(currency)s")
    return f"""
opp AS (
    SELECT o.id, o.account_id, o.created_at, {amount} AS amount_reporting,
           CASE WHEN o.stage IN ({closed}) THEN o.stage_changed_at ELSE %(now)s END AS open_until
    FROM {t["opportunity"]} o
    WHERE o.tenant_id = %(tenant)s AND {opportunities}
),
by_registration AS (
    SELECT DISTINCT ON (opp.id) opp.id AS opportunity_id, r.partner_id
    FROM opp JOIN {t["registration"]} r ON r.opportunity_id = opp.id AND r.tenant_id = %(tenant)s
    WHERE r.state IN ({registered})
    ORDER BY opp.id, r.decided_at DESC NULLS LAST, r.id DESC
),
by_lead AS (
    SELECT DISTINCT ON (opp.id) opp.id AS opportunity_id, h.partner_id
    FROM opp JOIN {t["lead"]} l ON l.account_id = opp.account_id AND l.tenant_id = %(tenant)s
    JOIN {t["handoff"]} h ON h.lead_id = l.id AND h.tenant_id = %(tenant)s
    WHERE l.stage = '{LeadStage.OPPORTUNITY}'
      AND l.stage_changed_at <= opp.created_at
      AND l.stage_changed_at >= opp.created_at - %(window)s
      AND h.accepted_at IS NOT NULL AND h.accepted_at <= l.stage_changed_at
      AND (h.closed_at IS NULL OR h.closed_at >= l.stage_changed_at)
    ORDER BY opp.id, l.stage_changed_at DESC, h.id DESC
),
source AS (
    SELECT opp.id AS opportunity_id, coalesce(r.partner_id, bl.partner_id) AS partner_id,
           CASE WHEN r.partner_id IS NOT NULL THEN 'deal_registration' ELSE 'converted_lead' END AS rule
    FROM opp LEFT JOIN by_registration r ON r.opportunity_id = opp.id
    LEFT JOIN by_lead bl ON bl.opportunity_id = opp.id
    WHERE r.partner_id IS NOT NULL OR bl.partner_id IS NOT NULL
),
involved AS (
    SELECT opp.id AS opportunity_id, m.partner_id, 'account_mapping' AS rule
    FROM opp JOIN {t["mapping"]} m ON m.account_id = opp.account_id AND m.tenant_id = %(tenant)s
    WHERE m.created_at <= opp.open_until
    UNION
    SELECT opp.id, p.partner_id, 'program'
    FROM opp JOIN {t["plan_account"]} pa ON pa.account_id = opp.account_id AND pa.tenant_id = %(tenant)s
    JOIN {t["program"]} p ON p.plan_id = pa.plan_id AND p.tenant_id = %(tenant)s
    WHERE p.launched_at <= opp.open_until AND p.launched_at + %(program_runs)s >= opp.created_at
    UNION
    SELECT opp.id, h.partner_id, 'handoff'
    FROM opp JOIN {t["lead"]} l ON l.account_id = opp.account_id AND l.tenant_id = %(tenant)s
    JOIN {t["handoff"]} h ON h.lead_id = l.id AND h.tenant_id = %(tenant)s
    WHERE h.accepted_at IS NOT NULL AND h.accepted_at <= opp.open_until
      AND (h.closed_at IS NULL OR h.closed_at >= opp.created_at)
),
attributed AS (
    SELECT s.opportunity_id, s.partner_id, '{SOURCED}' AS kind, ARRAY[s.rule] AS rules FROM source s
    UNION ALL
    SELECT i.opportunity_id, i.partner_id, '{INFLUENCED}',
           array_agg(DISTINCT i.rule ORDER BY i.rule)
    FROM involved i
    LEFT JOIN source s ON s.opportunity_id = i.opportunity_id AND s.partner_id = i.partner_id
    WHERE s.opportunity_id IS NULL
    GROUP BY i.opportunity_id, i.partner_id
)"""


def sourced_window_days(tenant: Tenant) -> int:
    """How long before an opportunity a partner-handed lead's conversion still sources it (the
    tenant's reporting settings)."""
    return reporting_settings(tenant=tenant).sourced_window_days


def attribution_params(tenant: Tenant, *, window_days: int | None = None) -> dict:
    """The rules' own parameters of `attributed_sql()`: the sourced window and a program's run."""
    days = window_days if window_days is not None else sourced_window_days(tenant)
    return {
        "window": datetime.timedelta(days=days),
        "program_runs": datetime.timedelta(days=PROGRAM_RUNS_DAYS),
    }


def _params(tenant: Tenant, period: Period, *, partner_id=None, now=None, window_days=None) -> dict:
    return {
        "tenant": tenant.id,
        "zone": tenant.timezone,
        "currency": reporting_currency(tenant),
        "now": now or timezone.now(),
        "since": period.since,
        "until": period.until,
        "partner": partner_id,
        **attribution_params(tenant, window_days=window_days),
    }


# The drill-down's filters, on `attributed a`: one partner, one pipeline, one rule (NULL: any).
PICKED = """(%(partner)s::bigint IS NULL OR a.partner_id = %(partner)s)
  AND (%(kind)s::text IS NULL OR a.kind = %(kind)s)
  AND (%(rule)s::text IS NULL OR %(rule)s = ANY(a.rules))"""


@dataclass(frozen=True)
class Attribution:
    """One opportunity in one partner's sourced or influenced pipeline, and the rules that put it there."""

    opportunity_id: int
    opportunity_name: str
    account_id: int
    account_name: str
    stage: str
    created_at: datetime.datetime
    amount: Decimal
    currency: str
    amount_reporting: Decimal | None
    partner_id: int
    partner_name: str
    kind: str
    rules: list[str]

    @property
    def stage_label(self) -> str:
        return OpportunityStage(self.stage).label

    @property
    def rule_labels(self) -> list[str]:
        return [RULES[rule] for rule in self.rules]


def attributions(
    tenant: Tenant,
    period: Period = Period(),
    *,
    partner_id: int | None = None,
    kind: str | None = None,
    rule: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    now=None,
    window_days: int | None = None,
) -> list[Attribution]:
    """The drill-down: every (opportunity, partner) attributed, newest opportunity first."""
    t = _tables()
    params = _params(tenant, period, partner_id=partner_id, now=now, window_days=window_days)
    params.update(kind=kind, rule=rule, limit=limit, offset=offset)
    sql = f"""
WITH {attributed_sql()}
SELECT o.id, o.name, acc.id, acc.name, o.stage, o.created_at, o.amount, o.currency, opp.amount_reporting,
       p.id, p.name, a.kind, a.rules
FROM attributed a
JOIN opp ON opp.id = a.opportunity_id
JOIN {t["opportunity"]} o ON o.id = a.opportunity_id AND o.tenant_id = %(tenant)s
JOIN {t["account"]} acc ON acc.id = o.account_id AND acc.tenant_id = %(tenant)s
JOIN {t["partner"]} p ON p.id = a.partner_id AND p.tenant_id = %(tenant)s
WHERE {PICKED}
ORDER BY o.created_at DESC, o.id DESC, a.kind DESC, p.name, p.id
LIMIT %(limit)s OFFSET %(offset)s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Attribution(*row) for row in cursor.fetchall()]


def attribution_count(
    tenant: Tenant,
    period: Period = Period(),
    *,
    partner_id=None,
    kind=None,
    rule=None,
    now=None,
    window_days=None,
) -> int:
    params = _params(tenant, period, partner_id=partner_id, now=now, window_days=window_days)
    params.update(kind=kind, rule=rule)
    sql = f"""
WITH {attributed_sql()}
SELECT count(*) FROM attributed a
WHERE {PICKED}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class PipelineSplit:
    """Pipeline created in a period, in the reporting currency: each opportunity counted once
    (a partner's: those it sourced, those it influenced). `without_rate`: opportunities left out of
    the amounts for want of an FX rate on their day."""

    currency: str
    sourced: Decimal
    sourced_count: int
    influenced: Decimal
    influenced_count: int
    total: Decimal
    total_count: int
    without_rate: int


def _split_sql(group_month: bool) -> str:
    month = "date_trunc('month', opp.created_at AT TIME ZONE %(zone)s)::date" if group_month else "NULL::date"
    return f"""
WITH {attributed_sql()},
classified AS (
    SELECT opp.id, opp.created_at, opp.amount_reporting,
           CASE WHEN bool_or(a.kind = '{SOURCED}') THEN '{SOURCED}'
                WHEN bool_or(a.kind = '{INFLUENCED}') THEN '{INFLUENCED}' END AS kind
    FROM opp LEFT JOIN attributed a ON a.opportunity_id = opp.id
        AND (%(partner)s::bigint IS NULL OR a.partner_id = %(partner)s)
    GROUP BY opp.id, opp.created_at, opp.amount_reporting
)
SELECT {month} AS month,
       coalesce(sum(amount_reporting) FILTER (WHERE kind = '{SOURCED}'), 0),
       count(*) FILTER (WHERE kind = '{SOURCED}'),
       coalesce(sum(amount_reporting) FILTER (WHERE kind = '{INFLUENCED}'), 0),
       count(*) FILTER (WHERE kind = '{INFLUENCED}'),
       coalesce(sum(amount_reporting), 0), count(*),
       count(*) FILTER (WHERE amount_reporting IS NULL)
FROM classified opp
WHERE %(partner)s::bigint IS NULL OR kind IS NOT NULL
GROUP BY 1 ORDER BY 1"""


def pipeline_split(
    tenant: Tenant, period: Period = Period(), *, partner_id=None, now=None, window_days=None
) -> PipelineSplit:
    """Sourced, influenced and all pipeline created in `period` (for one partner: what it sourced or
    influenced, and the total of both)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _split_sql(False),
            _params(tenant, period, partner_id=partner_id, now=now, window_days=window_days),
        )
        row = cursor.fetchone()
    currency = reporting_currency(tenant)
    if row is None:
        return PipelineSplit(currency, Decimal(0), 0, Decimal(0), 0, Decimal(0), 0, 0)
    return PipelineSplit(currency, *row[1:])


def pipeline_by_month(tenant: Tenant, period: Period, *, partner_id=None, now=None) -> list[dict]:
    """Per month of creation (in the tenant's time zone) with any opportunity: {month, sourced,
    influenced, total, without_rate} (amounts Decimal, in the reporting currency)."""
    with connection.cursor() as cursor:
        cursor.execute(_split_sql(True), _params(tenant, period, partner_id=partner_id, now=now))
        rows = cursor.fetchall()
    keys = [
        "sourced",
        "sourced_count",
        "influenced",
        "influenced_count",
        "total",
        "total_count",
        "without_rate",
    ]
    return [{"month": row[0], **dict(zip(keys, row[1:], strict=True))} for row in rows]


class AttributionPage:
    """The drill-down as a sequence Django's Paginator can page: a count, and one slice per page."""

    def __init__(self, tenant: Tenant, *, now=None, **selection):
        self.tenant, self.now, self.selection = tenant, now or timezone.now(), selection

    def count(self) -> int:
        return attribution_count(self.tenant, now=self.now, **self.selection)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Attribution]:
        return attributions(
            self.tenant, now=self.now, limit=window.stop - window.start, offset=window.start, **self.selection
        )
