"""Follow-up nudges: sales hears once when a follow-up is due in two days and once when it is
overdue, in the app and by email, however often beat runs the sweep."""

import datetime
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import FollowUpCommitment, FollowUpNudge, Plan
from accounts.services import follow_up_nudges_send
from accounts.tasks import send_follow_up_nudges_task
from partnerhub.celery import app
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent, Heartbeat, Membership, Notification
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.tasks import record_heartbeat_task, send_pending_notification_emails_task
from tests.conftest import make_member
from tests.dbstate import delete_rows, update_rows
from tests.factories import FollowUpCommitmentFactory, PlanFactory, TenantFactory
from tests.threads import run_at_once

# Noon UTC on Tuesday 10 March 2026: "today" is the 10th in a UTC tenant.
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def sales_user(tenant):
    return make_member(tenant, Role.SALES, email="sam@northwind.example", full_name="Sam Sales")


def commitment(tenant, owner, due_on, status=Plan.Status.READY, **fields) -> FollowUpCommitment:
    plan = PlanFactory(tenant=tenant, status=status, name="Healthcare roundtable Q1")
    return FollowUpCommitmentFactory(
        tenant=tenant,
        plan=plan,
        sales_owner=owner,
        due_on=due_on,
        talk_track="Thank them for coming; offer the architecture review.",
        **fields,
    )


def nudges(item) -> list[tuple[str, datetime.date]]:
    return sorted(
        FollowUpNudge.unscoped.filter(commitment=item).values_list("state", "due_on"), key=lambda row: row[1]
    )


def titles(user) -> list[str]:
    return list(Notification.unscoped.filter(user=user).order_by("id").values_list("title", flat=True))


def wait_for(condition, seconds=20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.1)


def worker_done() -> None:
    """Wait until the worker has run every task sent so far: it runs them one at a time, in
    order, so once a heartbeat sent now is recorded, everything before it has run. Twice, for the
    emails those tasks enqueued when they committed."""
    for _ in range(2):
        runs = Heartbeat.objects.filter(name="celery").values_list("run_count", flat=True).first() or 0
        record_heartbeat_task.delay()
        wait_for(lambda runs=runs: Heartbeat.objects.filter(name="celery", run_count__gt=runs).exists())


@pytest.mark.django_db(transaction=True)
def test_the_nudge_task_sends_exactly_one_notification_per_state_even_when_run_twice(
    tenant, sales_user, broker_queue
):
    # Given a ready plan whose follow-up is due in two days (the tenant's today: it is on UTC).
    item = commitment(tenant, sales_user, timezone.localdate() + 2 * DAY)
    plan_url = f"/t/northwind/plans/{item.plan_id}/"

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # When beat runs the nudge task twice, through the broker and a real worker.
        send_follow_up_nudges_task.delay()
        worker_done()
        send_follow_up_nudges_task.delay()
        worker_done()

        # Then one nudge, one notification and one email.
        assert nudges(item) == [("due_soon", item.due_on)]
        assert titles(sales_user) == ["Follow-up due in 2 days: Healthcare roundtable Q1"]
        notification = Notification.unscoped.get(user=sales_user)
        assert (notification.url, notification.partner_id) == (plan_url, None)
        assert notification.email_sent_at is not None
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.to == ["sam@northwind.example"]
        assert email.subject == "Follow-up due in 2 days: Healthcare roundtable Q1 · Northwind Cloud"
        assert "Thank them for coming; offer the architecture review." in email.body
        assert f"http://127.0.0.1:8000{plan_url}" in email.body

        # When the follow-up becomes overdue and the sweep runs twice more.
        three_days_later = timezone.now() + 3 * DAY
        assert follow_up_nudges_send(today_for=three_days_later) == 1
        assert follow_up_nudges_send(today_for=three_days_later) == 0
        worker_done()

    # Then exactly one more of each.
    assert nudges(item) == [("due_soon", item.due_on), ("overdue", item.due_on)]
    assert titles(sales_user)[1:] == ["Follow-up overdue: Healthcare roundtable Q1"]
    assert [email.subject for email in mail.outbox][1:] == [
        "Follow-up overdue: Healthcare roundtable Q1 · Northwind Cloud"
    ]
    events = AuditEvent.unscoped.filter(action="plan.follow_up_nudged").order_by("id")
    assert [(event.actor_label, event.after["state"]) for event in events] == [
        ("System", "due_soon"),
        ("System", "overdue"),
    ]


@pytest.mark.django_db
def test_a_moved_due_date_gets_nudges_of_its_own(tenant, sales_user):
    item = commitment(tenant, sales_user, TODAY + 2 * DAY)
    assert follow_up_nudges_send(today_for=NOW) == 1
    # Sales agrees a new date, which is also two days or less away: a reminder for it.
    update_rows(FollowUpCommitment.unscoped.filter(id=item.id), due_on=TODAY + DAY)
    assert follow_up_nudges_send(today_for=NOW) == 1
    assert follow_up_nudges_send(today_for=NOW) == 0
    assert nudges(item) == [("due_soon", TODAY + DAY), ("due_soon", TODAY + 2 * DAY)]
    assert titles(sales_user) == [
        "Follow-up due in 2 days: Healthcare roundtable Q1",
        "Follow-up due tomorrow: Healthcare roundtable Q1",
    ]
    # Both go out by email from the outbox.
    assert send_pending_notification_emails_task() == 2
    assert [email.to for email in mail.outbox] == [["sam@northwind.example"]] * 2


