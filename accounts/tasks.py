"""Tasks of the accounts app: interfaces only, each calls a service."""

from celery import shared_task

from accounts.services import imports, nudges
from partnerhub.tenancy.context import get_active_tenant
from partnerhub.tenancy.tasking import TenantTask


@shared_task(name="accounts.run_import", base=TenantTask, acks_late=True)
def run_import_task(*, tenant_id: int, job_id: int) -> str | None:
    job = imports.import_job_run(tenant=get_active_tenant(), job_id=job_id)
    return job.status if job is not None else None


@shared_task(name="accounts.sweep_queued_imports", acks_late=True)
def sweep_queued_imports_task() -> int:
    return imports.import_jobs_sweep()


@shared_task(name="accounts.discard_abandoned_imports", acks_late=True)
def discard_abandoned_imports_task() -> int:
    return imports.import_jobs_discard_abandoned()


# --- Follow-up nudges -------------------------------------------------------------------------


@shared_task(name="accounts.send_follow_up_nudges", acks_late=True)
def send_follow_up_nudges_task() -> int:
    return nudges.follow_up_nudges_send()
