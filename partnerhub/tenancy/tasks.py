"""Tasks of the tenancy core: interfaces only, each loads what it needs and calls a service."""

import socket

from celery import shared_task

from partnerhub.tenancy import services
from partnerhub.tenancy.context import get_active_tenant
from partnerhub.tenancy.tasking import TenantTask


@shared_task(name="tenancy.record_heartbeat", acks_late=True)
def record_heartbeat_task() -> None:
    services.heartbeat_record(hostname=socket.gethostname())


@shared_task(
    name="tenancy.send_invitation",
    base=TenantTask,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_invitation_task(*, tenant_id: int, invitation_id: int) -> bool:
    return services.invitation_send(tenant=get_active_tenant(), invitation_id=invitation_id)


@shared_task(name="tenancy.send_pending_invitations", acks_late=True)
def send_pending_invitations_task() -> int:
    return services.invitation_send_pending()


@shared_task(name="tenancy.purge_idempotency_records", acks_late=True)
def purge_idempotency_records_task() -> int:
    return services.idempotency_records_purge()


@shared_task(name="tenancy.send_notification_email", base=TenantTask, acks_late=True)
def send_notification_email_task(*, tenant_id: int, notification_id: int) -> bool:
    # No autoretry: a refused send is counted on the row and the outbox sweep retries it.
    return services.notification_send_email(tenant=get_active_tenant(), notification_id=notification_id)


@shared_task(name="tenancy.send_notification_emails", base=TenantTask, acks_late=True)
def send_notification_emails_task(*, tenant_id: int, notification_ids: list[int]) -> int:
    # The emails of a sweep's batch: one task for all of them, each sent once (as above).
    return services.notification_emails_send(tenant=get_active_tenant(), notification_ids=notification_ids)


@shared_task(name="tenancy.send_pending_notification_emails", acks_late=True)
def send_pending_notification_emails_task() -> int:
    return services.notification_emails_send_pending()
