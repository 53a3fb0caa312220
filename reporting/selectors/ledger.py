"""The account's ledger: one timeline of everything that touched a target account, newest first:
partner overlap (mappings), plans that named it, leads and their touches, handoffs, MDF paid on
programs that targeted it, deal registrations and opportunity stage changes.

Accounts cannot read leads or MDF, so the ledger lives here. One UNION ALL statement reads a page
of entries and one more counts them per kind, whatever the account's history holds."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.urls import reverse

from accounts.models import (
    AccountMapping,
    Opportunity,
    OpportunityStage,
    OpportunityStageChange,
    Plan,
    PlanAccount,
)
from leads.models import DealRegistration, Handoff, Lead, Touch, TouchKind
from mdf.models import PAID_OUT, Claim, FundRequest, FundTranche, RequestAccount
from mdf.models.claims import ClaimState
from partnerhub.tenancy.models import Partner, Tenant

# kind → label, in the filter's order.
KINDS = {
    "mapping": "Partner overlap",
    "plan": "Plans and plays",
    "lead": "Leads",
    "touch": "Touches",
    "handoff": "Handoffs",
    "mdf": "MDF paid",
    "tranche": "MDF tranches paid",
    "registration": "Deal registrations",
    "stage": "Opportunity stages",
}


def _tables() -> dict[str, str]:
    models = {
        "mapping": AccountMapping,
        "partner": Partner,
        "plan_account": PlanAccount,
        "plan": Plan,
        "lead": Lead,
        "touch": Touch,
        "handoff": Handoff,
        "request": FundRequest,
        "request_account": RequestAccount,
        "claim": Claim,
        "tranche": FundTranche,
        "registration": DealRegistration,
        "opportunity": Opportunity,
        "stage_change": OpportunityStageChange,
    }
    return {key: model._meta.db_table for key, model in models.items()}


def _union() -> str:
    """Every entry of the account as (kind, at, ref_id, a, b, c): the same six columns per kind."""
    t = _tables()
    paid_out = ", ".join(f"'{state}'" for state in PAID_OUT)
    return f"""
    SELECT 'mapping' AS kind, m.created_at AS at, m.id AS ref_id,
           p.name AS a, m.relationship AS b, ''::text AS c
      FROM {t["mapping"]} m JOIN {t["partner"]} p ON p.id = m.partner_id
     WHERE m.tenant_id = %(tenant)s AND m.account_id = %(account)s
    UNION ALL
    SELECT 'plan', coalesce(pl.launched_at, pl.created_at), pl.id, pl.name,
           coalesce(p.name, ''), pl.status
      FROM {t["plan_account"]} pa JOIN {t["plan"]} pl ON pl.id = pa.plan_id
      LEFT JOIN {t["partner"]} p ON p.id = pl.partner_id
     WHERE pa.tenant_id = %(tenant)s AND pa.account_id = %(account)s
    UNION ALL
    SELECT 'lead', l.created_at, l.id, l.email, trim(l.first_name || ' ' || l.last_name), l.source
      FROM {t["lead"]} l
     WHERE l.tenant_id = %(tenant)s AND l.account_id = %(account)s
    UNION ALL
    SELECT 'touch', tc.occurred_at, l.id, l.email, tc.kind, ''
      FROM {t["touch"]} tc JOIN {t["lead"]} l ON l.id = tc.lead_id
     WHERE tc.tenant_id = %(tenant)s AND l.account_id = %(account)s
    UNION ALL
    SELECT 'handoff', h.offered_at, h.id, l.email, p.name, h.state
      FROM {t["handoff"]} h JOIN {t["lead"]} l ON l.id = h.lead_id
      JOIN {t["partner"]} p ON p.id = h.partner_id
     WHERE h.tenant_id = %(tenant)s AND l.account_id = %(account)s
    UNION ALL
    SELECT 'mdf', (c.paid_on::timestamp AT TIME ZONE %(zone)s), c.id, r.title, p.name,
           c.amount_approved::text || ' ' || c.currency
      FROM {t["claim"]} c JOIN {t["request"]} r ON r.id = c.request_id
      JOIN {t["partner"]} p ON p.id = c.partner_id
     WHERE c.tenant_id = %(tenant)s AND c.state = '{ClaimState.PAID}'
       AND (EXISTS (SELECT 1 FROM {t["request_account"]} ra
                     WHERE ra.request_id = r.id AND ra.account_id = %(account)s AND ra.tenant_id = %(tenant)s)
            OR EXISTS (SELECT 1 FROM {t["plan_account"]} pa
                        WHERE pa.plan_id = r.plan_id AND pa.account_id = %(account)s
                          AND pa.tenant_id = %(tenant)s))
    UNION ALL
    SELECT 'tranche', coalesce(tr.decided_at, tr.settled_at), r.id, r.title, p.name,
           tr.amount::text || ' ' || tr.currency
      FROM {t["tranche"]} tr JOIN {t["request"]} r ON r.id = tr.request_id
      JOIN {t["partner"]} p ON p.id = r.partner_id
     WHERE tr.tenant_id = %(tenant)s AND tr.state IN ({paid_out})
       AND EXISTS (SELECT 1 FROM {t["plan_account"]} pa
                    WHERE pa.plan_id = tr.plan_id AND pa.account_id = %(account)s
                      AND pa.tenant_id = %(tenant)s)
    UNION ALL
    SELECT 'registration', coalesce(g.submitted_at, g.created_at), g.id, g.solution, p.name, g.state
      FROM {t["registration"]} g JOIN {t["partner"]} p ON p.id = g.partner_id
     WHERE g.tenant_id = %(tenant)s AND g.account_id = %(account)s
    UNION ALL
    SELECT 'stage', s.changed_at, o.id, o.name, s.from_stage, s.to_stage
      FROM {t["stage_change"]} s JOIN {t["opportunity"]} o ON o.id = s.opportunity_id
     WHERE s.tenant_id = %(tenant)s AND o.account_id = %(account)s
    """


@dataclass(frozen=True)
class LedgerEntry:
    kind: str
    at: datetime.datetime
    title: str
    detail: str
    url: str

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _entry(slug: str, kind: str, at, ref_id: int, a: str, b: str, c: str) -> LedgerEntry:
    """An entry in words, with a link to the row where the row has a page."""
    if kind == "mapping":
        return LedgerEntry(kind, at, f"{a} maps this account", _label(AccountMapping.Relationship, b), "")
    if kind == "plan":
        return LedgerEntry(
            kind,
            at,
            f"Named by the plan {a or 'without a name'}",
            ", ".join(part for part in (b, _label(Plan.Status, c)) if part),
            reverse("accounts:plan_detail", args=[slug, ref_id]),
        )
    if kind == "lead":
        return LedgerEntry(
            kind, at, f"Lead {b or a} arrived", a, reverse("leads:lead_detail", args=[slug, ref_id])
        )
    if kind == "touch":
        return LedgerEntry(
            kind, at, _label(TouchKind, b), a, reverse("leads:lead_detail", args=[slug, ref_id])
        )
    if kind == "handoff":
        return LedgerEntry(
            kind,
            at,
            f"{a} handed to {b}",
            _label(Handoff.State, c),
            reverse("leads:handoff_detail", args=[slug, ref_id]),
        )
    if kind == "mdf":
        return LedgerEntry(
            kind, at, f"MDF paid: {a}", f"{b} · {c}", reverse("mdf:claim_detail", args=[slug, ref_id])
        )
    if kind == "tranche":
        return LedgerEntry(
            kind,
            at,
            f"MDF tranche paid: {a}",
            f"{b} · {c}",
            reverse("mdf:request_detail", args=[slug, ref_id]),
        )
    if kind == "registration":
        return LedgerEntry(
            kind,
            at,
            f"{b} registered {a}",
            _label(DealRegistration.State, c),
            reverse("leads:registration_detail", args=[slug, ref_id]),
        )
    moved = (
        f"{_label(OpportunityStage, b)} → {_label(OpportunityStage, c)}" if b else _label(OpportunityStage, c)
    )
    return LedgerEntry(kind, at, f"{a}: {moved}", "Opportunity stage", "")


@dataclass
class LedgerPage:
    entries: list[LedgerEntry]
    counts: dict[str, int]  # per kind, whatever the filter
    total: int  # entries the filter matches
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def account_ledger(
    *, tenant: Tenant, account_id: int, kind: str | None = None, page: int = 1, per_page: int = 25
) -> LedgerPage:
    """One page of the account's ledger, newest first, optionally of one kind: two statements."""
    params = {"tenant": tenant.id, "account": account_id, "zone": tenant.timezone}
    union = _union()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kind, count(*) FROM ({union}) ledger GROUP BY kind", params)
        counts = {key: 0 for key in KINDS} | dict(cursor.fetchall())
        total = counts.get(kind, 0) if kind else sum(counts.values())
        pages = max(1, -(-total // per_page))
        number = min(max(page, 1), pages)
        only = "WHERE kind = %(kind)s" if kind else ""
        cursor.execute(
            f"SELECT * FROM ({union}) ledger {only} ORDER BY at DESC, kind, ref_id DESC "
            "LIMIT %(limit)s OFFSET %(offset)s",
            {**params, "kind": kind, "limit": per_page, "offset": (number - 1) * per_page},
        )
        rows = cursor.fetchall()
    entries = [_entry(tenant.slug, *row) for row in rows]
    return LedgerPage(entries=entries, counts=counts, total=total, number=number, per_page=per_page)
