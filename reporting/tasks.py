"""Tasks of the reporting app: interfaces only, each calls a service."""

from celery import shared_task

from partnerhub.tenancy.context import get_active_tenant
from partnerhub.tenancy.tasking import TenantTask
from reporting.services import checkpoints, nudges, rollups


@shared_task(name="reporting.freeze_due_checkpoints", acks_late=True)
def freeze_due_checkpoints_task() -> int:
    return checkpoints.checkpoints_freeze_due()


@shared_task(name="reporting.nudge_untouched_accounts", acks_late=True)
def nudge_untouched_accounts_task() -> int:
    return nudges.plans_nudged_untouched()


@shared_task(name="reporting.refresh_rollups", acks_late=True)
def refresh_rollups_task() -> int:
    """Every tenant's dashboard rollups, incrementally (the beat schedule runs it)."""
    return rollups.rollups_refresh_all()


@shared_task(name="reporting.refresh_rollups_full", acks_late=True)
def refresh_rollups_full_task() -> int:
    """Every tenant's rollups rewritten whole (nightly): deleted source rows drop out."""
    return rollups.rollups_refresh_all(full=True)


@shared_task(name="reporting.refresh_tenant_rollups", base=TenantTask, acks_late=True)
def refresh_tenant_rollups_task(*, tenant_id: int) -> int:
    """One tenant's "Refresh now"; idempotent, so a repeat costs one small refresh."""
    return rollups.rollups_refresh(get_active_tenant()).rows
