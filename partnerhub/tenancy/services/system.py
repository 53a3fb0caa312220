from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from partnerhub.tenancy.models import Heartbeat, IdempotencyRecord

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
    """Forget answers kept for retries once no client would still retry (cross-tenant sweep)."""
    deleted, _ = IdempotencyRecord.unscoped.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
