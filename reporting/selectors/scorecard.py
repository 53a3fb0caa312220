"""The account-first scorecard of launched plans (docs/reporting.md, "Scorecard"): what happened on
a plan's named accounts within a window, counted in SQL, many plans in one statement.

Every checkpoint snapshot, the "live now" figure beside it, and the scorecards per plan, program,
partner and quarter read `plan_figures`; a partner's or a quarter's scorecard adds up its plans'
rows. Operational signals (registrations, leads, MDF spent) are counted too, and kept apart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db import connection

from accounts.models import (
    AccountStage,
    FollowUpCommitment,
    Opportunity,
    OpportunityStage,
    OpportunityStageChange,
    Plan,
    PlanAccount,
    Program,
    TargetAccount,
)
from leads.models import Attendance, AttendanceStatus, Handoff, Lead, Touch, TouchKind
from mdf.models import PAID_OUT, Claim, FundRequest, FundTranche
from mdf.models.claims import ClaimState
from partnerhub.tenancy.models import Tenant
from reporting.selectors.money import amount_sql, local_date_sql

# A stage change moves an opportunity forward when the new stage ranks higher than the old one;
# its creation (no old stage) counts, a loss never does.
STAGE_RANK = {
    "": 0,
    OpportunityStage.PROSPECTING: 1,
    OpportunityStage.QUALIFICATION: 2,
    OpportunityStage.PROPOSAL: 3,
    OpportunityStage.NEGOTIATION: 4,
    OpportunityStage.CLOSED_WON: 5,
    OpportunityStage.CLOSED_LOST: -1,
}
# Touches by which sales followed up an account.
FOLLOW_UP_KINDS = (TouchKind.MEETING, TouchKind.EMAIL_REPLY)


@dataclass(frozen=True)
class PlanWindow:
    """A plan and the instants between which its figures count: [starts, ends)."""

    plan_id: int
    starts: datetime.datetime
    ends: datetime.datetime
    currency: str


@dataclass
class PlanFigures:
    plan_id: int
    currency: str
    # The score: movement on the named accounts.
    named_accounts: int = 0
    accounts_attended: int = 0
    accounts_met: int = 0
    accounts_engaged: int = 0  # attended or met: the "meaningful account engagements"
    accounts_followed_up: int = 0
    meetings: int = 0
    opportunities_progressed: int = 0
    pipeline_progressed: Decimal = Decimal("0.00")
    opportunities_in_room: int = 0  # progressed, on accounts that attended
    pipeline_in_room: Decimal = Decimal("0.00")
    # Progressed inside existing customers: accounts won before the plan's launch (or marked so).
    expansion_opportunities: int = 0
    expansion_pipeline: Decimal = Decimal("0.00")
    handoffs: int = 0
    handoffs_accepted_in_sla: int = 0
    follow_up_done_on_time: bool = False
    content_reuse: int = 0  # asset touches on the named accounts
    amounts_without_rate: int = 0  # opportunities or claims whose currency has no rate: left out
    # Signals: what was done, never the score.
    registrations: int = 0
    attendees: int = 0
    leads: int = 0
    mdf_paid: Decimal = Decimal("0.00")  # for the plan, whenever paid: claims come weeks later
    program_delivered: bool = False

    @property
    def attendance_rate(self) -> Decimal | None:
        return _ratio(self.accounts_attended, self.named_accounts)

    @property
    def follow_up_rate(self) -> Decimal | None:
        return _ratio(self.handoffs_accepted_in_sla, self.handoffs)

    @property
    def cost_per_engagement(self) -> Decimal | None:
        """MDF paid for the program ÷ the named accounts that attended or met."""
        if not self.accounts_engaged:
            return None
        return (self.mdf_paid / self.accounts_engaged).quantize(Decimal("0.01"))

    def add(self, other: PlanFigures) -> None:
        """Add another plan's figures (a partner's or a quarter's scorecard), in one currency."""
        for field in fields(self):
            if field.name in ("plan_id", "currency"):
                continue
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            setattr(self, field.name, (mine or theirs) if isinstance(mine, bool) else mine + theirs)


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(Decimal("0.001")) if whole else None


def _rank(column: str) -> str:
    cases = " ".join(f"WHEN '{stage}' THEN {rank}" for stage, rank in STAGE_RANK.items())
    return f"(CASE {column} {cases} ELSE 0 END)"


