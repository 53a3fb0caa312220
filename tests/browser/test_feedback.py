"""Partner feedback in a browser: the partner reports where an accepted lead stands in its own words
and sees the report on the handoff; the vendor sees the mapped status on the lead's page; the status
mapping is added and changed in Settings."""

import re

import pytest
from playwright.sync_api import expect

from leads.models import Handoff, StatusMapping
from leads.services import handoff_accept
from partnerhub.tenancy.context import tenant_context
from tests.factories import StatusMappingFactory
from tests.leads.test_handoff_pages import offered_to

pytestmark = pytest.mark.django_db(transaction=True)

MAPPINGS = "/t/northwind/settings/status-mappings/"


@pytest.fixture
def accepted(tenant, partner, partner_user):
    handoff = offered_to(partner)
    with tenant_context(tenant):
        return handoff_accept(tenant=tenant, actor=partner_user, handoff_id=handoff.id)


def test_a_partner_reports_in_its_own_words_and_the_vendor_reads_its_status(
    signed_in, tenant, partner_user, manager_user, accepted
):
    StatusMappingFactory(
        tenant=tenant,
        partner_status="Termin vereinbart",
        partner_status_key="termin vereinbart",
        status="meeting_booked",
    )
    page = signed_in(partner_user)
    page.goto(f"/t/northwind/handoffs/{accepted.id}/")
    expect(page.locator("#reports")).to_contain_text("Nothing reported yet")
    page.get_by_role("link", name="Report status…").click()
    page.get_by_label("Where the lead stands").fill("termin   VEREINBART")
    page.get_by_label("Note").fill("Demo on Tuesday with Dana")
    page.get_by_role("button", name="Send report").click()

    expect(page.locator(".messages .success")).to_contain_text(
        "Thank you: “termin VEREINBART” is recorded (Meeting booked)."
    )
    page.get_by_role("link", name="Dana Ruiz").click()
    reports = page.locator("#reports")
    expect(reports).to_contain_text("termin VEREINBART")
    expect(reports).to_contain_text("Demo on Tuesday with Dana")
    expect(reports).to_contain_text("Meeting booked")

    page.context.clear_cookies()  # the vendor's partner manager, in the same browser
    page = signed_in(manager_user)
    page.goto(f"/t/northwind/leads/{accepted.lead_id}/")
    row = page.locator("#feedback").get_by_role("row", name=re.compile("Contoso Consulting"))
    expect(row).to_contain_text("“termin VEREINBART”")
    expect(row).to_contain_text("Meeting booked")
    expect(row).to_contain_text("Demo on Tuesday with Dana")
    with tenant_context(tenant):
        assert Handoff.objects.get(id=accepted.id).first_contact_at is not None  # the clock stopped


def test_the_vendor_adds_and_changes_a_status_mapping(signed_in, tenant, admin_user):
    page = signed_in(admin_user)
    page.goto(MAPPINGS)
    expect(page.locator("#results")).to_contain_text("No mappings yet")
    page.get_by_role("link", name="New mapping").click()
    page.get_by_label("Partner status").fill("Angerufen")
    page.get_by_label("Means").select_option(label="Contacted")
    page.get_by_role("button", name="Create mapping").click()

    expect(page.locator(".messages .success")).to_contain_text("“Angerufen” now means Contacted.")
    row = page.get_by_role("row", name=re.compile("Angerufen"))
    expect(row).to_contain_text("Contacted")

    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Partner status")).to_have_value("Angerufen")
    page.get_by_label("Means").select_option(label="No response")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages .success")).to_contain_text("“Angerufen” now means No response.")
    expect(page.get_by_role("row", name=re.compile("Angerufen"))).to_contain_text("No response")
    expect(page.get_by_role("row", name=re.compile("Angerufen"))).not_to_contain_text("Contacted")
    with tenant_context(tenant):
        assert list(StatusMapping.objects.values_list("partner_status", "status")) == [
            ("Angerufen", "no_response")
        ]
