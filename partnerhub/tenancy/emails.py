from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from partnerhub.tenancy.models import Invitation, Notification


def absolute_url(path: str) -> str:
    return settings.PARTNERHUB_BASE_URL.rstrip("/") + path


def send_invitation_email(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "tenant": invitation.tenant,
        "accept_url": absolute_url(reverse("invitation_accept", kwargs={"token": token})),
    }
    send_mail(
        subject=render_to_string("tenancy/email/invitation_subject.txt", context).strip(),
        message=render_to_string("tenancy/email/invitation_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


def send_notification_email(notification: Notification) -> None:
    """Plain text: the notification, and an absolute link to where it points in the portal."""
    path = notification.url or reverse(
        "tenancy:notification_list", kwargs={"tenant_slug": notification.tenant.slug}
    )
    context = {"notification": notification, "tenant": notification.tenant, "link": absolute_url(path)}
    send_mail(
        # One line whatever the title holds: a newline in a header is refused by the mailer.
        subject=" ".join(render_to_string("tenancy/email/notification_subject.txt", context).split()),
        message=render_to_string("tenancy/email/notification_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notification.user.email],
    )
