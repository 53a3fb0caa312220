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
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from leads import selectors
from leads.models import Clock, Handoff, HandoffEscalation, Step
from leads.services.handoffs import close, next_due, pending_steps
from leads.services.routing import lead_reroute
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Tenant, User
from partnerhub.tenancy.services.notifications import notification_create

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Exactly the rows of the partial index handoff_ladder_due_idx.
LADDER_DUE = Q(state__in=Handoff.OPEN_STATES, next_due_at__isnull=False)

_INSERT_ESCALATION = (
    f"INSERT INTO {HandoffEscalation._meta.db_table} (tenant_id, handoff_id, clock, step, at, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (tenant_id, handoff_id, clock, step) DO NOTHING RETURNING id"
)


def _escalation_inserted(tenant: Tenant, handoff: Handoff, clock: str, step: str, at, now) -> bool:
    """Insert the step's row; False when it was there (the step fired already)."""
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_ESCALATION, [tenant.id, handoff.id, clock, step, at, now])
        return cursor.fetchone() is not None


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


def _notify(tenant: Tenant, users, title: str, body: str, url: str = "") -> int:
    for user in users:
        notification_create(tenant=tenant, user=user, title=title, body=body, url=url)
    return len(users)


class _Recipients:
    """Who a partner's steps notify, read once per partner and sweep (a batch holds many handoffs
    of one partner), and only the side a step needs."""

    def __init__(self, tenant: Tenant):
        self.tenant, self._users, self._managers = tenant, {}, {}

    def users(self, partner) -> list[User]:
        if partner.id not in self._users:
            self._users[partner.id] = list(selectors.partner_users(tenant=self.tenant, partner_id=partner.id))
        return self._users[partner.id]

    def managers(self, partner) -> list[User]:
        if partner.id not in self._managers:
            self._managers[partner.id] = selectors.partner_managers(tenant=self.tenant, partner=partner)
        return self._managers[partner.id]


def _fire(
    tenant: Tenant, handoff: Handoff, clock: str, step: str, at, now, recipients: _Recipients
) -> list[str]:
    """The step's effect: its notifications, and for a recall the end of the handoff. Returns the
    handoff fields it changed."""
    lead, partner = handoff.lead, handoff.partner
    name = str(lead)
    deadline = f"{DEADLINE_NAMES[clock]} by {_when(getattr(handoff, f'{clock}_due_at'), tenant)}"
    partner_users = recipients.users(partner) if step != Step.BREACHED else []
    managers = recipients.managers(partner) if step != Step.WARNED else []
    fields: list[str] = []
    if step == Step.WARNED:
        _notify(tenant, partner_users, f"Deadline soon: {name}", f"Please {deadline}.")
    elif step == Step.BREACHED:
        _notify(
            tenant,
            managers,
            f"SLA breached: {partner.name}, {name}",
            f"{partner.name} did not {deadline}.",
            _lead_url(tenant, handoff),
        )
    else:
        before = handoff.state
        to_state = Handoff.State.EXPIRED if clock == Clock.ACCEPT else Handoff.State.RECALLED
        fields = close(handoff, to_state, now)
        _notify(
            tenant,
            partner_users,
            f"Lead taken back: {name}",
            f"The lead was recalled: {partner.name} did not {deadline}.",
        )
        _notify(
            tenant,
            managers,
            f"Lead back in the queue: {name}",
            f"{partner.name} did not {deadline}; the handoff is {handoff.get_state_display().lower()} and "
            "the lead is routed to the next partner, or waits in the queue.",
            _lead_url(tenant, handoff),
        )
        audit(
            tenant=tenant,
            actor=None,
            action=f"handoff.{to_state}",
            target=handoff,
            before={"status": before},
            after={"status": to_state, "clock": clock},
        )
    if step != Step.RECALLED:
        audit(
            tenant=tenant,
            actor=None,
            action="handoff.escalated",
            target=handoff,
            after={"clock": clock, "step": step, "at": at.isoformat()},
        )
    return fields


def _sweep_tenant(*, tenant: Tenant, handoff_ids: list[int], now: datetime.datetime) -> int:
    """Fire the due steps of these handoffs, in one transaction; rows another sweep holds are
    skipped. Returns how many steps fired."""
    handoffs = list(
        Handoff.objects.filter(LADDER_DUE, tenant=tenant, id__in=handoff_ids, next_due_at__lte=now)
        .select_related("lead", "partner", "partner__account_manager")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_due_at", "id")
    )
    fired = selectors.handoff_fired_steps(tenant=tenant, handoff_ids=[handoff.id for handoff in handoffs])
    count, recipients = 0, _Recipients(tenant)
    for handoff in handoffs:
        done, changed = fired[handoff.id], ["next_due_at"]
        for at, clock, step in pending_steps(handoff, done):
            if at > now or not handoff.is_open:
                break
            done.add((clock, step))
            if not _escalation_inserted(tenant, handoff, clock, step, at, now):
                logger.info("Handoff %s: %s %s fired already.", handoff.id, clock, step)
                continue
            changed += _fire(tenant, handoff, clock, step, at, now, recipients)
            count += 1
        handoff.next_due_at = next_due(handoff, done)
        handoff.save(update_fields=[*changed, "updated_at"])
        if not handoff.is_open:  # recalled by this run (each recall fires once): route it onwards
            lead_reroute(tenant=tenant, lead_id=handoff.lead_id, now=now)
    return count


def handoff_ladder_sweep(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Ladder sweep (cross-tenant): fire every due step of at most `batch` handoffs, tenant by
    tenant. Run twice, or twice at once, each step fires once. Returns how many steps fired."""
    now = now or timezone.now()
    due = Handoff.unscoped.filter(LADDER_DUE, next_due_at__lte=now).order_by("next_due_at", "id")
    return sweep_tenants(
        due, batch=batch, work=lambda **kwargs: _sweep_tenant(**kwargs, now=now), what="Ladder"
    )


def sweep_tenants(due: QuerySet, *, batch: int, work: Callable[..., int], what: str) -> int:
    """A cross-tenant sweep of handoffs: the ids of at most `batch` due rows (read across tenants
    through their partial index), then `work(tenant=, handoff_ids=)` tenant by tenant, inside the
    tenant and one transaction each. Returns the sum of what `work` returned."""
    ids_by_tenant: dict[int, list[int]] = {}
    for handoff_id, tenant_id in due.values_list("id", "tenant_id")[:batch]:
        ids_by_tenant.setdefault(tenant_id, []).append(handoff_id)
    done = 0
    for tenant in Tenant.objects.filter(id__in=ids_by_tenant).order_by("id"):
        try:
            with tenant_context(tenant), transaction.atomic():
                done += work(tenant=tenant, handoff_ids=ids_by_tenant[tenant.id])
        except Exception:  # one tenant's trouble must not hold up everyone else's sweep
            logger.exception("%s sweep of tenant %s failed; retried on the next run.", what, tenant.id)
    return done
