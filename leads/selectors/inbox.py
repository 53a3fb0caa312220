"""Reads of the handoff pages: the list (the partner's lead inbox, the vendor's handoffs) with the
deadline of each running clock, the clocks of one handoff, and the context that travels with it
(what the person engaged with, their interest, the recommended next step and the talk track)."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Least

from leads.models import Clock, Handoff, Lead, Touch, TouchKind
from partnerhub.tenancy.models import Tenant

OPEN = Q(state__in=Handoff.OPEN_STATES)
CONTACT_RUNNING = Q(state=Handoff.State.ACCEPTED, first_contact_at__isnull=True)
QUALIFY_RUNNING = Q(state=Handoff.State.ACCEPTED, qualified_at__isnull=True)


def _running(instant: str, running: Q):
    return Case(When(running, then=F(instant)), default=Value(None), output_field=DateTimeField())


def _earliest(kind: str):
    """The earliest `kind` instant of the handoff's running clocks; None when none runs. LEAST
    skips NULLs, so a stopped clock drops out of it."""
    return Least(
        _running(f"accept_{kind}_at", Q(state=Handoff.State.OFFERED)),
        _running(f"contact_{kind}_at", CONTACT_RUNNING),
        _running(f"qualify_{kind}_at", QUALIFY_RUNNING),
    )


def handoff_list(*, tenant: Tenant) -> QuerySet[Handoff]:
    """Handoffs with their lead and partner, `deadline` (the stored earliest due instant of the
    running clocks: what the inbox counts down to and sorts by) and `warn_at` (the earliest warn
    instant of the running clocks)."""
    return (
        Handoff.objects.filter(tenant=tenant)
        .select_related("lead", "lead__account", "lead__program", "partner")
        .annotate(deadline=F("deadline_at"), warn_at=_earliest("warn"))
        # Open handoffs first, the nearest deadline first; then the newest (the inbox indexes' order).
        .order_by(F("deadline_at").asc(nulls_last=True), "-offered_at", "-id")
    )


class SlaState:
    """Where a handoff stands against its running clocks (the inbox's filter and badge)."""

    ON_TIME = "on_time"
    AT_RISK = "at_risk"  # a clock passed its warn instant
    BREACHED = "breached"  # a clock passed its due instant
    CLOSED = "closed"  # no clock runs

    CHOICES = [
        (ON_TIME, "On time"),
        (AT_RISK, "About to breach"),
        (BREACHED, "Breached"),
        (CLOSED, "No clock running"),
    ]


def filter_sla_state(queryset: QuerySet[Handoff], state: str, now: datetime.datetime) -> QuerySet[Handoff]:
    """The handoffs of `handoff_list` in one SLA state at `now`."""
    if state == SlaState.CLOSED:
        return queryset.filter(deadline_at__isnull=True)
    if state == SlaState.BREACHED:
        return queryset.filter(deadline_at__lte=now)
    if state == SlaState.AT_RISK:
        return queryset.filter(deadline_at__gt=now, warn_at__lte=now)
    if state == SlaState.ON_TIME:
        return queryset.filter(deadline_at__gt=now).filter(Q(warn_at__gt=now) | Q(warn_at__isnull=True))
    return queryset


def sla_state(handoff: Handoff, now: datetime.datetime) -> str:
    """The SLA state of one handoff of `handoff_list` (annotated), as filter_sla_state sorts them."""
    if handoff.deadline is None:
        return SlaState.CLOSED
    if handoff.deadline <= now:
        return SlaState.BREACHED
    if handoff.warn_at is not None and handoff.warn_at <= now:
        return SlaState.AT_RISK
    return SlaState.ON_TIME


@dataclass(frozen=True)
class ClockView:
    """One SLA clock of a handoff as its page shows it."""

    clock: str
    label: str
    stopped_by: str
    due_at: datetime.datetime | None
    warn_at: datetime.datetime | None
    stopped_at: datetime.datetime | None
    running: bool

    def state(self, now: datetime.datetime) -> str:
        if not self.running:
            return SlaState.CLOSED
        if self.due_at is not None and self.due_at <= now:
            return SlaState.BREACHED
        if self.warn_at is not None and self.warn_at <= now:
            return SlaState.AT_RISK
        return SlaState.ON_TIME


STOPPED_BY = {
    Clock.ACCEPT: "acceptance",
    Clock.CONTACT: "the first logged contact",
    Clock.QUALIFY: "a qualification outcome",
}


def handoff_clocks(handoff: Handoff) -> list[ClockView]:
    """The clocks that started, in order: the accept clock from the offer, the contact and qualify
    clocks from acceptance. A clock runs until its one event, or until the handoff closes."""
    stops = {
        Clock.ACCEPT: handoff.accepted_at or handoff.closed_at,
        Clock.CONTACT: handoff.first_contact_at,
        Clock.QUALIFY: handoff.qualified_at,
    }
    clocks = []
    for clock in Clock:
        due_at = getattr(handoff, f"{clock}_due_at")
        if due_at is None:
            continue
        stopped_at = stops[clock]
        clocks.append(
            ClockView(
                clock=clock,
                label=str(clock.label),
                stopped_by=STOPPED_BY[clock],
                due_at=due_at,
                warn_at=getattr(handoff, f"{clock}_warn_at"),
                stopped_at=stopped_at,
                running=handoff.is_open and stopped_at is None,
            )
        )
    return clocks


# --- The context that travels with a handoff ------------------------------------------------------

# Which touch says most about what to do next, strongest first, with the step it recommends.
NEXT_STEPS = [
    (TouchKind.MEETING, "Confirm the meeting {name} booked, and send a short agenda the day before."),
    (TouchKind.EMAIL_REPLY, "Answer {name}'s reply personally and propose a 30-minute call."),
    (TouchKind.EVENT_ATTENDED, "Call within a day, starting from what {name} heard at the session."),
    (TouchKind.ASSET_DOWNLOADED, "Send a note on what {name} downloaded and offer a 20-minute call."),
    (TouchKind.EVENT_REGISTERED, "Invite {name} personally to the session they registered for."),
    (TouchKind.LANDING_PAGE_VISIT, "Introduce yourself and offer the assessment the page describes."),
]
DEFAULT_NEXT_STEP = "Introduce yourself and propose a first call."
# Facts of a touch's details worth repeating as the person's interest.
INTEREST_KEYS = ("asset", "event", "topic", "session", "page", "utm_campaign")
TALK_TRACK = re.compile(r"^\s*talk track\s*:\s*(?P<text>.+)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class HandoffContext:
    """What the partner reads before anything else on a handoff: built from the lead's touches and
    the program's pinned sales-enablement component, filled with the lead's specifics."""

    engagement: list[tuple[str, int]]  # (what, how many times), most frequent first
    last_touch_at: datetime.datetime | None
    interest: list[str]
    next_step: str
    talk_track: str
    specifics: list[str] = field(default_factory=list)


def _talk_track(components: dict | None) -> str:
    enablement = (components or {}).get("sales_enablement") or ""
    match = TALK_TRACK.search(enablement)
    return match.group("text").strip() if match else ""


def handoff_context(*, tenant: Tenant, handoff: Handoff, touches: list[Touch]) -> HandoffContext:
    """The handoff's context from the lead's `touches` (the page reads them once, newest first)."""
    lead: Lead = handoff.lead
    name = lead.first_name or lead.full_name or "the contact"
    counts = Counter(touch.kind for touch in touches)
    labels = dict(TouchKind.choices)
    engagement = [(str(labels.get(kind, kind)), count) for kind, count in counts.most_common()]
    interest: list[str] = []
    for touch in touches:
        for key in INTEREST_KEYS:
            value = str((touch.details or {}).get(key) or "").strip()
            if value and value not in interest:
                interest.append(value)
    program = lead.program
    if program is not None and not interest:
        interest.append(f"The program {program.tracking_code}")
    next_step = next(
        (step.format(name=name) for kind, step in NEXT_STEPS if counts.get(kind)), DEFAULT_NEXT_STEP
    )
    specifics = []
    who = ", ".join(part for part in (lead.title, lead.company_name) if part)
    if who:
        specifics.append(f"{lead.full_name or name}: {who}.")
    if lead.account is not None:
        specifics.append(f"{lead.account.name} is one of the vendor's target accounts.")
    if engagement:
        what = "; ".join(
            f"{label.lower()} ({count} times)" if count > 1 else label.lower() for label, count in engagement
        )
        specifics.append(f"Engaged: {what}.")
    return HandoffContext(
        engagement=engagement,
        last_touch_at=touches[0].occurred_at if touches else None,
        interest=interest[:5],
        next_step=next_step,
        talk_track=_talk_track(program.components if program is not None else None),
        specifics=specifics,
    )
