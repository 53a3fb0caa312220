"""The SLA ladder: warned → breached → recalled, each exactly once per handoff and clock, however
often the sweep runs and when two sweeps run at once; who hears of each step; nothing lost when
the broker is down."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from leads.models import Handoff, HandoffEscalation
from leads.services import handoff_accept, handoff_ladder_sweep, handoff_offer
from leads.tasks import handoff_ladder_sweep_task
from partnerhub.celery import app
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent, Notification
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.tasks import send_pending_notification_emails_task
from tests.conftest import make_member
from tests.dbstate import update_rows
from tests.factories import (
    BusinessCalendarFactory,
    HandoffEscalationFactory,
    PartnerFactory,
    ReadyLeadFactory,
)
from tests.threads import run_at_once

# Monday 11 January 2027, 09:00 UTC, on the built-in week (Mon-Fri 09:00-17:00) of a UTC tenant:
# the accept clock (24 business hours) warns on Wednesday at 11:00 (18 h), is due on Wednesday at
# 17:00 and is recalled on the next Monday at 17:00 (24 business hours of grace).
OFFERED = datetime.datetime(2027, 1, 11, 9, 0, tzinfo=datetime.UTC)
WARN = datetime.datetime(2027, 1, 13, 11, 0, tzinfo=datetime.UTC)
DUE = datetime.datetime(2027, 1, 13, 17, 0, tzinfo=datetime.UTC)
RECALL = datetime.datetime(2027, 1, 18, 17, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def account_manager(tenant):
    return make_member(tenant, Role.PARTNER_MANAGER, email="alex@northwind.example")


@pytest.fixture
def partner(tenant, account_manager):
    return PartnerFactory(tenant=tenant, name="Contoso Consulting", account_manager=account_manager)


def offered(tenant, partner, *, email="kim@acme.example", actor=None) -> Handoff:
    lead = ReadyLeadFactory(tenant=tenant, email=email, first_name="Kim", last_name="Lee")
    actor = actor or make_member(tenant, Role.FIELD_MARKETING)
    with tenant_context(tenant):
        return handoff_offer(tenant=tenant, actor=actor, lead_id=lead.id, partner_id=partner.id, now=OFFERED)


def steps(handoff) -> list[tuple[str, str]]:
    rows = HandoffEscalation.unscoped.filter(handoff_id=handoff.id).order_by("id")
    return list(rows.values_list("clock", "step"))


def inbox(user) -> list[str]:
    return list(Notification.unscoped.filter(user=user).order_by("id").values_list("title", flat=True))


def state(handoff) -> tuple[str, datetime.datetime | None]:
    row = Handoff.unscoped.get(id=handoff.id)
    return row.state, row.next_due_at


@pytest.mark.django_db
def test_the_accept_clock_climbs_the_ladder_once_per_step_however_often_the_sweep_runs(
    tenant, partner, partner_user, account_manager
):
    handoff = offered(tenant, partner)

    assert handoff_ladder_sweep(now=WARN - MINUTE) == 0
    assert (handoff_ladder_sweep(now=WARN), handoff_ladder_sweep(now=WARN)) == (1, 0)
    assert inbox(partner_user) == ["Deadline soon: Kim Lee"]
    assert Notification.unscoped.get(user=partner_user).body == (
        "Please accept the lead by Wednesday 13 January 2027, 17:00 (UTC)."
    )
    assert state(handoff) == ("offered", DUE)

    assert (handoff_ladder_sweep(now=DUE + MINUTE), handoff_ladder_sweep(now=DUE + 2 * MINUTE)) == (1, 0)
    assert inbox(account_manager) == ["SLA breached: Contoso Consulting, Kim Lee"]
    assert Notification.unscoped.get(user=account_manager).url == f"/t/northwind/leads/{handoff.lead_id}/"
    assert state(handoff) == ("offered", RECALL)

    assert (handoff_ladder_sweep(now=RECALL), handoff_ladder_sweep(now=RECALL + MINUTE)) == (1, 0)
    assert state(handoff) == ("expired", None)
    assert steps(handoff) == [("accept", "warned"), ("accept", "breached"), ("accept", "recalled")]
    assert inbox(partner_user)[1:] == ["Lead taken back: Kim Lee"]
    assert inbox(account_manager)[1:] == ["Lead back in the queue: Kim Lee"]
    events = AuditEvent.unscoped.filter(target_id=str(handoff.id), action__startswith="handoff.")
    events = events.order_by("id")
    assert [(event.action, event.actor_label) for event in events][1:] == [
        ("handoff.escalated", "System"),
        ("handoff.escalated", "System"),
        ("handoff.expired", "System"),
    ]


@pytest.mark.django_db
def test_a_sweep_that_comes_late_fires_each_step_once_in_order(tenant, partner, partner_user):
    handoff = offered(tenant, partner)

    assert handoff_ladder_sweep(now=RECALL + datetime.timedelta(days=3)) == 3
    assert handoff_ladder_sweep(now=RECALL + datetime.timedelta(days=4)) == 0

    assert steps(handoff) == [("accept", "warned"), ("accept", "breached"), ("accept", "recalled")]
    assert state(handoff) == ("expired", None)


@pytest.mark.django_db
def test_without_an_account_manager_the_tenant_admins_hear_of_the_breach(tenant, admin_user, partner_user):
    partner = PartnerFactory(tenant=tenant, name="Fabrikam Systems")
    manager_elsewhere = make_member(tenant, Role.PARTNER_MANAGER)
    handoff = offered(tenant, partner, actor=manager_elsewhere)

    handoff_ladder_sweep(now=DUE)

    assert inbox(admin_user) == ["SLA breached: Fabrikam Systems, Kim Lee"]
    assert inbox(manager_elsewhere) == []
    assert steps(handoff) == [("accept", "warned"), ("accept", "breached")]


@pytest.mark.django_db
def test_an_accepted_handoff_without_a_first_contact_is_recalled_and_the_lead_waits(
    tenant, partner, partner_user, account_manager
):
    handoff = offered(tenant, partner)
    with tenant_context(tenant):
        handoff = handoff_accept(tenant=tenant, actor=partner_user, handoff_id=handoff.id, now=OFFERED)

    # The contact clock's three steps, and the qualify clock's warning and breach on the way.
    assert handoff_ladder_sweep(now=handoff.contact_recall_at) == 5

    assert state(handoff) == ("recalled", None)
    contact_steps = [step for clock, step in steps(handoff) if clock == "contact"]
    assert contact_steps == ["warned", "breached", "recalled"]
    assert ("accept", "warned") not in steps(handoff)  # acceptance stopped the accept clock
    assert Handoff.unscoped.filter(lead_id=handoff.lead_id, state__in=["offered", "accepted"]).count() == 0


@pytest.mark.django_db
def test_a_step_whose_row_exists_already_is_skipped_and_notifies_nobody(tenant, partner, partner_user):
    # A step that fired, whose handoff still points at it (the backstop: the unique key).
    handoff = offered(tenant, partner)
    HandoffEscalationFactory(tenant=tenant, handoff=handoff, clock="accept", step="warned", at=WARN)

    assert handoff_ladder_sweep(now=WARN) == 0

    assert inbox(partner_user) == []
    assert state(handoff) == ("offered", DUE)


@pytest.mark.django_db
def test_each_run_handles_at_most_a_batch_and_the_next_run_the_rest(tenant, partner, partner_user):
    for number in range(3):
        offered(tenant, partner, email=f"lead{number}@acme.example")

    assert handoff_ladder_sweep(now=WARN, batch=2) == 2
    assert handoff_ladder_sweep(now=WARN, batch=2) == 1
    assert handoff_ladder_sweep(now=WARN, batch=2) == 0


@pytest.mark.django_db
def test_the_partners_calendar_decides_the_instants_the_sweep_fires_at(tenant, partner, partner_user):
    BusinessCalendarFactory(tenant=tenant, partner=partner, timezone="America/New_York")
    handoff = offered(tenant, partner)  # 04:00 in New York: the clock starts at 09:00 there (14:00 UTC)

    assert handoff.accept_warn_at == datetime.datetime(2027, 1, 13, 16, 0, tzinfo=datetime.UTC)
    assert handoff_ladder_sweep(now=WARN) == 0  # the UTC week's warning instant is not this one's


@pytest.mark.django_db
def test_a_broker_outage_keeps_the_notification_and_the_outbox_sends_it_later(
    tenant, partner, partner_user, broker_down, django_capture_on_commit_callbacks
):
    handoff = offered(tenant, partner)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)  # the task sweeps at the real now
    update_rows(Handoff.unscoped.filter(id=handoff.id), accept_warn_at=an_hour_ago, next_due_at=an_hour_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert handoff_ladder_sweep_task() == 1  # as beat runs it; the email task is lost

    assert steps(handoff) == [("accept", "warned")]
    assert Notification.unscoped.get(user=partner_user).email_sent_at is None
    assert mail.outbox == []
    # The broker is back: the outbox sweep sends it.
    assert send_pending_notification_emails_task() == 1
    assert mail.outbox[0].to == ["casey@contoso.example"]


def test_the_ladder_sweep_is_a_registered_task_beat_runs_every_minute():
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert "leads.handoff_ladder_sweep" in app.tasks
    assert schedule["leads.handoff_ladder_sweep"] == datetime.timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_fire_each_step_exactly_once(
    tenant, partner, partner_user, account_manager, broker_queue
):
    handoffs = [offered(tenant, partner, email=f"lead{number}@acme.example") for number in range(30)]
    results = run_at_once(lambda: handoff_ladder_sweep(now=RECALL))

    assert sum(results) == 90  # three steps for each of the 30, between the two sweeps
    assert HandoffEscalation.unscoped.count() == 90
    assert {state(handoff) for handoff in handoffs} == {("expired", None)}
    # Warned and recalled reach the partner's user, breached and recalled the account manager.
    assert Notification.unscoped.filter(user=partner_user).count() == 60
    assert Notification.unscoped.filter(user=account_manager).count() == 60
    assert handoff_ladder_sweep(now=RECALL + MINUTE) == 0
