"""The silence sweep works in batches: a constant number of queries whatever the number of silent
handoffs, one email task for the whole batch, and each silent handoff nudged exactly once when
two sweeps run at once."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Handoff
from leads.services import handoff_silence_sweep
from partnerhub.tenancy.models import AuditEvent, Notification
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.tasks import send_pending_notification_emails_task
from tests.conftest import make_member
from tests.factories import HandoffFactory, LeadFactory, PartnerFactory
from tests.threads import run_at_once

# Monday 1 February 2027, 09:00 UTC: the handoffs were accepted 14 days before and fell silent now.
SILENT = datetime.datetime(2027, 2, 1, 9, 0, tzinfo=datetime.UTC)
ACCEPTED = SILENT - datetime.timedelta(days=14)


def silent_handoffs(tenant, count: int, *, start: int = 0) -> list[Handoff]:
    """`count` silent handoffs, each of its own partner with one partner user."""
    handoffs = []
    for number in range(start, start + count):
        partner = PartnerFactory(tenant=tenant, name=f"Silent partner {number}")
        make_member(tenant, Role.PARTNER_USER, partner=partner, email=f"user{number}@partner.example")
        handoffs.append(
            HandoffFactory(
                tenant=tenant,
                partner=partner,
                lead=LeadFactory(tenant=tenant, first_name="Lead", last_name=str(number)),
                state=Handoff.State.ACCEPTED,
                offered_at=ACCEPTED,
                accepted_at=ACCEPTED,
                next_due_at=None,
                silent_at=SILENT,
                silence_nudge_at=SILENT,
            )
        )
    return handoffs


def sweep_counting_queries() -> tuple[int, int]:
    ContentType.objects.clear_cache()  # the audit's content type is read once per process: count it each time
    with CaptureQueriesContext(connection) as captured:
        nudged = handoff_silence_sweep(now=SILENT)
    return nudged, len(captured)


def nudges() -> list[tuple[str, str]]:
    rows = Notification.unscoped.filter(title__startswith="No news of").order_by("user__email")
    return list(rows.values_list("user__email", "title"))


@pytest.mark.django_db
def test_a_batch_of_twenty_silent_handoffs_runs_as_many_queries_as_one(tenant):
    silent_handoffs(tenant, 1)
    nudged_one, with_one = sweep_counting_queries()
    silent_handoffs(tenant, 20, start=1)
    nudged_twenty, with_twenty = sweep_counting_queries()

    assert (nudged_one, nudged_twenty) == (1, 20)
    assert with_twenty == with_one
    # Each partner's user hears of their own handoff, once.
    assert nudges() == sorted(
        (f"user{number}@partner.example", f"No news of Lead {number}") for number in range(21)
    )
    assert AuditEvent.unscoped.filter(action="handoff.silent").count() == 21
    assert not Handoff.unscoped.filter(silence_nudge_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_batch_sends_its_emails_through_one_task(tenant, broker_queue, django_capture_on_commit_callbacks):
    silent_handoffs(tenant, 5)

    with django_capture_on_commit_callbacks(execute=True):
        assert handoff_silence_sweep(now=SILENT) == 5

    assert broker_queue() == 1  # one email task for the five nudges
    # The emails wait in the outbox until a task sends them (here the sweep, standing in for the worker).
    assert send_pending_notification_emails_task() == 5


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_nudge_each_silent_handoff_exactly_once(tenant, broker_queue):
    silent_handoffs(tenant, 30)

    results = run_at_once(lambda: handoff_silence_sweep(now=SILENT))

    assert sum(results) == 30
    assert len(nudges()) == len(set(nudges())) == 30
    assert AuditEvent.unscoped.filter(action="handoff.silent").count() == 30
    assert handoff_silence_sweep(now=SILENT + datetime.timedelta(days=1)) == 0
