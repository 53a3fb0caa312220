from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Heartbeat, IdempotencyRecord
from partnerhub.tenancy.selectors import tenants_owning

IDEMPOTENCY_KEEP = timedelta(hours=24)


def heartbeat_record(*, hostname: str) -> Heartbeat:
    """Stamp the heartbeat row: the task came from beat and ran on `hostname`."""
    heartbeat, _ = Heartbeat.objects.get_or_create(name="celery", defaults={"last_run_at": timezone.now()})
    Heartbeat.objects.filter(id=heartbeat.id).update(
        last_run_at=timezone.now(), worker_hostname=hostname[:200], run_count=F("run_count") + 1
    )
    heartbeat.refresh_from_db()
    return heartbeat


def idempotency_records_purge(*, older_than: timedelta = IDEMPOTENCY_KEEP) -> int:
    """Forget answers kept for retries once no client would still retry. A cross-tenant sweep:
    it lists the tenants with old answers, then deletes tenant by tenant."""
    cutoff = timezone.now() - older_than
    deleted = 0
    for tenant in tenants_owning(IdempotencyRecord.unscoped.filter(created_at__lt=cutoff)):
        with tenant_context(tenant):
            deleted += IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
    return deleted
