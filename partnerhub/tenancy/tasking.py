"""Celery plumbing shared by every app: tenant activation and a broker-safe enqueue."""

import logging

from celery import Task, current_app
from django.db import transaction

from partnerhub.tenancy.context import tenant_context

logger = logging.getLogger(__name__)


class TenantTask(Task):
    """A task that runs inside its tenant: it must be called with a `tenant_id` keyword argument."""

    abstract = True

    def __call__(self, *args, **kwargs):
        from partnerhub.tenancy.models import Tenant

        if "tenant_id" not in kwargs:
            raise TypeError(f"{self.name} is a TenantTask and needs tenant_id=")
        tenant = Tenant.objects.filter(id=kwargs["tenant_id"]).first()
        if tenant is None:
            logger.warning("%s: tenant %s no longer exists; nothing to do.", self.name, kwargs["tenant_id"])
            return None
        with tenant_context(tenant):
            return super().__call__(*args, **kwargs)


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """Send the task registered as `task_name` after the current transaction commits.

    Services name their tasks instead of importing them: a task module imports its services, so
    the services importing the tasks back would be a circle (tests/test_architecture.py). An
    unknown name fails here, at once, not silently in the worker.

    A broker outage must not break the request that made the change: the write is already
    committed, and the row it concerns stays marked as pending so a periodic sweep sends it later.
    """
    if task_name not in current_app.tasks:
        # A web process imports no tasks module of its own: Celery's autodiscovery runs in workers
        # only. Import them now (once), so the name resolves here as it does in the worker.
        current_app.loader.import_default_modules()
    task = current_app.tasks[task_name]

    def send() -> None:
        try:
            task.apply_async(kwargs=kwargs)
        except Exception:  # the broker's errors vary by transport; none may reach the user
            logger.warning("Broker unavailable: %s left for the next sweep.", task.name, exc_info=True)

    transaction.on_commit(send)
