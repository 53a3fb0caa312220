"""Partner feedback on handoffs, the tenant's status mapping and silent handoffs (docs/leads.md,
"Feedback").

The rules kept here:
- Partners report status in their own words; the tenant maps words (compared folded: case, accents
  of case and runs of spaces do not matter) to its own statuses. Unmapped words are kept, with no
  status, until the tenant maps them.
- Only the handoff's own partner reports (its users, or an actor carrying its `partner_id`, such as
  a partner-scoped API key), and only on an accepted handoff.
- What a mapped status does, each through the one home of its rule: contacted, meeting booked,
  qualified, opportunity created and disqualified stop the contact clock if it runs
  (stop_contact_clock); qualified and opportunity created report the outcome qualified,
  disqualified the outcome not qualified, stopping the qualify clock if it runs
  (stop_qualify_clock); opportunity created moves the lead to the opportunity stage through the
  lifecycle (lead_stage_change, by way of SQL); meeting booked records a meeting touch on the lead.
  No response changes no clock.
- Every report restarts the silence: the handoff falls silent after the policy's silent days with
  no report, and its partner's users are nudged once per silence (handoff_silence_sweep).
"""

from __future__ import annotations

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from leads import selectors
from leads.models import (
    FeedbackStatus,
    Handoff,
    HandoffFeedback,
    LeadSource,
    LeadStage,
    QualificationOutcome,
    StatusMapping,
    Touch,
    TouchKind,
)
from leads.selectors.routing import status_for_words
from leads.services.handoffs import (
    SILENCE_FIELDS,
    _partners_own,
    _require_state,
    check_staff,
    start_silence,
    stop_contact_clock,
    stop_qualify_clock,
)
from leads.services.ladder import SweepBatch
from leads.services.leads import STAGE_TRANSITIONS, lead_stage_change
from leads.services.scoring import lead_rescore
from leads.sweeps import sweep_tenants
from partnerhub.tenancy.actors import Actor, actor_columns
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.bulk_sql import update_rows
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant

CONTACTED = {
    FeedbackStatus.CONTACTED,
    FeedbackStatus.MEETING_BOOKED,
    FeedbackStatus.QUALIFIED,
    FeedbackStatus.OPPORTUNITY_CREATED,
    FeedbackStatus.DISQUALIFIED,
}
OUTCOMES = {
    FeedbackStatus.QUALIFIED: QualificationOutcome.QUALIFIED,
    FeedbackStatus.OPPORTUNITY_CREATED: QualificationOutcome.QUALIFIED,
    FeedbackStatus.DISQUALIFIED: QualificationOutcome.NOT_QUALIFIED,
}
SWEEP_BATCH = 500


def fold(words: str) -> str:
    """The key a partner's words are compared by: case folded, spaces collapsed."""
    return re.sub(r"\s+", " ", words).strip().casefold()


# --- The status mapping -------------------------------------------------------------------------


def _mapping_values(partner_status: str, status: str) -> tuple[str, str, str]:
    words = re.sub(r"\s+", " ", partner_status).strip()
    if not words:
        raise ServiceError("Give the partner's status as partners write it.", field="partner_status")
    if status not in FeedbackStatus.values:
        choices = ", ".join(FeedbackStatus.values)
        raise ServiceError(f"“{status}” is not a status; give one of: {choices}.", field="status")
    return words, fold(words)[:100], status


