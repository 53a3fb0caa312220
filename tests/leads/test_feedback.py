"""Feedback: partners' words read through the tenant's status mapping (unmapped words kept), the
clocks a mapped status stops, conversion to an opportunity, who may report; silent handoffs nudged
once per silence; the partner figures on a small known set."""

import datetime

import pytest
from django.core import mail

from leads.models import Handoff, HandoffFeedback, LeadStage, Touch
from leads.selectors import partner_lead_figures
from leads.services import (
    handoff_accept,
    handoff_feedback,
    handoff_offer,
    handoff_silence_sweep,
    status_mapping_create,
)
from leads.tasks import handoff_silence_sweep_task
from partnerhub.celery import app
from partnerhub.tenancy.actors import ApiKeyUser
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Notification
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.tasks import send_pending_notification_emails_task
from tests.conftest import make_member
from tests.factories import ApiKeyFactory, HandoffFactory, PartnerFactory, ReadyLeadFactory

pytestmark = pytest.mark.django_db

# Monday 11 January 2027, 09:00 UTC (a UTC tenant on the built-in week).
OFFERED = datetime.datetime(2027, 1, 11, 9, 0, tzinfo=datetime.UTC)
ACCEPTED = OFFERED + datetime.timedelta(hours=2)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def mappings(tenant, admin_user):
    with tenant_context(tenant):
        for words, status in (
            ("Termin vereinbart", "meeting_booked"),
            ("Called", "contacted"),
            ("Qualified", "qualified"),
            ("Opp created", "opportunity_created"),
            ("Not interested", "disqualified"),
        ):
            status_mapping_create(tenant=tenant, actor=admin_user, partner_status=words, status=status)


@pytest.fixture
def accepted(tenant, manager_user, partner, partner_user) -> Handoff:
    lead = ReadyLeadFactory(tenant=tenant, email="kim@acme.example", first_name="Kim", last_name="Lee")
    with tenant_context(tenant):
        handoff = handoff_offer(
            tenant=tenant, actor=manager_user, lead_id=lead.id, partner_id=partner.id, now=OFFERED
        )
        return handoff_accept(tenant=tenant, actor=partner_user, handoff_id=handoff.id, now=ACCEPTED)


def report(tenant, actor, handoff, words, now=ACCEPTED + DAY, **extra) -> HandoffFeedback:
    with tenant_context(tenant):
        return handoff_feedback(
            tenant=tenant, actor=actor, handoff_id=handoff.id, words=words, now=now, **extra
        )


def fresh(handoff) -> Handoff:
    return Handoff.unscoped.select_related("lead").get(id=handoff.id)


def test_partners_words_are_read_through_the_mapping_in_any_case_and_spacing(
    tenant, partner_user, accepted, mappings
):
    feedback = report(tenant, partner_user, accepted, "  termin   VEREINBART ", note="Tuesday 10:00")

    handoff = fresh(accepted)
    assert (feedback.words, feedback.status, feedback.note) == (
        "termin VEREINBART",
        "meeting_booked",
        "Tuesday 10:00",
    )
    assert handoff.first_contact_at == ACCEPTED + DAY  # a meeting booked means they were contacted
    assert handoff.qualified_at is None
    touch = Touch.unscoped.get(lead=handoff.lead, source="partner")
    assert (touch.kind, touch.source, touch.occurred_at) == ("meeting", "partner", ACCEPTED + DAY)
    event = AuditEvent.unscoped.filter(action="handoff.feedback").get()
    assert event.after["status"] == "meeting_booked"
    assert event.actor_label == "casey@contoso.example"


def test_unmapped_words_are_kept_as_written_and_stop_no_clock(tenant, partner_user, accepted, mappings):
    feedback = report(tenant, partner_user, accepted, "Waiting for budget")

    handoff = fresh(accepted)
    assert (feedback.words, feedback.status) == ("Waiting for budget", "")
    assert (handoff.first_contact_at, handoff.qualified_at) == (None, None)
    assert handoff.first_feedback_at == ACCEPTED + DAY  # but it is feedback: the silence restarts
    assert handoff.silent_at == ACCEPTED + 15 * DAY


def test_qualified_stops_the_contact_and_qualify_clocks_once(tenant, partner_user, accepted, mappings):
    report(tenant, partner_user, accepted, "Called", now=ACCEPTED + DAY)
    report(tenant, partner_user, accepted, "Qualified", now=ACCEPTED + 2 * DAY, note="Budget in Q2")
    report(tenant, partner_user, accepted, "Not interested", now=ACCEPTED + 3 * DAY, reason="Changed vendor")

    handoff = fresh(accepted)
    assert handoff.first_contact_at == ACCEPTED + DAY  # the first contact, not a later one
    assert (handoff.qualification, handoff.qualification_note, handoff.qualified_at) == (
        "qualified",
        "Budget in Q2",
        ACCEPTED + 2 * DAY,
    )
    assert handoff.next_due_at is None  # both clocks stopped: nothing left on the ladder
    assert AuditEvent.unscoped.filter(action="handoff.qualified").count() == 1


def test_disqualified_needs_a_reason_and_reports_the_outcome_not_qualified(
    tenant, partner_user, accepted, mappings
):
    with pytest.raises(ServiceError, match="Say why the lead is disqualified"):
        report(tenant, partner_user, accepted, "not interested")

    report(tenant, partner_user, accepted, "not interested", reason="Bought from a competitor")

    handoff = fresh(accepted)
    assert (handoff.qualification, handoff.qualification_note) == (
        "not_qualified",
        "Bought from a competitor",
    )
    assert handoff.first_contact_at is not None


