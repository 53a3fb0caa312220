"""The checkpoint sweep: each due checkpoint of a launched plan is evaluated and frozen once
(`accounts.services.programs.checkpoint_freeze` holds the once), and the plan's owner and its
follow-up owner hear the result: met or missed, and by how much. The plan's MDF tranches waiting for
the checkpoint are settled with it (mdf.services.tranches)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Checkpoint, Plan
from accounts.services.programs import checkpoint_freeze
from mdf.services.tranches import tranches_settle_for_checkpoint
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant, User
from partnerhub.tenancy.selectors import tenants_owning
from partnerhub.tenancy.services.notifications import notification_create
from reporting.selectors.checkpoints import checkpoint_snapshot, checkpoint_window, checkpoints_due
from reporting.selectors.scorecard import plan_figures

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200
# The latest local date anywhere on Earth (UTC+14) is at most one day after the UTC date.
LATEST_UTC_OFFSET = datetime.timedelta(hours=14)


def _tenants_with_due_checkpoints(now: datetime.datetime) -> list[Tenant]:
    """Tenants that may have a checkpoint due (cross-tenant; the partial index on open ones)."""
    horizon = (now + LATEST_UTC_OFFSET).date()
    return tenants_owning(Checkpoint.unscoped.filter(frozen_at__isnull=True, due_on__lte=horizon))


def checkpoints_freeze_due(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Freeze every checkpoint whose due day has come in its tenant's time zone (cross-tenant), at
    most `batch` per run. Run twice, or twice at once, it freezes nothing more and notifies no one
    again. Returns how many checkpoints it froze."""
    now = now or timezone.now()
    frozen = 0
    for tenant in _tenants_with_due_checkpoints(now):
        if frozen >= batch:
            break
        try:
            with tenant_context(tenant):
                frozen += _freeze_tenant(tenant=tenant, now=now, limit=batch - frozen)
        except Exception:  # one tenant's trouble must not hold up everyone else's checkpoints
            logger.exception("Checkpoints of tenant %s failed; retried on the next run.", tenant.id)
    return frozen


def _freeze_tenant(*, tenant: Tenant, now: datetime.datetime, limit: int) -> int:
    due = list(checkpoints_due(tenant=tenant, today=tenant.local_date(now), limit=limit))
    windows = [checkpoint_window(tenant, checkpoint.plan, checkpoint) for checkpoint in due]
    frozen = 0
    for checkpoint, figures in zip(due, plan_figures(tenant=tenant, windows=windows), strict=True):
        snapshot = checkpoint_snapshot(
            tenant=tenant, plan=checkpoint.plan, checkpoint=checkpoint, figures=figures, evaluated_at=now
        )
        with transaction.atomic():
            done = checkpoint_freeze(
                tenant=tenant, actor=None, checkpoint_id=checkpoint.id, snapshot=snapshot
            )
            if done is None:  # another sweep froze it first
                continue
            _tell_owners(tenant, checkpoint.plan, done)
            # MDF tranches waiting for this checkpoint: paid if met, held if not (same transaction).
            tranches_settle_for_checkpoint(tenant=tenant, checkpoint=done, now=now)
        frozen += 1
    return frozen


def plan_owners(plan: Plan) -> list[User]:
    """Who hears about a plan's results: its partner marketing owner (else whoever created it) and
    its follow-up's sales owner."""
    owners = [plan.owner_partner_marketing or plan.created_by]
    follow_up = getattr(plan, "follow_up", None)
    if follow_up is not None:
        owners.append(follow_up.sales_owner)
    unique = {user.id: user for user in owners if user is not None}
    return list(unique.values())


def _figure(value, measure: dict) -> str:
    return f"{value} {measure['currency']}" if "currency" in measure else str(value)


def result_lines(snapshot: dict) -> list[str]:
    """One line per measure: "Meetings booked from named accounts: 3 of 5, 2 short"."""
    lines = []
    for measure in snapshot["measures"]:
        actual = _figure(measure["actual"], measure)
        if measure["target"] is None:
            lines.append(f"{measure['label']}: {actual} (no target set)")
        elif measure["met"]:
            lines.append(f"{measure['label']}: {actual}, target {_figure(measure['target'], measure)}: met")
        else:
            lines.append(
                f"{measure['label']}: {actual} of {_figure(measure['target'], measure)}, "
                f"{_figure(measure['gap'], measure)} short"
            )
    return lines


def result_word(met: bool | None) -> str:
    return {True: "met", False: "missed", None: "recorded"}[met]


def _tell_owners(tenant: Tenant, plan: Plan, checkpoint: Checkpoint) -> None:
    snapshot = checkpoint.snapshot
    title = f"Day {checkpoint.day} checkpoint {result_word(snapshot['met'])}: {plan}"
    body = "\n".join(
        [
            f"The day {checkpoint.day} checkpoint of {plan} was evaluated for "
            f"{snapshot['period']['from']} to {snapshot['period']['to']}.",
            "",
            *result_lines(snapshot),
        ]
    )
    url = reverse("accounts:plan_detail", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.id})
    for user in plan_owners(plan):
        try:
            notification_create(tenant=tenant, user=user, title=title, body=body, url=url)
        except ServiceError:  # the owner has left the tenant: nobody to tell at that address
            logger.info("Checkpoint %s: %s is no longer a member.", checkpoint.id, user.email)