def _save_mapping(mapping: StatusMapping, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            mapping.save(update_fields=fields)
    except IntegrityError as exc:
        raise ServiceError(
            f"“{mapping.partner_status}” is mapped already: change that mapping.", field="partner_status"
        ) from exc


@transaction.atomic
def status_mapping_create(*, tenant: Tenant, actor: Actor, partner_status: str, status: str) -> StatusMapping:
    """Map a partner's status words to one of the tenant's statuses (lead editors); the same words,
    folded, are mapped once."""
    check_staff(tenant, actor, "map partner statuses of")
    words, key, status = _mapping_values(partner_status, status)
    mapping = StatusMapping(tenant=tenant, partner_status=words, partner_status_key=key, status=status)
    _save_mapping(mapping)
    audit(tenant=tenant, actor=actor, action="status_mapping.created", target=mapping, after=_shown(mapping))
    return mapping


@transaction.atomic
def status_mapping_update(
    *, tenant: Tenant, actor: Actor, status_mapping_id: int, partner_status: str, status: str
) -> StatusMapping:
    """Change a mapping; reports already made keep the status they were given."""
    check_staff(tenant, actor, "map partner statuses of")
    mapping = _mapping(tenant, status_mapping_id)
    before = _shown(mapping)
    mapping.partner_status, mapping.partner_status_key, mapping.status = _mapping_values(
        partner_status, status
    )
    _save_mapping(mapping, ["partner_status", "partner_status_key", "status", "updated_at"])
    audit(
        tenant=tenant,
        actor=actor,
        action="status_mapping.updated",
        target=mapping,
        before=before,
        after=_shown(mapping),
    )
    return mapping


@transaction.atomic
def status_mapping_delete(*, tenant: Tenant, actor: Actor, status_mapping_id: int) -> None:
    """Remove a mapping: the words are unmapped for later reports."""
    check_staff(tenant, actor, "map partner statuses of")
    mapping = _mapping(tenant, status_mapping_id)
    audit(tenant=tenant, actor=actor, action="status_mapping.deleted", target=mapping, before=_shown(mapping))
    mapping.delete()


def _mapping(tenant: Tenant, status_mapping_id: int) -> StatusMapping:
    mapping = StatusMapping.objects.select_for_update().filter(tenant=tenant, id=status_mapping_id).first()
    if mapping is None:
        raise ServiceError("No such status mapping.", field="status_mapping")
    return mapping


def _shown(mapping: StatusMapping) -> dict:
    return {"partner_status": mapping.partner_status, "status": mapping.status}


# --- Feedback -----------------------------------------------------------------------------------


@transaction.atomic
def handoff_feedback(
    *,
    tenant: Tenant,
    actor: Actor,
    handoff_id: int,
    words: str,
    note: str = "",
    reason: str = "",
    now: datetime.datetime | None = None,
) -> HandoffFeedback:
    """A partner reports on its accepted handoff in its own words; the tenant's mapping gives the
    status, and the status stops the clocks it stands for (see the module's rules)."""
    handoff = _partners_own(tenant, actor, handoff_id)
    _require_state(handoff, Handoff.State.ACCEPTED)
    words, note, reason = re.sub(r"\s+", " ", words).strip(), note.strip(), reason.strip()
    if not words:
        raise ServiceError("Say where the lead stands, in your own words.", field="words")
    status = status_for_words(tenant=tenant, key=fold(words)[:100])
    if status == FeedbackStatus.DISQUALIFIED and not reason:
        raise ServiceError("Say why the lead is disqualified.", field="reason")
    now = now or timezone.now()
    columns = actor_columns(actor)
    feedback = HandoffFeedback.objects.create(
        tenant=tenant,
        handoff=handoff,
        words=words[:100],
        status=status,
        note=note[:1000],
        reason=reason[:500] if status == FeedbackStatus.DISQUALIFIED else "",
        reported_at=now,
        actor=columns["actor"],
        actor_label=columns["actor_label"],
    )
    if status in CONTACTED and handoff.first_contact_at is None:
        stop_contact_clock(tenant, actor, handoff, now)
    if status in OUTCOMES and handoff.qualified_at is None:
        stop_qualify_clock(tenant, actor, handoff, OUTCOMES[status], reason or note, now)
    if status == FeedbackStatus.OPPORTUNITY_CREATED:
        _to_opportunity(tenant, actor, handoff)
    if status == FeedbackStatus.MEETING_BOOKED:
        Touch.objects.create(
            tenant=tenant,
            lead_id=handoff.lead_id,
            kind=TouchKind.MEETING,
            occurred_at=now,
            source=LeadSource.PARTNER,
            details={"reported_by": handoff.partner.name, "feedback": words[:100]},
        )
        lead_rescore(tenant=tenant, actor=actor, lead=handoff.lead)  # in the touch's transaction
    handoff.first_feedback_at = handoff.first_feedback_at or now
    handoff.last_feedback_at = now
    policy = selectors.policy_for(tenant=tenant, partner=handoff.partner, program_id=handoff.lead.program_id)
    start_silence(handoff, now, policy)
    handoff.save(update_fields=["first_feedback_at", "last_feedback_at", *SILENCE_FIELDS, "updated_at"])
    audit(
        tenant=tenant,
        actor=actor,
        action="handoff.feedback",
        target=handoff,
        after={
            "words": feedback.words,
            "status": status or None,
            "note": feedback.note,
            "reason": feedback.reason,
        },
    )
    return feedback


def _to_opportunity(tenant: Tenant, actor: Actor, handoff: Handoff) -> None:
    """The lifecycle's way to the opportunity stage: by way of SQL when the lead is before it; a
    lead already there, or disqualified meanwhile, is left as it is."""
    lead = handoff.lead
    moves = STAGE_TRANSITIONS[lead.stage]
    if LeadStage.OPPORTUNITY not in moves and LeadStage.SQL in moves:
        lead = lead_stage_change(tenant=tenant, actor=actor, lead_id=lead.id, stage=LeadStage.SQL)
    if LeadStage.OPPORTUNITY in STAGE_TRANSITIONS[lead.stage]:
        lead_stage_change(tenant=tenant, actor=actor, lead_id=lead.id, stage=LeadStage.OPPORTUNITY)


# --- Silence ------------------------------------------------------------------------------------

# Exactly the rows of the partial index handoff_silence_due_idx.
SILENCE_DUE = Q(state=Handoff.State.ACCEPTED, silence_nudge_at__isnull=False)


def _feedback_url(tenant: Tenant, handoff: Handoff) -> str:
    return reverse("leads:handoff_feedback", kwargs={"tenant_slug": tenant.slug, "handoff_id": handoff.id})


def _nudge_silent(*, tenant: Tenant, handoff_ids: list[int], now: datetime.datetime) -> int:
    """Nudge the partner's users of these silent handoffs, in one transaction; rows another sweep
    holds are skipped. Set-based (ladder.SweepBatch): a constant number of statements for the whole
    batch (the rows locked, the partners' users, the notifications, the handoffs' cleared nudge,
    the audit events), whatever its size."""
    handoffs = list(
        Handoff.objects.filter(SILENCE_DUE, tenant=tenant, id__in=handoff_ids, silence_nudge_at__lte=now)
        .select_related("lead", "partner")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("silence_nudge_at", "id")
    )
    if not handoffs:
        return 0
    batch = SweepBatch(tenant, {handoff.partner_id for handoff in handoffs})
    updated_at = timezone.now()
    for handoff in handoffs:
        since = handoff.last_feedback_at or handoff.accepted_at
        batch.notify(
            batch.users(handoff.partner),
            f"No news of {handoff.lead}",
            f"Nothing was reported on this lead since {since:%d %B %Y}: tell us where it stands.",
            _feedback_url(tenant, handoff),
        )
        handoff.silence_nudge_at, handoff.updated_at = None, updated_at
        batch.audit("handoff.silent", handoff, None, {"silent_at": handoff.silent_at.isoformat()})
    update_rows(handoffs, ["silence_nudge_at", "updated_at"])
    batch.write()
    return len(handoffs)


def handoff_silence_sweep(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Silence sweep (cross-tenant, from beat): nudge the partner's users of each accepted handoff
    that fell silent, once per silence (the nudge clears its due column in the same transaction as
    the notification rows, on rows locked with SKIP LOCKED). Returns how many handoffs were nudged."""
    now = now or timezone.now()
    due = Handoff.unscoped.filter(SILENCE_DUE, silence_nudge_at__lte=now).order_by("silence_nudge_at", "id")
    return sweep_tenants(
        due,
        batch=batch,
        work=lambda tenant, ids: _nudge_silent(tenant=tenant, handoff_ids=ids, now=now),
        what="Silence",
    )
