"""The demo tenant (`seed_demo`, what `make run` loads) as its people see it in a browser."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from leads.models import Touch
from partnerhub.tenancy.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in
from tests.dbstate import changed_tables, fingerprint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(db):
    call_command("seed_demo", quiet=True)


def test_a_partner_sees_their_home_and_their_launched_plan_read_only(page, demo):
    sign_in(page, "partner@contoso.example", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Casey Contoso")
    expect(page.locator(".page-head")).to_contain_text(
        "Contoso Consulting in the Northwind Cloud partner program"
    )

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plans").click()
    board = page.locator("#main")
    expect(board.get_by_role("link", name="Hospitals in the Northeast")).to_be_visible()
    # The draft has no partner yet: it is no business of Contoso's.
    expect(board).not_to_contain_text("DACH manufacturing")

    board.get_by_role("link", name="Hospitals in the Northeast").click()
    expect(page.locator(".page-head")).to_contain_text("Launched")
    expect(page.locator(".card", has=page.get_by_role("heading", name="Program"))).to_contain_text(
        re.compile(r"-CONTOSO-CONSULTING-")
    )
    # Read only: no step to decide, nothing to launch or close.
    expect(page.get_by_text("Decide")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Save step"))).to_have_count(0)
    expect(page.locator(".page-head").get_by_role("link")).to_have_text(["Plans"])


def test_the_demo_draft_offers_enough_accounts_for_step_2(page, demo):
    sign_in(page, "pm@northwind.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plans").click()
    page.locator("#main").get_by_role("link", name="DACH manufacturing").click()

    accounts = page.locator("#step-2")
    offered = accounts.get_by_role("checkbox")
    expect(offered).not_to_have_count(0)
    assert offered.count() >= 5
    for box in offered.all()[:5]:
        box.check()
    accounts.get_by_role("button", name="Save step 2").click()
    expect(accounts).to_contain_text("5 named accounts")


def test_the_demo_leads_show_their_merged_arrivals_and_matched_accounts(page, demo):
    before = fingerprint()
    call_command("seed_demo", quiet=True)
    # A second run adds nothing (no lead, no touch), whatever it logs in or out.
    assert {"leads_lead", "leads_touch"}.isdisjoint(changed_tables(before, fingerprint()))
    assert Touch.unscoped.count() == 20  # 13 of the leads demo, 7 of the reporting demo's plan
    sign_in(page, "pm@northwind.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    rows = page.locator("#main table tbody tr")
    # Thirteen arrivals of seven people: one lead each, a later arrival merged as a touch; and the
    # reporting demo's seven people of Fabrikam's roundtable (four attendees, three met by sales).
    expect(rows).to_have_count(14)
    # Matched to the target account by the email's domain; a free-mail address matches none.
    expect(rows.filter(has_text="Dana Whitfield")).to_contain_text("Mercy General Hospital")
    expect(rows.filter(has_text="Sam Porter")).not_to_contain_text("Hospital")
    # Scored on arrival: Dana attended and booked a meeting, so she is ready; Sam stays in nurture.
    expect(rows.filter(has_text="Dana Whitfield")).to_contain_text("Ready")
    expect(rows.filter(has_text="Sam Porter")).to_contain_text("Nurture")
    page.get_by_role("link", name=re.compile("Dana Whitfield")).click()
    expect(page.locator("#main")).to_contain_text("Attended an event")
    expect(page.locator("#main")).to_contain_text("Registered for an event")


def test_the_demo_funds_show_a_request_waiting_for_review_and_contosos_money(page, demo):
    before = fingerprint()
    call_command("seed_demo", quiet=True)
    assert {"mdf_fund", "mdf_ledgerentry", "mdf_fundrequest"}.isdisjoint(
        changed_tables(before, fingerprint())
    )
    sign_in(page, "pm@northwind.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Fund requests").click()
    row = page.locator("#results tbody tr").filter(has_text="Executive roundtable")
    expect(row).to_contain_text("Contoso Consulting")
    expect(row).to_contain_text("$12,000.00")
    row.get_by_role("link", name="Executive roundtable for the named health systems").click()
    expect(page.locator("#plan")).to_contain_text("Target accounts it is meant to reach")

    page.context.clear_cookies()
    sign_in(page, "partner@contoso.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My funds").click()
    expect(page.locator("#main")).to_contain_text("Partner marketing")
