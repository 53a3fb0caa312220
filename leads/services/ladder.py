"""The escalation ladder of the SLA clocks: a sweep every minute from beat (docs/leads.md, "The
ladder").

For each running clock of an open handoff, in order and each at most once: **warned** (the warn
instant, `warn_percent` of the clock used) nudges the partner's users; **breached** (the due
instant) notifies the partner manager; **recalled** (the due instant plus the grace) ends the
handoff, expired when the partner never accepted it, recalled otherwise, and the lead is routed
to the next partner (leads.services.routing.lead_reroute) or goes back to the vendor's queue, in
the same transaction.

How the sweep keeps "at most once" and loses nothing:
- It lists the due handoffs across tenants (`next_due_at <= now`, through the partial index on
  open handoffs), then works tenant by tenant inside `tenant_context`, locking its rows with
  `FOR UPDATE SKIP LOCKED` in one transaction per tenant batch: a row another sweep holds is left
  to it.
- Each step inserts its `HandoffEscalation` row first (`ON CONFLICT DO NOTHING`); when the row was
  there already, the step fired before and is skipped. The unique key on (handoff, clock, step) is
  the backstop.
- The notification rows are written in the same transaction; their emails go out after commit
  through the notification outbox, so a broker outage delays an email and loses nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from leads import selectors
from leads.models import Clock, Handoff, HandoffEscalation, Step
from leads.services.handoffs import close, current_deadline, next_due, pending_steps
from leads.services.routing import lead_reroute
from leads.sweeps import sweep_tenants
from partnerhub.tenancy.audit import audit_many
from partnerhub.tenancy.bulk_sql import update_rows
from partnerhub.tenancy.models import Tenant, User
from partnerhub.tenancy.services.notifications import Notice, notifications_create_many

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Exactly the rows of the partial index handoff_ladder_due_idx.
LADDER_DUE = Q(state__in=Handoff.OPEN_STATES, next_due_at__isnull=False)

_INSERT_ESCALATIONS = (
    f"INSERT INTO {HandoffEscalation._meta.db_table} (tenant_id, handoff_id, clock, step, at, created_at) "
    "VALUES {values} ON CONFLICT (tenant_id, handoff_id, clock, step) DO NOTHING "
    "RETURNING handoff_id, clock, step"
)


def _escalations_inserted(tenant: Tenant, wanted: list[tuple[Handoff, str, str, datetime.datetime]], now):
    """Insert the steps' rows in one statement; the (handoff id, clock, step) whose row was not
    there yet: those fire, the others fired already (another sweep, a run before a crash)."""
    if not wanted:
        return set()
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(wanted))
    rows = [(tenant.id, handoff.id, clock, step, at, now) for handoff, clock, step, at in wanted]
    params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_ESCALATIONS.format(values=values), params)
        return set(cursor.fetchall())


def _lead_url(tenant: Tenant, handoff: Handoff) -> str:
    return reverse("leads:lead_detail", kwargs={"tenant_slug": tenant.slug, "lead_id": handoff.lead_id})


def _when(at: datetime.datetime, tenant: Tenant) -> str:
    local = at.astimezone(tenant.zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({tenant.timezone})"


DEADLINE_NAMES = {
    Clock.ACCEPT: "accept the lead",
    Clock.CONTACT: "log the first contact",
    Clock.QUALIFY: "report the qualification",
}


class SweepBatch:
    """What one tenant batch of a sweep (the ladder, silent handoffs) writes, gathered and then
    written set-based: the notifications in one insert, the audit events in another. Recipients are
    read once per batch: the partners' users in one query, each partner's managers once."""

    def __init__(self, tenant: Tenant, partner_ids: set[int]):
        self.tenant = tenant
        self._users = selectors.partner_users_by_partner(tenant=tenant, partner_ids=partner_ids)
        self._managers: dict[int, list[User]] = {}
        self.notices: list[Notice] = []
        self.events: list[tuple[str, Handoff, dict | None, dict | None]] = []

    def users(self, partner) -> list[User]:
        return self._users.get(partner.id, [])

    def managers(self, partner) -> list[User]:
        if partner.id not in self._managers:
            self._managers[partner.id] = selectors.partner_managers(tenant=self.tenant, partner=partner)
        return self._managers[partner.id]

    def notify(self, users, title: str, body: str, url: str = "") -> None:
        self.notices.extend(Notice(user=user, title=title, body=body, url=url) for user in users)

    def audit(self, action: str, handoff: Handoff, before: dict | None, after: dict) -> None:
        self.events.append((action, handoff, before, after))

    def write(self) -> None:
        if self.notices:
            notifications_create_many(tenant=self.tenant, notices=self.notices)
        if self.events:
            audit_many(tenant=self.tenant, actor=None, events=self.events)


def _fire(batch: SweepBatch, handoff: Handoff, clock: str, step: str, at, now) -> None:
    """The step's effect: its notifications, and for a recall the end of the handoff."""
    tenant, lead, partner = batch.tenant, handoff.lead, handoff.partner
    name = str(lead)
    deadline = f"{DEADLINE_NAMES[clock]} by {_when(getattr(handoff, f'{clock}_due_at'), tenant)}"
    if step == Step.WARNED:
        batch.notify(batch.users(partner), f"Deadline soon: {name}", f"Please {deadline}.")
    elif step == Step.BREACHED:
        batch.notify(
            batch.managers(partner),
            f"SLA breached: {partner.name}, {name}",
            f"{partner.name} did not {deadline}.",
            _lead_url(tenant, handoff),
        )
    else:
        before = handoff.state
        to_state = Handoff.State.EXPIRED if clock == Clock.ACCEPT else Handoff.State.RECALLED
        close(handoff, to_state, now)
        batch.notify(
            batch.users(partner),
            f"Lead taken back: {name}",
            f"The lead was recalled: {partner.name} did not {deadline}.",
        )
        batch.notify(
            batch.managers(partner),
            f"Lead back in the queue: {name}",
            f"{partner.name} did not {deadline}; the handoff is {handoff.get_state_display().lower()} and "
            "the lead is routed to the next partner, or waits in the queue.",
            _lead_url(tenant, handoff),
        )
        batch.audit(f"handoff.{to_state}", handoff, {"status": before}, {"status": to_state, "clock": clock})
    if step != Step.RECALLED:
        batch.audit("handoff.escalated", handoff, None, {"clock": clock, "step": step, "at": at.isoformat()})


