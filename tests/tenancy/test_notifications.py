"""Notifications: each member reads their own, in the app (with an unread badge) and by email from
an outbox that survives a broker outage and a refusing mail server."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.tenancy import services
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Notification
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.services.notifications import MAX_EMAIL_ATTEMPTS
from partnerhub.tenancy.tasks import (
    send_notification_email_task,
    send_notification_emails_task,
    send_pending_notification_emails_task,
)
from tests.conftest import login, make_member
from tests.factories import NotificationFactory, UserFactory

PAGE = "/t/northwind/notifications/"
MARK_READ = "/t/northwind/notifications/mark-read/"


def notify(tenant, user, title="Follow-up due in 2 days: Healthcare Q4", url="/t/northwind/plans/7/"):
    with tenant_context(tenant):
        return services.notification_create(tenant=tenant, user=user, title=title, body="Call them.", url=url)


def badge(html: str) -> str | None:
    """The unread count beside "Notifications" in the sidebar, if shown."""
    found = re.search(r'>Notifications <span class="badge bad"[^>]*>(\d+)</span>', html)
    return found.group(1) if found else None


@pytest.fixture
def colleague(tenant):
    return make_member(tenant, Role.SALES, email="colleague@northwind.example")


# --- The page -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_lists_only_the_members_own_notifications(tenant, admin_user, colleague):
    notify(tenant, admin_user, title="Yours to read")
    notify(tenant, colleague, title="Not for the admin")
    page = login(admin_user).get(PAGE).content.decode()
    assert "Yours to read" in page
    assert 'href="/t/northwind/plans/7/"' in page
    assert "Not for the admin" not in page  # not even a tenant admin reads a colleague's


@pytest.mark.django_db
def test_a_partner_user_reads_their_own_notifications(tenant, partner, partner_user, other_partner):
    colleague_elsewhere = make_member(tenant, Role.PARTNER_USER, partner=other_partner)
    notification = notify(tenant, partner_user, title="Your program starts Monday")
    notify(tenant, colleague_elsewhere, title="Fabrikam news")
    assert notification.partner == partner  # from the membership: partner scope applies to the row
    page = login(partner_user).get(PAGE).content.decode()
    assert "Your program starts Monday" in page
    assert "Fabrikam news" not in page


@pytest.mark.django_db
def test_the_unread_filter_and_the_badge(tenant, manager_user):
    first = notify(tenant, manager_user, title="First")
    notify(tenant, manager_user, title="Second")
    client = login(manager_user)
    with tenant_context(tenant):
        services.notifications_mark_read(tenant=tenant, user=manager_user, notification_ids=[first.id])
    page = client.get(PAGE, {"state": "unread"}).content.decode()
    assert "Second" in page and ">First<" not in page
    assert badge(client.get("/t/northwind/").content.decode()) == "1"


@pytest.mark.django_db
def test_marking_one_then_all_read(tenant, manager_user, colleague):
    first = notify(tenant, manager_user, title="First")
    second = notify(tenant, manager_user, title="Second")
    client = login(manager_user)
    assert badge(client.get(PAGE).content.decode()) == "2"

    response = client.post(MARK_READ, {"notification_id": first.id}, follow=True)
    assert "1 notification marked read." in response.content.decode()
    assert Notification.unscoped.get(id=first.id).read_at is not None
    assert Notification.unscoped.get(id=second.id).read_at is None
    assert badge(response.content.decode()) == "1"

    response = client.post(MARK_READ, follow=True)
    assert "1 notification marked read." in response.content.decode()
    assert badge(response.content.decode()) is None
    assert not Notification.unscoped.filter(user=manager_user, read_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_colleagues_notification_cannot_be_marked_read(tenant, manager_user, colleague):
    theirs = notify(tenant, colleague, title="Theirs")
    response = login(manager_user).post(MARK_READ, {"notification_id": theirs.id}, follow=True)
    assert "no longer there" in response.content.decode()
    assert Notification.unscoped.get(id=theirs.id).read_at is None


@pytest.mark.django_db
def test_the_page_and_the_badge_run_the_same_queries_for_5_or_50_notifications(tenant, manager_user):
    client = login(manager_user)

    def queries(url) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    NotificationFactory.create_batch(5, tenant=tenant, user=manager_user)
    before = [queries(PAGE), queries("/t/northwind/")]
    NotificationFactory.create_batch(45, tenant=tenant, user=manager_user)
    assert [queries(PAGE), queries("/t/northwind/")] == before
    assert badge(client.get("/t/northwind/").content.decode()) == "50"


# --- The service and the outbox -----------------------------------------------------------------


@pytest.mark.django_db
def test_only_members_are_notified_and_only_with_links_into_the_portal(tenant, manager_user):
    outsider = UserFactory()
    with pytest.raises(ServiceError, match="not a member"):
        notify(tenant, outsider)
    for url in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        with pytest.raises(ServiceError, match="page of the portal"):
            notify(tenant, manager_user, url=url)
    assert not Notification.unscoped.exists()


@pytest.mark.django_db
def test_a_notification_is_published_to_the_broker_after_commit(
    tenant, manager_user, broker_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(tenant, manager_user)
    assert broker_queue() == 1


@pytest.mark.django_db
def test_the_email_is_sent_once_with_an_absolute_link(tenant, manager_user):
    notification = notify(tenant, manager_user, title="Follow-up overdue: Healthcare Q4")
    assert send_notification_email_task(tenant_id=tenant.id, notification_id=notification.id) is True
    assert send_notification_email_task(tenant_id=tenant.id, notification_id=notification.id) is False
    assert send_pending_notification_emails_task() == 0
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["pm@northwind.example"]
    assert email.subject == "Follow-up overdue: Healthcare Q4 · Northwind Cloud"
    assert "Call them." in email.body
    assert "http://127.0.0.1:8000/t/northwind/plans/7/" in email.body


@pytest.mark.django_db
def test_a_refused_address_is_retried_a_few_times_without_blocking_the_rest(tenant, manager_user):
    broken_user = make_member(tenant, Role.SALES, email="broken\n@northwind.example")
    broken = notify(tenant, broken_user)
    notify(tenant, manager_user)
    assert send_notification_email_task(tenant_id=tenant.id, notification_id=broken.id) is False
    assert Notification.unscoped.get(id=broken.id).email_attempts == 1
    assert send_pending_notification_emails_task() == 1
    assert [email.to for email in mail.outbox] == [["pm@northwind.example"]]
    for _ in range(MAX_EMAIL_ATTEMPTS + 2):
        send_pending_notification_emails_task()
    broken.refresh_from_db()
    assert (broken.email_attempts, broken.email_sent_at) == (MAX_EMAIL_ATTEMPTS, None)


# --- The emails of a batch ----------------------------------------------------------------------


def members(tenant, count: int, *, start: int = 0) -> list:
    return [
        make_member(tenant, Role.SALES, email=f"member{n}@northwind.example")
        for n in range(start, start + count)
    ]


def queries_of(call) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


@pytest.mark.django_db
def test_a_batchs_emails_cost_as_many_queries_for_twenty_as_for_one(tenant):
    first = [NotificationFactory(tenant=tenant, user=user) for user in members(tenant, 1)]
    sent_one, with_one = queries_of(
        lambda: send_notification_emails_task(tenant_id=tenant.id, notification_ids=[n.id for n in first])
    )
    more = [NotificationFactory(tenant=tenant, user=user) for user in members(tenant, 20, start=1)]
    sent_twenty, with_twenty = queries_of(
        lambda: send_notification_emails_task(tenant_id=tenant.id, notification_ids=[n.id for n in more])
    )

    assert (sent_one, sent_twenty) == (1, 20)
    assert with_twenty == with_one
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        f"member{n}@northwind.example" for n in range(21)
    )
    assert not Notification.unscoped.filter(email_sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_outbox_sweep_costs_as_many_queries_for_twenty_as_for_one(tenant):
    NotificationFactory(tenant=tenant, user=members(tenant, 1)[0])
    sent_one, with_one = queries_of(send_pending_notification_emails_task)
    for user in members(tenant, 20, start=1):
        NotificationFactory(tenant=tenant, user=user)
    sent_twenty, with_twenty = queries_of(send_pending_notification_emails_task)

    assert (sent_one, sent_twenty) == (1, 20)
    assert with_twenty == with_one
    assert len(mail.outbox) == 21


@pytest.mark.django_db
def test_in_a_batch_only_the_emails_that_went_out_are_marked_sent(tenant, manager_user):
    broken_user = make_member(tenant, Role.SALES, email="broken\n@northwind.example")
    batch = [notify(tenant, manager_user), notify(tenant, broken_user), notify(tenant, manager_user)]

    assert send_notification_emails_task(tenant_id=tenant.id, notification_ids=[n.id for n in batch]) == 2

    rows = {row.id: row for row in Notification.unscoped.filter(id__in=[n.id for n in batch])}
    assert [(rows[n.id].email_sent_at is not None, rows[n.id].email_attempts) for n in batch] == [
        (True, 0),
        (False, 1),
        (True, 0),
    ]
    assert [email.to for email in mail.outbox] == [["pm@northwind.example"]] * 2
    # Sent once: the same batch again sends nothing more.
    assert send_notification_emails_task(tenant_id=tenant.id, notification_ids=[n.id for n in batch]) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_with_the_mail_server_down_nothing_is_marked_sent_and_the_sweep_sends_it_later(
    tenant, manager_user, colleague, settings
):
    batch = [notify(tenant, manager_user), notify(tenant, colleague)]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens

    assert send_notification_emails_task(tenant_id=tenant.id, notification_ids=[n.id for n in batch]) == 0
    assert list(Notification.unscoped.values_list("email_sent_at", "email_attempts")) == [(None, 1)] * 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    assert send_pending_notification_emails_task() == 2
    assert sorted(email.to[0] for email in mail.outbox) == [
        "colleague@northwind.example",
        "pm@northwind.example",
    ]
