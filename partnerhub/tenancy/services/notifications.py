"""Notifications: an in-app row for one member, with its email sent from an outbox.

The row is written in the transaction of the change that caused it; the email goes out from a
task after commit. If the broker is down, or the mail server refuses, the row stays unsent and
the periodic sweep sends it later (at most MAX_EMAIL_ATTEMPTS tries).
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Membership, Notification, Tenant, User

logger = logging.getLogger(__name__)

# After this many failed sends the sweep stops retrying; the notification stays in the app.
MAX_EMAIL_ATTEMPTS = 5
SWEEP_BATCH = 200


@transaction.atomic
def notification_create(
    *, tenant: Tenant, user: User, title: str, body: str = "", url: str = ""
) -> Notification:
    """Notify a member of the tenant, in the app and by email. The recipient's partner company is
    read from their membership and kept on the row, so partner scope applies to it. Someone who
    is not (or no longer) a member is not notified: they could not open the link."""
    _check_url(url)
    try:
        membership = Membership.objects.only("partner_id").get(tenant=tenant, user=user)
    except Membership.DoesNotExist:
        raise ServiceError(f"{user.email} is not a member of {tenant.name}.") from None
    notification = Notification.objects.create(
        tenant=tenant,
        user=user,
        partner_id=membership.partner_id,
        title=title[:200],
        body=body,
        url=url[:500],
    )
    _send_after_commit(notification)
    return notification


def _check_url(url: str) -> None:
    if url and not (url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set())):
        # The page and the email link to it: a path in this portal, never another site.
        raise ServiceError("A notification links to a page of the portal: give its path.", field="url")


@dataclass(frozen=True)
class Notice:
    """One notification to write with notifications_create_many."""

    user: User
    title: str
    body: str = ""
    url: str = ""


@transaction.atomic
def notifications_create_many(*, tenant: Tenant, notices: list[Notice]) -> list[Notification]:
    """notification_create for many at once (a sweep's batch): one query for the recipients'
    memberships, one insert, and one task after commit for all their emails (the outbox sweep
    still sends any the task did not). Someone who is not a member is skipped, as they could
    not open the link."""
    for notice in notices:
        _check_url(notice.url)
    recipients = {notice.user.id for notice in notices}
    memberships = Membership.objects.filter(tenant=tenant, user_id__in=recipients)
    partner_of = dict(memberships.values_list("user_id", "partner_id"))
    created = Notification.objects.bulk_create(
        Notification(
            tenant=tenant,
            user=notice.user,
            partner_id=partner_of[notice.user.id],
            title=notice.title[:200],
            body=notice.body,
            url=notice.url[:500],
        )
        for notice in notices
        if notice.user.id in partner_of
    )
    if created:
        from partnerhub.tenancy.tasking import enqueue_on_commit

        enqueue_on_commit(
            "tenancy.send_notification_emails",
            tenant_id=tenant.id,
            notification_ids=[notification.id for notification in created],
        )
    return created


def notification_emails_send(*, tenant: Tenant, notification_ids: list[int]) -> int:
    """Email each of these notifications once (the task after notifications_create_many)."""
    return sum(notification_send_email(tenant=tenant, notification_id=pk) for pk in notification_ids)


def _send_after_commit(notification: Notification) -> None:
    from partnerhub.tenancy.tasking import enqueue_on_commit

    enqueue_on_commit(
        "tenancy.send_notification_email", tenant_id=notification.tenant_id, notification_id=notification.id
    )


@transaction.atomic
def notification_send_email(*, tenant: Tenant, notification_id: int) -> bool:
    """Email the notification once. Returns False when there is nothing (left) to send, or when
    the mail server refused: the attempt is counted and the sweep tries again later."""
    from partnerhub.tenancy.emails import send_notification_email

    notification = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("tenant", "user")
        .filter(
            tenant=tenant,
            id=notification_id,
            email_sent_at__isnull=True,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
        )
        .first()
    )
    if notification is None:
        return False
    try:
        send_notification_email(notification)
    except Exception:  # SMTP errors, a refused address: none may block the other notifications
        logger.warning("Notification %s: email not sent, will retry.", notification.id, exc_info=True)
        notification.email_attempts = F("email_attempts") + 1
        notification.save(update_fields=["email_attempts"])
        return False
    notification.email_sent_at = timezone.now()
    notification.save(update_fields=["email_sent_at"])
    return True


def notification_emails_send_pending(*, batch: int = SWEEP_BATCH) -> int:
    """Outbox sweep (cross-tenant): send notification emails that never went out, e.g. because the
    broker was down. Each row is locked with SKIP LOCKED when sent, so a task sending it at the
    same moment wins and the sweep moves on. Returns how many were sent."""
    pending = (
        Notification.unscoped.select_related("tenant")
        .filter(email_sent_at__isnull=True, email_attempts__lt=MAX_EMAIL_ATTEMPTS)
        .order_by("email_attempts", "created_at", "id")[:batch]
    )
    sent = 0
    for notification in pending:
        with tenant_context(notification.tenant):
            sent += notification_send_email(tenant=notification.tenant, notification_id=notification.id)
    return sent


@transaction.atomic
def notifications_mark_read(*, tenant: Tenant, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's own unread notifications read: these ids, or all of them. Ids of anyone
    else's notifications are ignored. Returns how many changed."""
    unread = Notification.objects.filter(tenant=tenant, user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(id__in=notification_ids)
    return unread.update(read_at=timezone.now())