def _statement(windows_sql: str) -> str:
    t = {
        "plan_account": PlanAccount._meta.db_table,
        "program": Program._meta.db_table,
        "attendance": Attendance._meta.db_table,
        "touch": Touch._meta.db_table,
        "lead": Lead._meta.db_table,
        "opportunity": Opportunity._meta.db_table,
        "stage_change": OpportunityStageChange._meta.db_table,
        "account": TargetAccount._meta.db_table,
        "handoff": Handoff._meta.db_table,
        "commitment": FollowUpCommitment._meta.db_table,
        "claim": Claim._meta.db_table,
        "request": FundRequest._meta.db_table,
        "tranche": FundTranche._meta.db_table,
    }
    attended, registered = AttendanceStatus.ATTENDED, AttendanceStatus.REGISTERED
    follow_up_kinds = ", ".join(f"'{kind}'" for kind in FOLLOW_UP_KINDS)
    opportunity_amount = amount_sql("o.amount", "o.currency", local_date_sql("o.created_at"), "w.currency")
    claim_amount = amount_sql("c.amount_approved", "c.currency", "c.paid_on", "w.currency")
    tranche_amount = amount_sql(
        "tr.amount", "tr.currency", local_date_sql("coalesce(tr.decided_at, tr.settled_at)"), "w.currency"
    )
    tranche_paid = ", ".join(f"'{state}'" for state in PAID_OUT)
    return f"""
WITH w (i, plan_id, starts, ends, currency) AS ({windows_sql}),
named AS (
    SELECT w.i, pa.account_id FROM {t["plan_account"]} pa JOIN w ON w.plan_id = pa.plan_id
    WHERE pa.tenant_id = %(tenant)s
),
attended AS (
    SELECT DISTINCT w.i, a.account_id
    FROM w JOIN {t["program"]} p ON p.plan_id = w.plan_id AND p.tenant_id = %(tenant)s
    JOIN {t["attendance"]} a ON a.program_id = p.id AND a.tenant_id = %(tenant)s
    JOIN named n ON n.i = w.i AND n.account_id = a.account_id
    WHERE a.status = '{attended}' AND a.attended_at < w.ends
),
met AS (
    SELECT DISTINCT w.i, l.account_id
    FROM w JOIN named n ON n.i = w.i
    JOIN {t["lead"]} l ON l.account_id = n.account_id AND l.tenant_id = %(tenant)s
    JOIN {t["touch"]} t ON t.lead_id = l.id AND t.tenant_id = %(tenant)s
    WHERE t.kind = '{TouchKind.MEETING}' AND t.occurred_at >= w.starts AND t.occurred_at < w.ends
),
progressed AS (
    SELECT w.i, o.id, o.account_id, {opportunity_amount} AS amount,
           (acc.manual_stage = '{AccountStage.EXISTING_CUSTOMER}' OR EXISTS (
               SELECT 1 FROM {t["opportunity"]} won JOIN {t["stage_change"]} wc ON wc.opportunity_id = won.id
               WHERE won.account_id = o.account_id
                 AND won.tenant_id = %(tenant)s AND wc.tenant_id = %(tenant)s
                 AND wc.to_stage = '{OpportunityStage.CLOSED_WON}' AND wc.changed_at < w.starts
           )) AS expansion
    FROM w JOIN named n ON n.i = w.i
    JOIN {t["opportunity"]} o ON o.account_id = n.account_id AND o.tenant_id = %(tenant)s
    JOIN {t["account"]} acc ON acc.id = o.account_id
    WHERE EXISTS (
        SELECT 1 FROM {t["stage_change"]} c
        WHERE c.opportunity_id = o.id AND c.tenant_id = %(tenant)s
          AND c.changed_at >= w.starts AND c.changed_at < w.ends
          AND {_rank("c.to_stage")} > {_rank("c.from_stage")}
    )
)
SELECT w.i,
    (SELECT count(*) FROM named n WHERE n.i = w.i),
    (SELECT count(*) FROM attended a WHERE a.i = w.i),
    (SELECT count(*) FROM met m WHERE m.i = w.i),
    (SELECT count(*) FROM (SELECT account_id FROM attended WHERE i = w.i
                           UNION SELECT account_id FROM met WHERE i = w.i) engaged),
    touches.followed_up, touches.meetings, touches.assets,
    opps.progressed, opps.pipeline, opps.in_room, opps.in_room_pipeline,
    opps.expansion, opps.expansion_pipeline, opps.without_rate,
    handoffs.offered, handoffs.in_sla,
    EXISTS (SELECT 1 FROM {t["commitment"]} f WHERE f.plan_id = w.plan_id AND f.tenant_id = %(tenant)s
            AND f.done_at IS NOT NULL AND f.done_at < w.ends
            AND (f.done_at AT TIME ZONE %(zone)s)::date <= f.due_on),
    signals.registrations, signals.attendees,
    (SELECT count(*) FROM {t["program"]} p JOIN {t["lead"]} l ON l.program_id = p.id
     WHERE p.plan_id = w.plan_id AND p.tenant_id = %(tenant)s AND l.tenant_id = %(tenant)s
       AND l.created_at < w.ends),
    mdf.paid, mdf.without_rate,
    signals.attendees > 0 OR signals.program_touches
FROM w
CROSS JOIN LATERAL (
    SELECT count(DISTINCT l.account_id) FILTER (WHERE t.kind IN ({follow_up_kinds})) AS followed_up,
           count(*) FILTER (WHERE t.kind = '{TouchKind.MEETING}') AS meetings,
           count(*) FILTER (WHERE t.kind = '{TouchKind.ASSET_DOWNLOADED}') AS assets
    FROM named n JOIN {t["lead"]} l ON l.account_id = n.account_id AND l.tenant_id = %(tenant)s
    JOIN {t["touch"]} t ON t.lead_id = l.id AND t.tenant_id = %(tenant)s
    WHERE n.i = w.i AND t.occurred_at >= w.starts AND t.occurred_at < w.ends
) touches
CROSS JOIN LATERAL (
    SELECT count(*) AS progressed, coalesce(sum(p.amount), 0) AS pipeline,
           count(*) FILTER (WHERE a.account_id IS NOT NULL) AS in_room,
           coalesce(sum(p.amount) FILTER (WHERE a.account_id IS NOT NULL), 0) AS in_room_pipeline,
           count(*) FILTER (WHERE p.expansion) AS expansion,
           coalesce(sum(p.amount) FILTER (WHERE p.expansion), 0) AS expansion_pipeline,
           count(*) FILTER (WHERE p.amount IS NULL) AS without_rate
    FROM progressed p LEFT JOIN attended a ON a.i = p.i AND a.account_id = p.account_id
    WHERE p.i = w.i
) opps
CROSS JOIN LATERAL (
    SELECT count(*) AS offered,
           count(*) FILTER (WHERE h.accepted_at IS NOT NULL AND h.accepted_at < w.ends
                            AND (h.accept_due_at IS NULL OR h.accepted_at <= h.accept_due_at)) AS in_sla
    FROM {t["handoff"]} h JOIN {t["lead"]} l ON l.id = h.lead_id AND l.tenant_id = %(tenant)s
    JOIN named n ON n.account_id = l.account_id AND n.i = w.i
    JOIN {t["program"]} p ON p.plan_id = w.plan_id AND p.tenant_id = %(tenant)s
    WHERE h.tenant_id = %(tenant)s AND h.partner_id = p.partner_id
      AND h.offered_at >= w.starts AND h.offered_at < w.ends
) handoffs
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE a.registered_at < w.ends OR a.status = '{registered}') AS registrations,
           count(*) FILTER (WHERE a.status = '{attended}' AND a.attended_at < w.ends) AS attendees,
           EXISTS (SELECT 1 FROM {t["touch"]} t JOIN {t["program"]} p2 ON p2.id = t.program_id
                   WHERE p2.plan_id = w.plan_id AND t.tenant_id = %(tenant)s
                     AND t.occurred_at < w.ends) AS program_touches
    FROM {t["program"]} p JOIN {t["attendance"]} a ON a.program_id = p.id AND a.tenant_id = %(tenant)s
    WHERE p.plan_id = w.plan_id AND p.tenant_id = %(tenant)s
) signals
CROSS JOIN LATERAL (
    SELECT coalesce(sum(x.amount), 0) AS paid, count(*) FILTER (WHERE x.amount IS NULL) AS without_rate
    FROM (
        SELECT {claim_amount} AS amount
        FROM {t["request"]} r JOIN {t["claim"]} c ON c.request_id = r.id AND c.tenant_id = %(tenant)s
        WHERE r.plan_id = w.plan_id AND r.tenant_id = %(tenant)s AND c.state = '{ClaimState.PAID}'
        UNION ALL  -- tranches paid against the plan's checkpoints (never claimed as well)
        SELECT {tranche_amount} AS amount FROM {t["tranche"]} tr
        WHERE tr.plan_id = w.plan_id AND tr.tenant_id = %(tenant)s AND tr.state IN ({tranche_paid})
    ) x
) mdf
ORDER BY w.i
"""


