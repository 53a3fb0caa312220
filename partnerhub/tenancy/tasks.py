import socket

from celery import shared_task

from partnerhub.tenancy import services
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Invitation
from partnerhub.tenancy.tasking import TenantTask

SWEEP_BATCH = 200


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
    from partnerhub.tenancy.context import get_active_tenant

    return services.invitation_send(tenant=get_active_tenant(), invitation_id=invitation_id)


@shared_task(name="tenancy.send_pending_invitations", acks_late=True)
def send_pending_invitations_task() -> int:
    """Outbox sweep: send invitations whose email never went out (e.g. the broker was down)."""
    # Cross-tenant by design; each send runs inside its own tenant.
    pending = (
        Invitation.unscoped.select_related("tenant")
        .filter(email_sent_at__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("created_at")[:SWEEP_BATCH]
    )
    sent = 0
    for invitation in pending:
        with tenant_context(invitation.tenant):
            sent += services.invitation_send(tenant=invitation.tenant, invitation_id=invitation.id)
    return sent