# What a batch changes on its handoffs: the next instant, and for a recall the end (no deadline left).
SWEPT_FIELDS = ["next_due_at", "deadline_at", "state", "closed_at", "updated_at"]


def _due_steps(handoff: Handoff, done: set, now) -> list[tuple[datetime.datetime, str, str]]:
    """The steps of `handoff` due at `now`, in ladder order, up to and with a recall (which ends it)."""
    due = []
    for at, clock, step in pending_steps(handoff, done):
        if at > now:
            break
        due.append((at, clock, step))
        if step == Step.RECALLED:
            break
    return due


def _sweep_tenant(*, tenant: Tenant, handoff_ids: list[int], now: datetime.datetime) -> int:
    """Fire the due steps of these handoffs, in one transaction; rows another sweep holds are
    skipped. Set-based: a constant number of statements for the whole batch (the rows locked, the
    steps fired before, the escalation rows, the notifications, the audit events, the handoffs'
    new instants), whatever its size. Returns how many steps fired."""
    handoffs = list(
        Handoff.objects.filter(LADDER_DUE, tenant=tenant, id__in=handoff_ids, next_due_at__lte=now)
        .select_related("lead", "partner", "partner__account_manager")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_due_at", "id")
    )
    if not handoffs:
        return 0
    fired = selectors.handoff_fired_steps(tenant=tenant, handoff_ids=[handoff.id for handoff in handoffs])
    due = {handoff.id: _due_steps(handoff, fired[handoff.id], now) for handoff in handoffs}
    inserted = _escalations_inserted(
        tenant,
        [(handoff, clock, step, at) for handoff in handoffs for at, clock, step in due[handoff.id]],
        now,
    )
    batch = SweepBatch(tenant, {handoff.partner_id for handoff in handoffs})
    for handoff in handoffs:
        done = fired[handoff.id]
        for at, clock, step in due[handoff.id]:
            done.add((clock, step))
            if (handoff.id, clock, step) not in inserted:
                logger.info("Handoff %s: %s %s fired already.", handoff.id, clock, step)
                continue
            _fire(batch, handoff, clock, step, at, now)
        handoff.next_due_at = next_due(handoff, done)
        handoff.deadline_at, handoff.updated_at = current_deadline(handoff), now
    update_rows(handoffs, SWEPT_FIELDS)
    batch.write()
    for handoff in handoffs:
        if not handoff.is_open:  # recalled by this run (each recall fires once): route it onwards
            lead_reroute(tenant=tenant, lead_id=handoff.lead_id, now=now)
    return len(inserted)


def handoff_ladder_sweep(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Ladder sweep (cross-tenant): fire every due step of at most `batch` handoffs, tenant by
    tenant. Run twice, or twice at once, each step fires once. Returns how many steps fired."""
    now = now or timezone.now()
    due = Handoff.unscoped.filter(LADDER_DUE, next_due_at__lte=now).order_by("next_due_at", "id")
    return sweep_tenants(
        due,
        batch=batch,
        work=lambda tenant, ids: _sweep_tenant(tenant=tenant, handoff_ids=ids, now=now),
        what="Ladder",
    )