COLUMNS = [
    "window",
    "named_accounts",
    "accounts_attended",
    "accounts_met",
    "accounts_engaged",
    "accounts_followed_up",
    "meetings",
    "content_reuse",
    "opportunities_progressed",
    "pipeline_progressed",
    "opportunities_in_room",
    "pipeline_in_room",
    "expansion_opportunities",
    "expansion_pipeline",
    "amounts_without_rate",
    "handoffs",
    "handoffs_accepted_in_sla",
    "follow_up_done_on_time",
    "registrations",
    "attendees",
    "leads",
    "mdf_paid",
    "claims_without_rate",
    "program_delivered",
]


def plan_figures(*, tenant: Tenant, windows: list[PlanWindow]) -> list[PlanFigures]:
    """Each window's figures, in the windows' order, in one statement whatever their number (a plan
    may come more than once, with different windows)."""
    if not windows:
        return []
    values = ", ".join(
        f"({i}, %(plan_{i})s::bigint, %(starts_{i})s::timestamptz, %(ends_{i})s::timestamptz, "
        f"%(currency_{i})s::text)"
        for i in range(len(windows))
    )
    params: dict = {"tenant": tenant.id, "zone": tenant.timezone}
    for i, window in enumerate(windows):
        params.update(
            {
                f"plan_{i}": window.plan_id,
                f"starts_{i}": window.starts,
                f"ends_{i}": window.ends,
                f"currency_{i}": window.currency,
            }
        )
    with connection.cursor() as cursor:
        cursor.execute(_statement(f"VALUES {values}"), params)
        rows = cursor.fetchall()
    figures = []
    for row in rows:
        values_by_name = dict(zip(COLUMNS, row, strict=True))
        values_by_name["amounts_without_rate"] += values_by_name.pop("claims_without_rate")
        window = windows[values_by_name.pop("window")]
        figures.append(PlanFigures(plan_id=window.plan_id, currency=window.currency, **values_by_name))
    return figures


