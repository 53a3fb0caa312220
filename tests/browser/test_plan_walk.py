"""The plan page in a browser: the six steps taken in place with htmx, up to launch."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Plan
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.selectors import audit_events_for
from plays.services import catalog_install
from tests.conftest import make_member
from tests.dbstate import update_rows
from tests.factories import AccountMappingFactory, PlanFactory, TargetAccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalog(tenant):
    with tenant_context(tenant):
        catalog_install(tenant=tenant)


@pytest.fixture
def sales_user(tenant):
    return make_member(tenant, Role.SALES, full_name="Sam Sales", email="sam@northwind.example")


@pytest.fixture
def clinics(tenant, partner):
    accounts = [
        TargetAccountFactory(
            tenant=tenant, industry="healthcare", name=f"Clinic {n}", domain=f"clinic{n}.example"
        )
        for n in range(4)
    ]
    AccountMappingFactory(tenant=tenant, partner=partner, account=accounts[0])
    return accounts


@pytest.fixture
def stores(tenant):
    return [
        TargetAccountFactory(tenant=tenant, industry="retail", name=f"Store {n}", domain=f"store{n}.example")
        for n in range(3)
    ]


def step(page: Page, number: int):
    return page.locator(f"#step-{number}")


def settled(page: Page) -> None:
    """Wait until htmx has no request in flight and has swapped and settled what came back."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def save(page: Page, number: int) -> None:
    step(page, number).get_by_role("button", name=f"Save step {number}").click()
    settled(page)


def test_a_partner_manager_walks_the_six_steps_to_launch_without_a_reload(
    signed_in, tenant, manager_user, sales_user, partner, catalog, clinics, stores
):
    page = signed_in(manager_user)
    page.goto("/t/northwind/plans/new/")
    page.get_by_label("Name").fill("Hospitals Q4")
    page.get_by_role("button", name="Open plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hospitals Q4")
    header = page.locator(".page-head")
    expect(header).to_contain_text("Draft")
    # A marker in the window: gone if any step reloaded the page instead of swapping it in place.
    page.evaluate("window.notReloaded = true")

    history = page.locator("#plan-history li")
    expect(history).to_have_count(1)  # opened

    step(page, 1).get_by_label("Market priority").select_option(label="Healthcare")
    save(page, 1)
    expect(step(page, 1)).to_contain_text("Healthcare")
    # The History panel follows each save: step 1 is on it (and the plan took the market's name).
    expect(history).to_have_count(2)

    # Step 2: the market's accounts are offered; tick two, search for others, tick three more.
    accounts = step(page, 2)
    accounts.get_by_label(re.compile("Clinic 0")).check()
    accounts.get_by_label(re.compile("Clinic 1")).check()
    accounts.get_by_placeholder("Search accounts by name or domain").fill("store")
    expect(accounts.get_by_label(re.compile("Store 0"))).to_be_visible()
    accounts.get_by_label(re.compile("Store 0")).check()
    accounts.get_by_label(re.compile("Store 1")).check()
    expect(accounts.get_by_label(re.compile("Clinic 0"))).to_be_checked()
    expect(accounts.get_by_label(re.compile("Clinic 1"))).to_be_checked()
    # Narrowing by stage keeps them too.
    with page.expect_response(re.compile(r"/accounts/\?")) as search:
        accounts.get_by_role("combobox").select_option(label="Net new")
    assert "csrfmiddlewaretoken" not in search.value.url
    settled(page)
    for name in ("Clinic 0", "Clinic 1", "Store 0", "Store 1"):
        expect(accounts.get_by_label(re.compile(name))).to_be_checked()
    save(page, 2)
    # Four are too few: the step says so in place, and keeps the four ticks.
    expect(step(page, 2)).to_contain_text("A plan names 5 to 20 target accounts; you chose 4.")
    for name in ("Clinic 0", "Clinic 1", "Store 0", "Store 1"):
        expect(step(page, 2).get_by_label(re.compile(name))).to_be_checked()
    step(page, 2).get_by_label(re.compile("Clinic 2")).check()
    save(page, 2)
    expect(step(page, 2)).to_contain_text("5 named accounts")

    step(page, 3).get_by_label(partner.name).check()
    save(page, 3)
    expect(step(page, 3)).to_contain_text(partner.name)

    expect(step(page, 4)).to_contain_text("Recommended")
    save(page, 4)
    expect(step(page, 4).locator(".badge.ok", has_text="Done")).to_be_visible()

    follow_up = step(page, 5)
    follow_up.get_by_label("Who calls the attendees").select_option(str(sales_user.id))
    follow_up.get_by_label("By when").fill((timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    follow_up.get_by_label("With what talk track").fill("Offer the roadmap session.")
    save(page, 5)
    expect(step(page, 5)).to_contain_text("Sam Sales calls the attendees")

    targets = step(page, 6)
    targets.get_by_label("Day 30: target accounts followed up").fill("5")
    targets.get_by_label("Day 60: meetings booked from target accounts").fill("3")
    targets.get_by_label("Day 90: opportunities progressed").fill("2")
    save(page, 6)
    expect(step(page, 6)).to_contain_text("Day 60: 3 meetings from target accounts")
    plan = Plan.unscoped.get(tenant=tenant, name="Hospitals Q4")
    with tenant_context(tenant):
        expect(history).to_have_count(audit_events_for(tenant=tenant, target=plan).count())

    # The header follows without a reload: Ready, and the Launch button is there.
    expect(header).to_contain_text("Ready")
    expect(header.get_by_role("link", name="Launch")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

    header.get_by_role("link", name="Launch").click()
    page.get_by_role("button", name="Launch").click()
    expect(page.locator(".messages")).to_contain_text("Launched. Tracking code")
    expect(header).to_contain_text("Launched")
    plan.refresh_from_db()
    assert plan.status == "launched"
    expect(page.locator(".card", has=page.get_by_role("heading", name="Program"))).to_contain_text(
        plan.program.tracking_code
    )


def test_the_meeting_clock_runs_and_the_five_minute_rule_clears_once_the_market_is_set(
    signed_in, tenant, manager_user
):
    plan = PlanFactory(tenant=tenant, name="Q4 priorities")
    page = signed_in(manager_user)
    page.goto(f"/t/northwind/plans/{plan.id}/")
    page.get_by_role("button", name="Start the 30-minute meeting").click()
    meeting = page.locator(".meeting")
    expect(meeting).to_contain_text(re.compile(r"Planning meeting: 0:0[1-9] of 30:00"))

    # Six minutes in and no market priority: the page reminds the room of the five-minute rule.
    update_rows(
        Plan.unscoped.filter(id=plan.id), meeting_started_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    page.reload()
    expect(meeting).to_contain_text(re.compile(r"Planning meeting: 6:\d\d of 30:00"))
    rule = meeting.get_by_text("Five minutes and no shared priority yet")
    expect(rule).to_be_visible()

    step(page, 1).get_by_label("Market priority").select_option(label="DACH")
    save(page, 1)
    expect(step(page, 1)).to_contain_text("DACH")
    expect(rule).to_be_hidden()
