"""Deal registration in a browser: a partner's "my deal registrations" (a draft, its submission, the
neutral "under review" of a conflicting one, the one extension) and the vendor's review queue (the
conflict side by side, approval and rejection with a coded reason through their dialogs)."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from leads.models import DealRegistration
from leads.services import registration_approve, registration_create, registration_submit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/t/northwind/deal-registrations/"


@pytest.fixture
def other_partner_user(tenant, other_partner):
    return make_member(tenant, Role.PARTNER_USER, partner=other_partner, email="fran@fabrikam.example")


def submitted(tenant, user, name, domain):
    with tenant_context(tenant):
        registration = registration_create(
            tenant=tenant,
            actor=user,
            customer_name=name,
            customer_domain=domain,
            solution="Cloud migration",
            amount=Decimal("45000.00"),
            currency="EUR",
            close_date=datetime.date.today() + datetime.timedelta(days=120),
        )
        return registration_submit(tenant=tenant, actor=user, registration_id=registration.id)


def test_a_partner_registers_a_draft_submits_it_and_sees_only_under_review_when_it_conflicts(
    signed_in, tenant, partner_user, other_partner_user
):
    held = submitted(tenant, other_partner_user, "Acme", "acme.com")
    page = signed_in(partner_user)
    page.goto(BASE)
    page.get_by_role("link", name="Register a deal").click()
    page.get_by_label("Customer", exact=True).fill("Acme Europe")
    page.get_by_label("Customer's web domain").fill("https://eu.acme.com/contact")
    page.get_by_label("Solution").fill("Backup")
    page.get_by_label("Expected amount").fill("12000.50")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Expected close date").fill("2027-03-31")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".messages .success")).to_contain_text("Draft saved")
    expect(page.locator(".sub .badge")).to_have_text("Draft")
    expect(page.locator(".facts")).to_contain_text("eu.acme.com")
    expect(page.locator(".facts")).to_contain_text("€12,000.50")

    page.get_by_role("link", name="Submit", exact=True).click()
    expect(page.get_by_role("heading", name="Submit this deal registration?")).to_be_visible()
    page.get_by_role("button", name="Submit").click()

    submitted_note = "Submitted: your deal registration is under review."
    expect(page.locator(".messages .success")).to_contain_text(submitted_note)
    expect(page.locator(".sub .badge")).to_have_text("Under review")
    main = page.locator("main")
    assert "Fabrikam" not in main.inner_text() and "onflict" not in main.inner_text()
    assert f"/deal-registrations/{held.id}/" not in main.inner_html()
    expect(page.locator("#conflicts")).to_have_count(0)
    with tenant_context(tenant):
        mine = DealRegistration.objects.get(customer_name="Acme Europe")
    assert mine.has_conflict  # the vendor knows; the partner's page above does not say

    page.get_by_role("link", name="My deal registrations").first.click()
    row = page.get_by_role("row", name=re.compile("Acme Europe"))
    expect(row).to_contain_text("Under review")
    expect(page.locator("table.data")).not_to_contain_text("Fabrikam")
    expect(page.get_by_role("row", name=re.compile(r"^Acme acme\.com"))).to_have_count(0)


def test_a_partner_requests_the_one_extension_and_the_button_goes(
    signed_in, tenant, partner_user, manager_user
):
    registration = submitted(tenant, partner_user, "Initech", "initech.example")
    with tenant_context(tenant):
        registration_approve(tenant=tenant, actor=manager_user, registration_id=registration.id)
    page = signed_in(partner_user)
    page.goto(f"{BASE}{registration.id}/")
    expect(page.locator(".sub .badge")).to_have_text("Approved")

    page.get_by_role("link", name="Request extension").click()
    page.get_by_role("button", name="Request extension").click()

    expect(page.locator(".messages .success")).to_contain_text("Extension requested")
    expect(page.get_by_role("link", name="Request extension")).to_have_count(0)
    expect(page.locator(".facts")).to_contain_text("Requested")
    page.reload()
    expect(page.get_by_role("link", name="Request extension")).to_have_count(0)


def test_the_vendor_reviews_the_conflict_side_by_side_and_decides_through_the_dialogs(
    signed_in, tenant, partner_user, other_partner_user, manager_user
):
    submitted(tenant, partner_user, "Acme", "acme.com")
    conflicting = submitted(tenant, other_partner_user, "Acme Europe", "eu.acme.com")
    clean = submitted(tenant, other_partner_user, "Globex", "globex.example")
    page = signed_in(manager_user)
    page.goto(f"{BASE}review/")
    expect(page.get_by_role("row", name=re.compile("Acme Europe"))).to_contain_text("Conflict")
    expect(page.get_by_role("row", name=re.compile("Globex"))).not_to_contain_text("Conflict")

    page.get_by_role("link", name="Acme Europe").click()
    expect(page.locator(".facts").first).to_contain_text("Fabrikam Systems")
    conflicts = page.locator("#conflicts")
    expect(conflicts).to_contain_text("Registered by Contoso Consulting")
    expect(conflicts.get_by_role("link", name="Acme")).to_be_visible()

    page.get_by_role("link", name="Reject…").click()
    dialog = page.get_by_role("dialog", name="Reject this deal registration")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="Reject…").click()
    dialog.get_by_label("Reason").select_option(label="Duplicate")
    dialog.get_by_label("Why").fill("Contoso registered the account first.")
    dialog.get_by_role("button", name="Reject the registration").click()

    expect(page.locator(".messages .success")).to_contain_text("Rejected: Duplicate.")
    expect(page.locator(".facts").first).to_contain_text("Duplicate: Contoso registered the account first.")
    with tenant_context(tenant):
        assert DealRegistration.objects.get(id=conflicting.id).state == DealRegistration.State.REJECTED

    page.get_by_role("link", name="Deal registrations to review").click()
    expect(page.get_by_role("row", name=re.compile("Acme Europe"))).to_have_count(0)
    page.get_by_role("link", name="Globex").click()
    expect(page.locator("#conflicts")).to_contain_text("No conflict at submission")
    page.get_by_role("link", name="Approve…").click()
    dialog = page.get_by_role("dialog", name="Approve this deal registration?")
    expect(dialog.get_by_label("Opportunity")).to_have_value("")  # create a new one
    dialog.get_by_role("button", name="Approve the registration").click()

    expect(page.locator(".messages .success")).to_contain_text("Approved: protected until")
    expect(page.locator(".sub .badge")).to_have_text("Approved")
    page.get_by_role("link", name="Deal registrations to review").click()
    expect(page.get_by_role("row", name=re.compile("Globex"))).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile(r"^Acme acme\.com"))).to_have_count(1)
    with tenant_context(tenant):
        approved = DealRegistration.objects.select_related("opportunity").get(id=clean.id)
    assert approved.opportunity.source_partner_id == approved.partner_id