@pytest.mark.django_db
def test_a_follow_up_found_overdue_gets_the_overdue_nudge_only(tenant, sales_user):
    item = commitment(tenant, sales_user, TODAY - 5 * DAY, status=Plan.Status.LAUNCHED)
    assert follow_up_nudges_send(today_for=NOW) == 1
    assert nudges(item) == [("overdue", TODAY - 5 * DAY)]
    body = Notification.unscoped.get(user=sales_user).body
    assert "were due on Thursday 5 March 2026" in body
    assert "Thank them for coming" in body


@pytest.mark.django_db
def test_done_follow_ups_draft_and_closed_plans_and_far_off_dates_get_no_nudge(tenant, sales_user):
    commitment(tenant, sales_user, TODAY + DAY, done_at=timezone.now())
    commitment(tenant, sales_user, TODAY + DAY, status=Plan.Status.DRAFT)
    commitment(tenant, sales_user, TODAY - DAY, status=Plan.Status.CLOSED)
    commitment(tenant, sales_user, TODAY + 3 * DAY)
    assert follow_up_nudges_send(today_for=NOW) == 0
    assert FollowUpNudge.unscoped.count() == 0
    assert Notification.unscoped.count() == 0


@pytest.mark.django_db
def test_an_owner_who_left_the_tenant_is_not_emailed(tenant, sales_user):
    commitment(tenant, sales_user, TODAY + DAY)
    delete_rows(Membership.unscoped.filter(user=sales_user))
    assert follow_up_nudges_send(today_for=NOW) == 0
    assert Notification.unscoped.count() == 0


@pytest.mark.django_db
def test_the_tenants_time_zone_decides_what_today_is():
    # 20:00 UTC on the 10th is 05:00 on the 11th in Tokyo and 13:00 on the 10th in Los Angeles.
    evening = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)
    tokyo = TenantFactory(slug="tokyo", timezone="Asia/Tokyo")
    los_angeles = TenantFactory(slug="los-angeles", timezone="America/Los_Angeles")
    tokyo_sales = make_member(tokyo, Role.SALES)
    la_sales = make_member(los_angeles, Role.SALES)
    tokyo_soon = commitment(tokyo, tokyo_sales, datetime.date(2026, 3, 13))
    tokyo_past = commitment(tokyo, tokyo_sales, datetime.date(2026, 3, 10))
    la_later = commitment(los_angeles, la_sales, datetime.date(2026, 3, 13))
    la_today = commitment(los_angeles, la_sales, datetime.date(2026, 3, 10))

    assert follow_up_nudges_send(today_for=evening) == 3

    assert nudges(tokyo_soon) == [("due_soon", datetime.date(2026, 3, 13))]
    assert nudges(tokyo_past) == [("overdue", datetime.date(2026, 3, 10))]
    assert nudges(la_later) == []
    assert nudges(la_today) == [("due_soon", datetime.date(2026, 3, 10))]
    assert titles(la_sales) == ["Follow-up due today: Healthcare roundtable Q1"]


@pytest.mark.django_db
def test_a_broker_outage_keeps_the_notification_and_the_outbox_sweep_emails_it_later(
    tenant, sales_user, broker_down, django_capture_on_commit_callbacks
):
    commitment(tenant, sales_user, timezone.localdate() + DAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_follow_up_nudges_task() == 1  # as beat would run it; the email task is lost
    notification = Notification.unscoped.get(user=sales_user)
    assert notification.email_sent_at is None
    assert mail.outbox == []
    # The broker is back; beat runs the outbox sweep.
    assert send_pending_notification_emails_task() == 1
    assert mail.outbox[0].to == ["sam@northwind.example"]
    assert send_pending_notification_emails_task() == 0
    assert send_follow_up_nudges_task() == 0


@pytest.mark.django_db
def test_each_run_sends_at_most_a_batch_and_the_next_run_the_rest(tenant, sales_user):
    for _ in range(5):
        commitment(tenant, sales_user, TODAY + DAY)
    assert follow_up_nudges_send(today_for=NOW, batch=3) == 3
    assert follow_up_nudges_send(today_for=NOW, batch=3) == 2
    assert follow_up_nudges_send(today_for=NOW, batch=3) == 0
    assert Notification.unscoped.filter(user=sales_user).count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_follow_up_another_sweep_is_nudging_is_skipped_and_not_nudged_again(
    tenant, sales_user, broker_queue
):
    item = commitment(tenant, sales_user, TODAY + DAY)
    written, finish = threading.Event(), threading.Event()

    def other_sweep():
        # Another sweep holds the commitment and has written its nudge, not yet committed.
        try:
            with tenant_context(tenant), transaction.atomic():
                FollowUpCommitment.objects.select_for_update().get(id=item.id)
                FollowUpNudge.objects.create(
                    tenant=tenant, commitment=item, state="due_soon", due_on=item.due_on
                )
                written.set()
                finish.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=other_sweep)
    other.start()
    assert written.wait(10)
    # This sweep neither waits for it nor nudges the same follow-up...
    assert follow_up_nudges_send(today_for=NOW) == 0
    finish.set()
    other.join(10)
    # ...nor once the other has committed.
    assert follow_up_nudges_send(today_for=NOW) == 0
    assert nudges(item) == [("due_soon", item.due_on)]
    assert Notification.unscoped.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_nudge_once(tenant, sales_user, broker_queue):
    for _ in range(30):
        commitment(tenant, sales_user, TODAY + DAY)
    results = run_at_once(lambda: follow_up_nudges_send(today_for=NOW))

    assert sum(results) == 30
    assert FollowUpNudge.unscoped.count() == 30
    assert Notification.unscoped.filter(user=sales_user).count() == 30