# --- Scorecards per plan, program, partner, quarter ----------------------------------------------

# A plan is scored on its first 90 days (its checkpoints' span), or up to now while younger.
SCORED_DAYS = 90
SCORECARD_GROUPS = {"plan": "Plan", "partner": "Partner", "quarter": "Quarter"}


@dataclass
class ScorecardRow:
    key: str
    label: str
    plans: int
    figures: PlanFigures


def scored_plans(*, tenant: Tenant):
    """Launched (and closed) plans, with what a scorecard row names."""
    return (
        Plan.objects.filter(tenant=tenant, launched_at__isnull=False)
        .select_related("partner", "play", "program")
        .order_by("-launched_at", "-id")
    )


def scorecard(
    *, tenant: Tenant, plans, by: str = "plan", currency: str, now: datetime.datetime
) -> list[ScorecardRow]:
    """Scorecard rows of `plans` (launched), one per plan (and so per program: one each), partner or
    quarter, in `currency`: two statements whatever the number of plans."""
    plans = list(plans)
    windows = [
        PlanWindow(
            plan_id=plan.id,
            starts=plan.launched_at,
            ends=min(now, plan.launched_at + datetime.timedelta(days=SCORED_DAYS)),
            currency=currency,
        )
        for plan in plans
    ]
    rows: dict[str, ScorecardRow] = {}
    for plan, figures in zip(plans, plan_figures(tenant=tenant, windows=windows), strict=True):
        key, label = _group(plan, by)
        row = rows.get(key)
        if row is None:
            rows[key] = ScorecardRow(key=key, label=label, plans=1, figures=figures)
        else:
            row.plans += 1
            row.figures.add(figures)
    return list(rows.values())


def _group(plan, by: str) -> tuple[str, str]:
    if by == "partner":
        return str(plan.partner_id), plan.partner.name if plan.partner else "No partner"
    if by == "quarter":
        return f"{plan.year}-Q{plan.quarter}", plan.quarter_label
    program = getattr(plan, "program", None)
    return str(plan.id), f"{plan} ({program.tracking_code})" if program else str(plan)
