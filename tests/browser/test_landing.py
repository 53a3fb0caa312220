"""A program's public landing page in a browser: a visitor, signed in nowhere, comes by the program's
link, fills the short form and sees the thank-you page; the lead arrives with the link's UTM."""

import pytest
from playwright.sync_api import Page, expect

from leads.models import Lead, Touch
from partnerhub.tenancy.context import tenant_context
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_fills_the_form_and_sees_the_thank_you_page(page: Page, tenant, partner):
    ProgramFactory(
        tenant=tenant,
        partner=partner,
        tracking_code="2026Q4-ACC-DACH-CONTOSO-7",
        components={"landing_page": "A private briefing on cloud costs.\n- Agenda\n- Venue"},
    )

    page.goto("/l/northwind/2026q4-acc-dach-contoso-7/?utm_source=linkedin&utm_campaign=briefing")
    expect(page.locator(".landing-brands")).to_contain_text("Contoso Consulting")
    expect(page.locator(".landing-brands")).to_contain_text("Northwind Cloud")
    expect(page.get_by_text("A private briefing on cloud costs.")).to_be_visible()
    expect(page.get_by_label("Leave this field empty")).not_to_be_in_viewport()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".errorlist").first).to_contain_text("This field is required.")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Reyes")
    page.get_by_label("Work email").fill("dana@mercy.example")
    page.get_by_label("Job title").fill("CIO")
    page.get_by_label("Company").fill("Mercy General")
    page.get_by_label("may email me").check()
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert page.url.endswith("/l/northwind/2026Q4-ACC-DACH-CONTOSO-7/thanks/")
    with tenant_context(tenant):
        lead = Lead.objects.get(tenant=tenant, email="dana@mercy.example")
        touch = Touch.objects.get(tenant=tenant, lead=lead)
    assert lead.consent and lead.source == "landing_page"
    assert (touch.details["utm_source"], touch.details["utm_campaign"]) == ("linkedin", "briefing")