def test_an_opportunity_created_converts_the_lead_through_the_lifecycle(
    tenant, partner_user, accepted, mappings
):
    report(tenant, partner_user, accepted, "Opp created")

    handoff = fresh(accepted)
    assert handoff.lead.stage == LeadStage.OPPORTUNITY
    assert handoff.qualification == "qualified"
    moves = AuditEvent.unscoped.filter(action="lead.stage_changed").order_by("id")
    assert [(event.before["status"], event.after["status"]) for event in moves] == [
        ("new", "mql"),  # scored ready on arrival
        ("mql", "sql"),
        ("sql", "opportunity"),
    ]


def test_only_the_handoffs_own_partner_reports_and_only_once_accepted(
    tenant, manager_user, partner, partner_user, accepted, mappings
):
    other_user = make_member(tenant, Role.PARTNER_USER, partner=PartnerFactory(tenant=tenant))
    offered = HandoffFactory(tenant=tenant, partner=partner)
    vendor_key = ApiKeyUser(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))
    partner_key = ApiKeyUser(ApiKeyFactory(tenant=tenant, scopes=["read", "write"], partner=partner))

    with pytest.raises(ServiceError, match="No such handoff"):
        report(tenant, other_user, accepted, "Called")
    with pytest.raises(ServiceError, match="Only the partner's own users"):
        report(tenant, manager_user, accepted, "Called")
    with pytest.raises(ServiceError, match="Only the partner's own users"):
        report(tenant, vendor_key, accepted, "Called")
    with pytest.raises(ServiceError, match="This handoff is offered"):
        report(tenant, partner_user, offered, "Called")
    assert HandoffFeedback.unscoped.count() == 0

    feedback = report(tenant, partner_key, accepted, "Called")
    assert (feedback.status, feedback.actor_label.startswith("API key")) == ("contacted", True)


def test_a_silent_handoff_nudges_the_partner_once_per_silence(tenant, partner_user, accepted, mappings):
    silent = ACCEPTED + 14 * DAY

    assert handoff_silence_sweep(now=silent - datetime.timedelta(minutes=1)) == 0
    assert (handoff_silence_sweep(now=silent), handoff_silence_sweep(now=silent + DAY)) == (1, 0)
    nudge = Notification.unscoped.get(user=partner_user, title="No news of Kim Lee")
    assert nudge.url == f"/t/northwind/handoffs/{accepted.id}/feedback/"
    assert "since 11 January 2027" in nudge.body
    send_pending_notification_emails_task()
    assert [message.to for message in mail.outbox if "No news" in message.subject] == [
        ["casey@contoso.example"]
    ]

    # A report starts a new silence: nudged again only 14 days after it.
    report(tenant, partner_user, accepted, "Called", now=silent + 2 * DAY)
    assert handoff_silence_sweep(now=silent + 15 * DAY) == 0
    assert handoff_silence_sweep(now=silent + 16 * DAY) == 1
    assert Notification.unscoped.filter(user=partner_user, title="No news of Kim Lee").count() == 2


def test_the_silence_sweep_is_a_registered_task_beat_runs():
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert handoff_silence_sweep_task.name in app.tasks
    assert schedule["leads.handoff_silence_sweep"] == datetime.timedelta(minutes=15)


def test_partner_figures_on_a_small_known_set(tenant):
    now = OFFERED + 30 * DAY
    picker, quiet, _newcomer = (
        PartnerFactory(tenant=tenant, name=name) for name in ("Picker", "Quiet", "Newcomer")
    )
    hours = datetime.timedelta(hours=1)
    for to_accept, to_feedback in ((2 * hours, DAY), (4 * hours, 3 * DAY), (6 * hours, None)):
        HandoffFactory(
            tenant=tenant,
            partner=picker,
            state=Handoff.State.ACCEPTED,
            offered_at=OFFERED,
            accepted_at=OFFERED + to_accept,
            first_feedback_at=OFFERED + to_accept + to_feedback if to_feedback else None,
            silent_at=now + DAY,
        )
    HandoffFactory(tenant=tenant, partner=picker, state=Handoff.State.REJECTED, reject_reason="no_capacity")
    HandoffFactory(tenant=tenant, partner=picker, state=Handoff.State.EXPIRED)
    HandoffFactory(tenant=tenant, partner=picker, state=Handoff.State.RECALLED)  # recalled unanswered: none
    HandoffFactory(
        tenant=tenant,
        partner=quiet,
        state=Handoff.State.ACCEPTED,
        offered_at=OFFERED,
        accepted_at=OFFERED + hours,
        silent_at=OFFERED + 15 * DAY,
    )
    HandoffFactory(
        tenant=tenant,
        partner=quiet,
        state=Handoff.State.ACCEPTED,
        offered_at=now - DAY,
        accepted_at=now - DAY + hours,  # a day ago: not judged yet
        silent_at=now + 13 * DAY,
    )

    with tenant_context(tenant):
        figures = {row.name: row for row in partner_lead_figures(tenant=tenant, now=now)}

    row = figures["Picker"]
    assert (row.accepted, row.declined, row.expired, round(row.pick_rate, 3)) == (3, 1, 1, 0.6)
    assert row.median_to_accept == 4 * hours
    assert round(row.feedback_rate, 3) == 0.667  # 2 of 3 reported within 14 days
    assert row.median_to_feedback == 2 * DAY
    assert row.silent_now == 0
    quiet_row = figures["Quiet"]
    assert (quiet_row.feedback_rate, quiet_row.silent_now, quiet_row.pick_rate) == (0.0, 1, 1.0)
    newcomer_row = figures["Newcomer"]
    assert (newcomer_row.pick_rate, newcomer_row.feedback_rate, newcomer_row.median_to_accept) == (
        None,
        None,
        None,
    )
