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


@transaction.atomic
def notification_emails_send(*, tenant: Tenant, notification_ids: list[int]) -> int:
    """Email each of these notifications once (the task after notifications_create_many, the
    outbox sweep). The batch is read and locked in one query with what the email needs (SKIP
    LOCKED: a row another task is sending is left to it); each email is sent, and only then are
    the sent rows marked, in one UPDATE, and the refused ones counted, in another, for the sweep to
    retry. A crash before the commit marks nothing: those emails go out again (at least once, never
    lost). Returns how many were sent."""
    from partnerhub.tenancy.emails import send_notification_email

    notifications = list(
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("tenant", "user")
        .filter(
            tenant=tenant,
            id__in=notification_ids,
            email_sent_at__isnull=True,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
        )
        .order_by("id")
    )
    sent, refused = [], []
    for notification in notifications:
        try:
            send_notification_email(notification)
        except Exception:  # SMTP errors, a refused address: none may block the other notifications
            logger.warning("Notification %s: email not sent, will retry.", notification.id, exc_info=True)
            refused.append(notification.id)
        else:
            sent.append(notification.id)
    if sent:
        Notification.objects.filter(tenant=tenant, id__in=sent).update(email_sent_at=timezone.now())
    if refused:
        Notification.objects.filter(tenant=tenant, id__in=refused).update(
            email_attempts=F("email_attempts") + 1
        )
    return len(sent)


def _send_after_commit(notification: Notification) -> None:
    from partnerhub.tenancy.tasking import enqueue_on_commit

    enqueue_on_commit(
        "tenancy.send_notification_email", tenant_id=notification.tenant_id, notification_id=notification.id
    )


def notification_send_email(*, tenant: Tenant, notification_id: int) -> bool:
    """Email the notification once (notification_emails_send for one). Returns False when there is
    nothing (left) to send, or when the mail server refused: the attempt is counted and the sweep
    tries again later."""
    return notification_emails_send(tenant=tenant, notification_ids=[notification_id]) == 1


def notification_emails_send_pending(*, batch: int = SWEEP_BATCH) -> int:
    """Outbox sweep (cross-tenant): send notification emails that never went out, e.g. because the
    broker was down: the first `batch` of them in one query, then each tenant's share through
    notification_emails_send (its rows locked with SKIP LOCKED, so a task sending one at the same
    moment wins and the sweep moves on). Returns how many were sent."""
    pending = (
        Notification.unscoped.filter(email_sent_at__isnull=True, email_attempts__lt=MAX_EMAIL_ATTEMPTS)
        .order_by("email_attempts", "created_at", "id")
        .values_list("id", "tenant_id")[:batch]
    )
    ids_by_tenant: dict[int, list[int]] = {}
    for notification_id, tenant_id in pending:
        ids_by_tenant.setdefault(tenant_id, []).append(notification_id)
    sent = 0
    for tenant in Tenant.objects.filter(id__in=ids_by_tenant).order_by("id"):
        with tenant_context(tenant):
            sent += notification_emails_send(tenant=tenant, notification_ids=ids_by_tenant[tenant.id])
    return sent


@transaction.atomic
def notifications_mark_read(*, tenant: Tenant, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's own unread notifications read: these ids, or all of them. Ids of anyone
    else's notifications are ignored. Returns how many changed."""
    unread = Notification.objects.filter(tenant=tenant, user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(id__in=notification_ids)
    return unread.update(read_at=timezone.now())
