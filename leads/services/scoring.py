"""Lead scoring and readiness (docs/leads.md, "Handoff criteria and the score").

The rules kept here:
- A lead is scored by the qualification rules its program pinned at launch (the "Rules:" block of
  the package's qualification component); a lead with no program, or whose program pinned none,
  by the catalog's default rules (plays.qualification.default_rules).
- The score, the action score, readiness (and since when) and each rule's contribution are stored
  on the lead; rescoring runs in the transaction that adds the touch, set-based: a fixed number of
  queries for any number of leads (touch counts are one SQL aggregate).
- Stages follow readiness forward only: a new lead that is not ready moves to nurture; a new or
  nurture lead that becomes ready moves to MQL. Leads that staff moved elsewhere (MQL by hand, SQL,
  opportunity, disqualified) keep their stage. Stage and readiness changes are audited, the actor
  being whoever caused the touch.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.db import transaction
from django.utils import timezone

from leads.models import Lead, LeadStage
from leads.scoring import Company, Score, evaluate
from leads.selectors.scoring import lead_touch_counts, plan_account_pairs
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit_many
from partnerhub.tenancy.bulk_sql import update_rows
from partnerhub.tenancy.models import Tenant
from plays.qualification import Rules, rules_or_default

QUALIFICATION_KEY = "qualification_logic"  # plays.models.ComponentKey.QUALIFICATION
# What scoring may change on a lead.
SCORED_FIELDS = [
    *("score", "action_score", "ready", "ready_at", "score_reasons", "scored_at"),
    *("stage", "stage_changed_at", "updated_at"),
]
# Where a stage moves when the lead is scored: (not ready, ready).
STAGE_AFTER_SCORING = {
    LeadStage.NEW: (LeadStage.NURTURE, LeadStage.MQL),
    LeadStage.NURTURE: (LeadStage.NURTURE, LeadStage.MQL),
}


def _rules_for(lead: Lead, cache: dict) -> tuple[Rules, str]:
    program = lead.program
    if program is None:
        return rules_or_default("")[0], "The catalog's default rules (the lead has no program)."
    if program.id not in cache:
        rules, own = rules_or_default((program.components or {}).get(QUALIFICATION_KEY, ""))
        why = (
            f"The rules program {program.tracking_code} pinned at launch ({program.package_label})."
            if own
            else f"The catalog's default rules (program {program.tracking_code} pinned none)."
        )
        cache[program.id] = (rules, why)
    return cache[program.id]


def _company(lead: Lead, pairs: set[tuple[int, int]]) -> Company:
    account = lead.account
    if account is None:
        return Company(account_id=None)
    on_plan = None if lead.program is None else (lead.program.plan_id, account.id) in pairs
    return Company(account_id=account.id, industry=account.industry, region=account.region, on_plan=on_plan)


def _apply(lead: Lead, result: Score, now) -> tuple[tuple | None, tuple | None]:
    """Store the result on the lead; the (before, after) of its readiness and stage when they change."""
    was_ready, old_score, old_stage = lead.ready, lead.score, lead.stage
    lead.score, lead.action_score, lead.ready = result.score, result.action_score, result.ready
    lead.score_reasons, lead.scored_at = result.reasons, now
    lead.ready_at = (lead.ready_at or now) if result.ready else None
    moves = STAGE_AFTER_SCORING.get(old_stage)
    if moves is not None and moves[result.ready] != old_stage:
        lead.stage, lead.stage_changed_at = moves[result.ready], now
    readiness = stage = None
    if was_ready != result.ready:
        readiness = (
            {"ready": was_ready, "score": old_score},
            {"ready": result.ready, "score": result.score, "unmet": result.unmet},
        )
    if lead.stage != old_stage:
        stage = (
            {"status": old_stage, "disqualified_reason": ""},
            {"status": lead.stage, "disqualified_reason": "", "score": result.score, "ready": result.ready},
        )
    return readiness, stage


def leads_scored(
    *, tenant: Tenant, leads: list[Lead], counts: Mapping[int, Mapping[str, int]], now=None
) -> list[tuple[str, Lead, dict, dict]]:
    """Score `leads` in memory with `counts` (per lead, its touches of each kind; a lead not yet
    saved by its `id()`), moving stages by readiness; nothing is written. The audit events of the
    readiness and stage changes are returned, for the caller to record with its writes."""
    pairs = plan_account_pairs(
        tenant=tenant,
        plan_ids={lead.program.plan_id for lead in leads if lead.program is not None},
        account_ids={lead.account_id for lead in leads if lead.account_id is not None},
    )
    now, cache, events = now or timezone.now(), {}, []
    for lead in leads:
        rules, source = _rules_for(lead, cache)
        lead_counts = counts.get(lead.id if lead.id is not None else id(lead), {})
        result = evaluate(rules, lead_counts, lead.title, _company(lead, pairs), source)
        readiness, stage = _apply(lead, result, now)
        if readiness:
            events.append(("lead.readiness_changed", lead, *readiness))
        if stage:
            events.append(("lead.stage_changed", lead, *stage))
        lead.updated_at = now
    return events


def _score(tenant: Tenant, actor: Actor, leads: list[Lead]) -> None:
    if not leads:
        return
    counts = lead_touch_counts(tenant=tenant, lead_ids=[lead.id for lead in leads])
    events = leads_scored(tenant=tenant, leads=leads, counts=counts)
    update_rows(leads, SCORED_FIELDS)
    audit_many(tenant=tenant, actor=actor, events=events)


@transaction.atomic
def leads_rescore(*, tenant: Tenant, lead_ids: Collection[int], actor: Actor = None) -> list[Lead]:
    """Score many leads at once (the bulk intake, a change of rules): locks them, reads their touch
    counts in one aggregate, stores each score with its reasons and moves stages by readiness. A
    fixed number of queries whatever the number of leads."""
    leads = list(
        Lead.objects.select_for_update(of=("self",))
        .select_related("program", "account")
        .filter(tenant=tenant, id__in=list(lead_ids))
        .order_by("id")
    )
    _score(tenant, actor, leads)
    return leads


def lead_rescore(*, tenant: Tenant, actor: Actor, lead: Lead) -> Lead:
    """Score one lead the caller holds locked (the intake, after it recorded a touch), in its
    transaction; the lead object is updated in place."""
    _score(tenant, actor, [lead])
    return lead
