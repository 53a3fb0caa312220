"""When a calendar changes, the open handoffs running on it keep the business time they had left:
each future instant of a running clock is recomputed from now on the new calendar
(`leads.business_time.remaining_after_change`); time already used stays used, and an instant
already passed stays where it was (a change never reopens a breached clock, nor fires a step twice).

Which handoffs run on a calendar: those that keep its id; for the tenant's default, also those
that keep none (offered before the default existed, or whose partner calendar was deleted), since
they run on the default (`leads.selectors.calendars.calendar_by_id`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import contextmanager

from django.db.models import Q
from django.utils import timezone

from leads import selectors
from leads.business_time import remaining_after_change
from leads.models import BusinessCalendar, Handoff
from leads.selectors.calendars import calendar_by_id
from leads.services.handoffs import LADDER, current_deadline, next_due, running_clocks
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.bulk_sql import update_rows
from partnerhub.tenancy.models import Tenant

INSTANT_COLUMNS = [column for steps in LADDER.values() for _, column in steps]


def running_on(calendar: BusinessCalendar) -> Q:
    """The handoffs whose clocks run on `calendar`."""
    mine = Q(calendar_id=calendar.id)
    return mine | Q(calendar__isnull=True) if calendar.partner_id is None else mine


@contextmanager
def clocks_kept(
    *,
    tenant: Tenant,
    actor: Actor,
    calendar: BusinessCalendar,
    running: Q | None = None,
    new_calendar_id: Callable[[], int | None] | None = None,
):
    """Around a change of `calendar`: its week before the block, the week after it (the calendar
    itself, or `new_calendar_id()` when the handoffs move to another), then the open handoffs
    `running` on it (by default: running_on(calendar)) recomputed, in the block's transaction."""
    running = running if running is not None else running_on(calendar)
    # Locked first: a clock that starts or stops meanwhile waits for the new instants.
    handoffs = list(
        Handoff.objects.select_for_update(of=("self",)).filter(
            running, tenant=tenant, state__in=Handoff.OPEN_STATES
        )
    )
    old = calendar_by_id(tenant=tenant, calendar_id=calendar.id)
    yield
    target = new_calendar_id() if new_calendar_id is not None else calendar.id
    new = calendar_by_id(tenant=tenant, calendar_id=target)
    changed = reclock(tenant=tenant, handoffs=handoffs, old=old, new=new, now=timezone.now())
    if changed:
        audit(
            tenant=tenant,
            actor=actor,
            action="calendar.clocks_recomputed",
            target=calendar,
            after={"handoffs": changed},
        )


def reclock(*, tenant: Tenant, handoffs: list[Handoff], old, new, now: datetime.datetime) -> int:
    """Recompute the running clocks' future instants of `handoffs` from `old` to `new` at `now`;
    returns how many handoffs changed."""
    fired = selectors.handoff_fired_steps(tenant=tenant, handoff_ids=[handoff.id for handoff in handoffs])
    changed = []
    for handoff in handoffs:
        before = [getattr(handoff, column) for column in INSTANT_COLUMNS]
        for clock in running_clocks(handoff):
            for _, column in LADDER[clock]:
                instant = getattr(handoff, column)
                if instant is not None:
                    setattr(handoff, column, remaining_after_change(instant, now, old, new))
        if [getattr(handoff, column) for column in INSTANT_COLUMNS] != before:
            handoff.next_due_at = next_due(handoff, fired[handoff.id])
            handoff.deadline_at = current_deadline(handoff)
            changed.append(handoff)
    update_rows(changed, [*INSTANT_COLUMNS, "next_due_at", "deadline_at"])
    return len(changed)
