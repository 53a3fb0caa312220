"""MDF funds in a browser: the funds page's bar and quarter picker (no script needed), allocating
on a fund's page, a reallocation confirmed, and the ledger's filters reloading the table in place
(htmx) with the address kept."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from mdf.selectors.funds import current_quarter
from mdf.services import allocation_create, fund_create
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Partner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fund(tenant, partner):
    quarter = current_quarter(tenant=tenant)
    with tenant_context(tenant):
        fund = fund_create(
            tenant=tenant,
            actor=None,
            name="Partner marketing",
            year=quarter.year,
            quarter=quarter.quarter,
            amount=Decimal("10000"),
        )
        allocation_create(
            tenant=tenant, actor=None, fund_id=fund.id, partner_id=partner.id, amount=Decimal("4000")
        )
    return fund


def test_staff_allocate_reallocate_and_filter_the_ledger(signed_in, tenant, manager_user, fund):
    PartnerFactory(tenant=tenant, name="Litware", tier=Partner.Tier.ONE_TO_FEW)
    page = signed_in(manager_user)
    page.goto("/t/northwind/")
    page.get_by_role("link", name="Funds").click()
    expect(page.locator(".fund-bar-legend").first).to_contain_text("Allocated, unused: $4,000.00")
    expect(page.locator(".fund-bar-legend").first).to_contain_text("Available: $6,000.00")

    page.get_by_role("link", name="Partner marketing").click()
    page.get_by_label("Partner").select_option(label="Litware")
    page.get_by_label("Amount").fill("750")
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(".messages .success")).to_contain_text("Allocated 750 USD to Litware")

    page.get_by_role("row", name="Litware").get_by_role("link", name="Reallocate").click()
    page.get_by_label("Amount").fill("250")
    page.get_by_role("button", name="Review the reallocation").click()
    expect(page.locator(".confirm")).to_contain_text("to the fund")
    page.get_by_role("button", name="Confirm the reallocation").click()
    expect(page.locator(".messages .success")).to_contain_text("Reallocated 250")

    page.get_by_role("link", name="Ledger").first.click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("Kind").select_option("reallocate")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Reallocated")
    assert "kind=reallocate" in page.url
