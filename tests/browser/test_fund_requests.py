"""Fund requests in a browser: a long-tail partner requests a catalog item in a few clicks and sees
it approved at once; the vendor filters the review queue in place (htmx) and approves a proposal
for less than asked."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from mdf.models import FundRequest
from mdf.services import request_create, request_submit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import (
    AllocationFactory,
    CatalogItemFactory,
    FundFactory,
    PartnerFactory,
    PlanAccountFactory,
    PlanFactory,
    ProposalTemplateFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fund(tenant):
    return FundFactory(tenant=tenant, name="Q4 partner marketing", amount=Decimal("100000.00"))


def test_a_long_tail_partner_requests_a_catalog_item_in_a_few_clicks(signed_in, tenant, fund):
    tail = PartnerFactory(tenant=tenant, name="Tailspin Toys", tier=Partner.Tier.ONE_TO_MANY)
    AllocationFactory(tenant=tenant, fund=fund, partner=None, tier="one_to_many", amount=Decimal("1000.00"))
    CatalogItemFactory(tenant=tenant, name="Webinar kit", amount=Decimal("400.00"), tiers=["one_to_many"])
    page = signed_in(make_member(tenant, Role.PARTNER_USER, partner=tail, email="tia@tailspin.example"))

    page.goto("/t/northwind/")
    page.get_by_role("link", name="My fund requests").click()
    page.get_by_role("link", name="Request funds").click()
    page.get_by_role("row", name=re.compile("Webinar kit")).get_by_role("link", name="Request this").click()
    page.get_by_label("Starts on").fill("2026-12-10")
    page.get_by_label("Ends on").fill("2026-12-10")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages .success")).to_contain_text("Draft saved")

    page.get_by_role("link", name="Submit", exact=True).click()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".messages .success")).to_contain_text("Approved at once from the catalog")
    expect(page.locator(".sub .badge").first).to_have_text("Approved")
    expect(page.locator(".facts").first).to_contain_text("$400.00")


def proposal(tenant, user, partner, fund, title, amount):
    template = ProposalTemplateFactory(tenant=tenant, questions=["Who is the audience?"])
    plan = PlanFactory(tenant=tenant, partner=partner, name=f"{title} plan")
    PlanAccountFactory(tenant=tenant, plan=plan)
    with tenant_context(tenant):
        made = request_create(
            tenant=tenant,
            actor=user,
            fund_id=fund.id,
            kind="proposal",
            template_id=template.id,
            title=title,
            activity_type="event",
            starts_on=fund.created_at.date(),
            ends_on=fund.created_at.date(),
            plan=plan.id,
            amount_requested=Decimal(amount),
            answers={"Who is the audience?": "CIOs"},
        )
        return request_submit(tenant=tenant, actor=user, request_id=made.id)


def test_the_vendor_filters_the_queue_in_place_and_approves_for_less(
    signed_in, tenant, fund, partner, manager_user
):
    other = PartnerFactory(tenant=tenant, name="Fabrikam Systems")
    for company, title in ((partner, "Healthcare roundtable"), (other, "Finance breakfast")):
        AllocationFactory(tenant=tenant, fund=fund, partner=company, amount=Decimal("20000.00"))
        user = make_member(tenant, Role.PARTNER_USER, partner=company)
        proposal(tenant, user, company, fund, title, "8000.00")
    page = signed_in(manager_user)

    page.goto("/t/northwind/")
    page.get_by_role("link", name="Fund requests").first.click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Partner").select_option(label="Contoso Consulting")  # reloads the table in place
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Healthcare roundtable")
    assert "partner=" in page.url

    rows.first.get_by_role("link", name="Healthcare roundtable").click()
    page.get_by_role("link", name="Approve…").click()
    page.get_by_label("Amount approved").fill("6000.00")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages .success")).to_contain_text("Approved: 6000.00 USD reserved.")
    expect(page.locator(".facts").first).to_contain_text("partially")
    with tenant_context(tenant):
        assert FundRequest.objects.get(title="Healthcare roundtable").amount_approved == Decimal("6000.00")
