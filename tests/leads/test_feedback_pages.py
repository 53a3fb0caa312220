"""The feedback pages: the partner's feedback form, Settings → Status mapping, and the lead figures
of every partner (sorted, exported)."""

import datetime

import pytest
from django.utils import timezone

from leads.models import Handoff, HandoffFeedback, StatusMapping
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import HandoffFactory, PartnerFactory, StatusMappingFactory

pytestmark = pytest.mark.django_db


def feedback_url(handoff) -> str:
    return f"/t/northwind/handoffs/{handoff.id}/feedback/"


def test_the_partner_reports_on_the_form_and_sees_its_reports(tenant, partner, partner_user):
    StatusMappingFactory(
        tenant=tenant, partner_status="Called", partner_status_key="called", status="contacted"
    )
    handoff = HandoffFactory(
        tenant=tenant, partner=partner, state=Handoff.State.ACCEPTED, accepted_at=timezone.now()
    )
    client = login(partner_user)

    sent = client.post(feedback_url(handoff), {"words": "called", "note": "Spoke to Kim"}, follow=True)

    assert sent.redirect_chain == [(feedback_url(handoff), 302)]
    page = sent.content.decode()
    assert "Thank you: “called” is recorded (Contacted)." in page
    assert "Spoke to Kim" in page
    assert HandoffFeedback.unscoped.get().status == "contacted"
    assert Handoff.unscoped.get(id=handoff.id).first_contact_at is not None


def test_the_form_shows_the_services_refusal_on_its_field(tenant, partner, partner_user):
    StatusMappingFactory(
        tenant=tenant, partner_status="Lost", partner_status_key="lost", status="disqualified"
    )
    handoff = HandoffFactory(
        tenant=tenant, partner=partner, state=Handoff.State.ACCEPTED, accepted_at=timezone.now()
    )

    answer = login(partner_user).post(feedback_url(handoff), {"words": "Lost"})

    assert answer.status_code == 200
    assert "Say why the lead is disqualified." in answer.content.decode()
    assert not HandoffFeedback.unscoped.exists()


def test_staff_do_not_report_for_the_partner(tenant, partner, manager_user):
    handoff = HandoffFactory(tenant=tenant, partner=partner, state=Handoff.State.ACCEPTED)

    assert login(manager_user).get(feedback_url(handoff)).status_code == 403


def test_status_mappings_are_added_changed_and_deleted_after_confirmation(tenant, admin_user):
    client = login(admin_user)
    base = "/t/northwind/settings/status-mappings/"

    created = client.post(f"{base}new/", {"partner_status": "Termin vereinbart", "status": "meeting_booked"})
    again = client.post(f"{base}new/", {"partner_status": "termin  VEREINBART", "status": "contacted"})
    mapping = StatusMapping.unscoped.get()
    client.post(f"{base}{mapping.id}/edit/", {"partner_status": "Termin vereinbart", "status": "contacted"})
    listed = client.get(base).content.decode()
    confirm = client.get(f"{base}{mapping.id}/delete/").content.decode()
    client.post(f"{base}{mapping.id}/delete/")

    assert created.status_code == 302
    assert "is mapped already" in again.content.decode()
    assert "Termin vereinbart" in listed and "Contacted" in listed
    assert "Delete the mapping of “Termin vereinbart”?" in confirm
    assert not StatusMapping.unscoped.exists()


def test_lead_figures_are_sorted_and_exported(tenant, manager_user):
    month_ago = timezone.now() - datetime.timedelta(days=30)
    reporter, silent = (
        PartnerFactory(tenant=tenant, name="Reporter"),
        PartnerFactory(tenant=tenant, name="Silent"),
    )
    HandoffFactory(
        tenant=tenant,
        partner=reporter,
        state=Handoff.State.ACCEPTED,
        offered_at=month_ago,
        accepted_at=month_ago + datetime.timedelta(hours=3),
        first_feedback_at=month_ago + datetime.timedelta(days=2),
        silent_at=timezone.now() + datetime.timedelta(days=1),
    )
    HandoffFactory(
        tenant=tenant,
        partner=silent,
        state=Handoff.State.ACCEPTED,
        offered_at=month_ago,
        accepted_at=month_ago,
        silent_at=month_ago + datetime.timedelta(days=14),
    )
    client = login(manager_user)

    PartnerFactory(tenant=tenant, name="Newcomer")  # no figures yet: last whichever way
    page = client.get("/t/northwind/leads/partners/", {"sort": "-feedback_rate"}).content.decode()
    export = client.get("/t/northwind/leads/partners/", {"export": "csv", "sort": "name"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()

    rows = [name for name in ("Reporter", "Silent", "Newcomer") if f"<strong>{name}</strong>" in page]
    assert sorted(rows, key=lambda name: page.index(f"<strong>{name}</strong>")) == [
        "Reporter",
        "Silent",
        "Newcomer",
    ]
    assert lines[0].startswith(
        "Partner,Accepted,Declined,Expired,Pick rate,Median hours to accept,Feedback rate"
    )
    assert lines[1:] == [
        "Newcomer,0,0,0,,,,,0",
        "Reporter,1,0,0,100%,3.0,100%,45.0,0",
        "Silent,1,0,0,100%,0.0,0%,,1",
    ]


def test_partner_users_do_not_see_the_lead_figures(tenant, partner):
    user = make_member(tenant, Role.PARTNER_ADMIN, partner=partner)

    assert login(user).get("/t/northwind/leads/partners/").status_code == 403
