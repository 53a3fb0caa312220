"""Handoffs and their SLA clocks (docs/leads.md, "Handoffs and SLA clocks").

The rules kept here:
- A handoff is one offer of one lead to one partner. Staff offer and recall; the partner's own
  users accept, reject and record the first contact and the qualification outcome.
- A lead has at most one open (offered or accepted) handoff; a partner that rejected the lead or
  let it expire is never offered it again.
- Readiness: only a ready lead (leads.services.scoring: every criterion of its program's rules
  holds) is offered; the refusal names the unmet criteria. A lead in nurture goes only to a partner
  with its own marketing automation, which nurtures it; a partner without one never receives it.
- Three clocks, each stopped by exactly one event: **accept** (runs from the offer, stopped by
  acceptance; a rejection or recall ends it with the handoff), **contact** (from acceptance,
  stopped by the first logged contact) and **qualify** (from acceptance, stopped by a
  qualification outcome). Each clock's warn, due and recall instants are computed in business
  time, on the calendar resolved at offer time, when the clock starts, and stored.
- Every state change is audited (before → after).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from leads import selectors
from leads.business_time import (
    CalendarError,
    WorkCalendar,
    add_business_days,
    add_business_time,
    business_time_between,
)
from leads.models import Clock, Handoff, Lead, LeadStage, QualificationOutcome, RejectReason, SlaPolicy, Step
from leads.selectors.calendars import calendar_by_id, calendar_resolved_for
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.services.common import check_permission, membership_of

HOUR = datetime.timedelta(hours=1)
# Each clock's ladder, in order: the step and the column holding its instant.
LADDER: dict[str, tuple[tuple[str, str], ...]] = {
    clock: (
        (Step.WARNED, f"{clock}_warn_at"),
        (Step.BREACHED, f"{clock}_due_at"),
        (Step.RECALLED, f"{clock}_recall_at"),
    )
    for clock in Clock.values
}
STEP_ORDER = {step: position for position, step in enumerate(Step.values)}
OPEN_CONSTRAINT = "handoff_one_open_per_lead"

Fired = Iterable[tuple[str, str]]


# --- Clocks -------------------------------------------------------------------------------------


def clock_instants(
    start: datetime.datetime, due: datetime.datetime, policy: SlaPolicy, calendar: WorkCalendar
) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime]:
    """A clock's warn, due and recall instants: the warning when `warn_percent` of the clock's
    business time is used, the recall `grace_hours` of business time after the due instant."""
    used = business_time_between(start, due, calendar) * policy.warn_percent / 100
    warn = add_business_time(start, used, calendar)
    recall = add_business_time(due, policy.grace_hours * HOUR, calendar) if policy.grace_hours else due
    return warn, due, recall


def running_clocks(handoff: Handoff) -> list[str]:
    """The clocks not yet stopped: accept while offered; contact and qualify while accepted, until
    their event is recorded. A closed handoff has none."""
    if handoff.state == Handoff.State.OFFERED:
        return [Clock.ACCEPT]
    if handoff.state == Handoff.State.ACCEPTED:
        return [
            clock
            for clock, stopped in (
                (Clock.CONTACT, handoff.first_contact_at),
                (Clock.QUALIFY, handoff.qualified_at),
            )
            if stopped is None
        ]
    return []


def pending_steps(handoff: Handoff, fired: Fired) -> list[tuple[datetime.datetime, str, str]]:
    """The ladder steps of the running clocks not yet fired, as (instant, clock, step), earliest first
    (a clock's steps in ladder order when their instants meet)."""
    done = set(fired)
    steps = [
        (getattr(handoff, column), clock, step)
        for clock in running_clocks(handoff)
        for step, column in LADDER[clock]
        if (clock, step) not in done and getattr(handoff, column) is not None
    ]
    return sorted(steps, key=lambda item: (item[0], STEP_ORDER[item[2]]))


def next_due(handoff: Handoff, fired: Fired) -> datetime.datetime | None:
    """The earliest ladder instant still to fire (what the sweep's partial index is on)."""
    steps = pending_steps(handoff, fired)
    return steps[0][0] if steps else None


def current_deadline(handoff: Handoff) -> datetime.datetime | None:
    """The earliest due instant of the running clocks (what the inbox counts down to and sorts by);
    None once none runs."""
    dues = [getattr(handoff, f"{clock}_due_at") for clock in running_clocks(handoff)]
    dues = [due for due in dues if due is not None]
    return min(dues) if dues else None


def _start_clock(handoff: Handoff, clock: str, due: datetime.datetime, start, policy, calendar) -> None:
    warn, due, recall = clock_instants(start, due, policy, calendar)
    setattr(handoff, f"{clock}_warn_at", warn)
    setattr(handoff, f"{clock}_due_at", due)
    setattr(handoff, f"{clock}_recall_at", recall)


def _deadline(compute, *args) -> datetime.datetime:
    try:
        return compute(*args)
    except CalendarError as exc:
        raise ServiceError(f"The partner's business calendar cannot give a deadline: {exc}") from exc


# --- Who may act --------------------------------------------------------------------------------


def check_staff(tenant: Tenant, actor: Actor, what: str) -> None:
    """Offers, recalls and routings are the vendor's: the roles that change leads (the vendor's API
    keys act as revops, a partner's as its users), or the system itself (no actor: the ladder's
    reroute)."""
    if actor is None:
        return
    check_permission(tenant, actor, "lead.change", f"Your role cannot {what} handoffs.")


def _locked(tenant: Tenant, handoff_id: int) -> Handoff:
    handoff = (
        Handoff.objects.select_for_update(of=("self",))
        .select_related("partner", "lead")
        .filter(tenant=tenant, id=handoff_id)
        .first()
    )
    if handoff is None:
        raise ServiceError("No such handoff.", field="handoff")
    return handoff


def _partners_own(tenant: Tenant, actor: Actor, handoff_id: int) -> Handoff:
    """The handoff, for a user (or API key) of its own partner company. Anyone else (another
    partner's users and keys, staff, the vendor's keys) is told it does not exist or that the partner
    answers it."""
    if actor is None:
        raise ServiceError("Only the partner's own users answer a handoff.")
    membership = membership_of(tenant=tenant, user=actor)
    handoff = _locked(tenant, handoff_id)
    if not membership.is_partner_role:
        raise ServiceError("Only the partner's own users answer a handoff.")
    if membership.partner_id != handoff.partner_id:
        raise ServiceError("No such handoff.", field="handoff")  # another partner's: reveal nothing
    return handoff


def _require_state(handoff: Handoff, *states: str) -> None:
    if handoff.state not in states:
        raise ServiceError(f"This handoff is {handoff.get_state_display().lower()}.", field="handoff")


def _unmet(lead: Lead) -> str:
    if lead.scored_at is None:
        return "it has not been scored yet (no touch since scoring began)."
    return " ".join(reason["why"] for reason in lead.score_reasons if reason.get("met") is False)


def _check_ready(lead: Lead, partner: Partner) -> None:
    """Raw scans are never handed over: only a ready lead is offered. A lead in nurture is the
    exception for a partner that runs its own marketing automation (it nurtures the lead itself);
    a partner without one never receives a nurture-stage lead."""
    if lead.stage == LeadStage.NURTURE:
        if partner.has_marketing_automation:
            return
        not_ready = "" if lead.ready else f" Not ready: {_unmet(lead)}"
        raise ServiceError(
            f"{partner.name} has no marketing automation of its own: a lead in nurture stays in the "
            f"vendor's nurture.{not_ready}",
            field="lead",
        )
    if not lead.ready:
        raise ServiceError(f"The lead is not ready for a handoff: {_unmet(lead)}", field="lead")


# --- Saving and the audit trail -----------------------------------------------------------------

STATE_FIELDS = ["state", "reject_reason", "reject_text", "qualification"]


def _state(handoff: Handoff) -> dict:
    return {
        "status": handoff.state,
        **{name: getattr(handoff, name) for name in STATE_FIELDS[1:] if getattr(handoff, name)},
    }


def _save(handoff: Handoff, fields: list[str], fired: Fired = ()) -> None:
    handoff.next_due_at = next_due(handoff, fired)
    handoff.deadline_at = current_deadline(handoff)
    handoff.save(update_fields=[*fields, "next_due_at", "deadline_at", "updated_at"])


def _record(tenant: Tenant, actor: Actor, action: str, handoff: Handoff, before: dict, **extra) -> None:
    """One audit event per change, in the before → after shape of state changes."""
    after = {**_state(handoff), **{name: _plain(value) for name, value in extra.items()}}
    audit(tenant=tenant, actor=actor, action=action, target=handoff, before=before, after=after)


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def close(handoff: Handoff, state: str, at: datetime.datetime) -> list[str]:
    """End the handoff (rejected, expired, recalled): every clock stops. Returns the fields set."""
    handoff.state, handoff.closed_at = state, at
    return ["state", "closed_at"]


# --- Services -----------------------------------------------------------------------------------


@transaction.atomic
def handoff_offer(
    *, tenant: Tenant, actor: Actor, lead_id: int, partner_id: int, now: datetime.datetime | None = None
) -> Handoff:
    """Offer a lead to a partner (staff). The lead must not be disqualified, must be ready (or, in
    nurture, go to a partner with its own marketing automation), and must not have an open
    handoff; the partner must be active and must not have rejected the lead or let it expire before.
    The accept clock starts: its instants are computed on the partner's calendar (its own, else the
    tenant's default, else the built-in week), which the handoff keeps for its later clocks."""
    check_staff(tenant, actor, "offer")
    lead = Lead.objects.select_for_update().filter(tenant=tenant, id=lead_id).first()
    if lead is None:
        raise ServiceError("No such lead.", field="lead")
    partner = Partner.objects.filter(tenant=tenant, id=partner_id).first()
    if partner is None:
        raise ServiceError("Select a valid partner.", field="partner")
    if lead.stage == LeadStage.DISQUALIFIED:
        raise ServiceError("A disqualified lead is not handed off.", field="lead")
    _check_ready(lead, partner)
    if partner.status == Partner.Status.INACTIVE:
        raise ServiceError(f"{partner.name} is inactive.", field="partner")
    earlier = Handoff.objects.filter(tenant=tenant, lead=lead)
    if earlier.filter(state__in=Handoff.OPEN_STATES).exists():
        raise ServiceError("This lead already has an open handoff: recall it first.", field="lead")
    refused = earlier.filter(partner=partner, state__in=[Handoff.State.REJECTED, Handoff.State.EXPIRED])
    if refused.exists():
        raise ServiceError(
            f"{partner.name} declined this lead or let it expire: it is not offered to them again.",
            field="partner",
        )
    now = now or timezone.now()
    calendar_id, calendar = calendar_resolved_for(tenant=tenant, partner=partner)
    policy = selectors.policy_for(tenant=tenant, partner=partner, program_id=lead.program_id)
    handoff = Handoff(tenant=tenant, lead=lead, partner=partner, calendar_id=calendar_id, offered_at=now)
    due = _deadline(add_business_time, now, policy.accept_hours * HOUR, calendar)
    _start_clock(handoff, Clock.ACCEPT, due, now, policy, calendar)
    handoff.next_due_at = next_due(handoff, ())
    handoff.deadline_at = current_deadline(handoff)
    try:
        with transaction.atomic():
            handoff.save()
    except IntegrityError as exc:  # the constraint is the backstop; the lead's lock makes it rare
        raise ServiceError("This lead already has an open handoff: recall it first.", field="lead") from exc
    _record(
        tenant,
        actor,
        "handoff.offered",
        handoff,
        None,
        partner=partner.id,
        accept_due_at=handoff.accept_due_at,
    )
    return handoff


@transaction.atomic
def handoff_accept(
    *, tenant: Tenant, actor: Actor, handoff_id: int, now: datetime.datetime | None = None
) -> Handoff:
    """The partner accepts: the accept clock stops, and the contact and qualify clocks start on the
    handoff's calendar. The lead's email and phone are shown to the partner from now on."""
    handoff = _partners_own(tenant, actor, handoff_id)
    _require_state(handoff, Handoff.State.OFFERED)
    before = _state(handoff)
    now = now or timezone.now()
    calendar = calendar_by_id(tenant=tenant, calendar_id=handoff.calendar_id)
    policy = selectors.policy_for(tenant=tenant, partner=handoff.partner, program_id=handoff.lead.program_id)
    contact_due = _deadline(add_business_time, now, policy.contact_hours * HOUR, calendar)
    qualify_due = _deadline(add_business_days, now, policy.qualify_days, calendar)
    _start_clock(handoff, Clock.CONTACT, contact_due, now, policy, calendar)
    _start_clock(handoff, Clock.QUALIFY, qualify_due, now, policy, calendar)
    handoff.state, handoff.accepted_at = Handoff.State.ACCEPTED, now
    start_silence(handoff, now, policy)
    clock_fields = [
        f"{clock}_{kind}_at" for clock in (Clock.CONTACT, Clock.QUALIFY) for kind in ("warn", "due", "recall")
    ]
    _save(handoff, ["state", "accepted_at", *clock_fields, *SILENCE_FIELDS])
    _record(
        tenant,
        actor,
        "handoff.accepted",
        handoff,
        before,
        contact_due_at=handoff.contact_due_at,
        qualify_due_at=handoff.qualify_due_at,
    )
    return handoff


@transaction.atomic
def handoff_reject(*, tenant: Tenant, actor: Actor, handoff_id: int, reason: str, text: str = "") -> Handoff:
    """The partner declines, with a coded reason (and words of its own; required for "other"). The
    handoff closes and the partner is never offered this lead again."""
    handoff = _partners_own(tenant, actor, handoff_id)
    _require_state(handoff, Handoff.State.OFFERED)
    if reason not in RejectReason.values:
        choices = ", ".join(RejectReason.values)
        raise ServiceError(f"“{reason}” is not a reason to decline; give one of: {choices}.", field="reason")
    text = text.strip()
    if reason == RejectReason.OTHER and not text:
        raise ServiceError("Say why the lead is declined.", field="text")
    before = _state(handoff)
    fields = close(handoff, Handoff.State.REJECTED, timezone.now())
    handoff.reject_reason, handoff.reject_text = reason, text
    _save(handoff, [*fields, "reject_reason", "reject_text"])
    _record(tenant, actor, "handoff.rejected", handoff, before)
    return handoff


@transaction.atomic
def handoff_recall(*, tenant: Tenant, actor: Actor, handoff_id: int) -> Handoff:
    """Staff take an open handoff back: it closes, its clocks stop, and the lead waits in the
    vendor's queue (no open handoff) to be offered again."""
    check_staff(tenant, actor, "recall")
    handoff = _locked(tenant, handoff_id)
    _require_state(handoff, *Handoff.OPEN_STATES)
    before = _state(handoff)
    _save(handoff, close(handoff, Handoff.State.RECALLED, timezone.now()))
    _record(tenant, actor, "handoff.recalled", handoff, before)
    return handoff


@transaction.atomic
def handoff_record_contact(
    *, tenant: Tenant, actor: Actor, handoff_id: int, now: datetime.datetime | None = None
) -> Handoff:
    """The partner logs its first contact with the person: the contact clock stops (later contacts
    are feedback, not this clock's)."""
    handoff = _partners_own(tenant, actor, handoff_id)
    _require_state(handoff, Handoff.State.ACCEPTED)
    if handoff.first_contact_at is not None:
        raise ServiceError("The first contact is already recorded.", field="handoff")
    stop_contact_clock(tenant, actor, handoff, now or timezone.now())
    return handoff


def stop_contact_clock(tenant: Tenant, actor: Actor, handoff: Handoff, at: datetime.datetime) -> None:
    """The first contact stops the contact clock (the one home of that rule: a logged contact and
    a "contacted" feedback both come here). The handoff is locked and accepted, its contact unset."""
    before = _state(handoff)
    handoff.first_contact_at = at
    _save(handoff, ["first_contact_at"], _fired(tenant, handoff))
    _record(tenant, actor, "handoff.contacted", handoff, before, first_contact_at=at)


@transaction.atomic
def handoff_record_qualification(
    *,
    tenant: Tenant,
    actor: Actor,
    handoff_id: int,
    outcome: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Handoff:
    """The partner reports the qualification outcome (qualified or not): the qualify clock stops.
    It comes after the first contact, which is logged first (its own clock's one event)."""
    handoff = _partners_own(tenant, actor, handoff_id)
    _require_state(handoff, Handoff.State.ACCEPTED)
    if outcome not in QualificationOutcome.values:
        choices = ", ".join(QualificationOutcome.values)
        raise ServiceError(f"“{outcome}” is not an outcome; give one of: {choices}.", field="outcome")
    if handoff.qualified_at is not None:
        raise ServiceError("The qualification is already recorded.", field="handoff")
    if handoff.first_contact_at is None:
        raise ServiceError("Log the first contact before the qualification.", field="outcome")
    stop_qualify_clock(tenant, actor, handoff, outcome, note, now or timezone.now())
    return handoff


def stop_qualify_clock(
    tenant: Tenant, actor: Actor, handoff: Handoff, outcome: str, note: str, at: datetime.datetime
) -> None:
    """A qualification outcome stops the qualify clock (the one home of that rule: a reported
    outcome and a qualifying or disqualifying feedback both come here). The handoff is locked,
    accepted, contacted and not yet qualified."""
    before = _state(handoff)
    handoff.qualification, handoff.qualification_note = outcome, note.strip()[:500]
    handoff.qualified_at = at
    _save(handoff, ["qualification", "qualification_note", "qualified_at"], _fired(tenant, handoff))
    _record(tenant, actor, "handoff.qualified", handoff, before, qualified_at=at)


SILENCE_FIELDS = ["silent_at", "silence_nudge_at"]


def start_silence(handoff: Handoff, since: datetime.datetime, policy: SlaPolicy) -> None:
    """From the acceptance or the latest feedback, the handoff falls silent after the policy's
    silent days (calendar days); its one nudge for that silence is due then."""
    handoff.silent_at = handoff.silence_nudge_at = since + datetime.timedelta(days=policy.silent_days)


def _fired(tenant: Tenant, handoff: Handoff) -> set[tuple[str, str]]:
    return selectors.handoff_fired_steps(tenant=tenant, handoff_ids=[handoff.id])[handoff.id]
