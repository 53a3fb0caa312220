"""The partner's views in a browser: a partner user signs in to its home dashboard (with its chart);
staff open a partner's review (QBR) with its charts and download its PDF pack, then an account's
ledger from the account page."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partnerhub.tenancy.roles import Role
from tests.browser.conftest import sign_in
from tests.conftest import make_member
from tests.factories import (
    PASSWORD,
    AccountMappingFactory,
    HandoffFactory,
    LeadFactory,
    TargetAccountFactory,
    TouchFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def handed(tenant, partner):
    """Leads handed to Contoso this month and last, on one target account."""
    account = TargetAccountFactory(tenant=tenant, name="Litware Retail")
    AccountMappingFactory(tenant=tenant, account=account, partner=partner)
    for days in (1, 2, 40):
        lead = LeadFactory(tenant=tenant, account=account, stage="mql")
        TouchFactory(tenant=tenant, lead=lead, kind="meeting")
        HandoffFactory(
            tenant=tenant,
            partner=partner,
            lead=lead,
            offered_at=timezone.now() - datetime.timedelta(days=days),
        )
    return account


def test_a_partner_user_sees_its_dashboard_with_a_chart(page, tenant, partner, handed):
    make_member(tenant, Role.PARTNER_USER, partner=partner, email="casey@contoso.example")
    sign_in(page, "casey@contoso.example", PASSWORD)
    page.goto("/t/northwind/")
    dashboard = page.locator("#partner-dashboard")
    expect(dashboard).to_contain_text("Leads handed to you")
    expect(dashboard.locator("svg[role=img]")).to_have_count(1)
    expect(dashboard.locator("svg[role=img]")).to_have_attribute(
        "aria-label", "Leads handed to you per month"
    )
    expect(page.locator("#partner-tier")).to_contain_text("One-to-few (growing)")
    page.get_by_role("link", name="Your quarterly review (QBR), with its PDF pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partner review: Contoso Consulting")


def test_staff_open_a_review_download_its_pdf_and_open_a_ledger(signed_in, tenant, partner, handed, tmp_path):
    page = signed_in(make_member(tenant, Role.PARTNER_MANAGER))
    page.goto(f"/t/northwind/reporting/partners/{partner.id}/review/")
    expect(page.locator("svg[role=img]")).to_have_count(3)
    expect(page.locator("#review-leads")).to_contain_text("Leads handed")

    pdf_url = page.get_by_role("link", name="PDF pack").get_attribute("href")
    answer = page.request.get(page.url.split("?")[0] + pdf_url)
    assert answer.headers["content-type"] == "application/pdf"
    with page.expect_download() as caught:
        page.get_by_role("link", name="PDF pack").click()
    download = caught.value
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert Path(saved).read_bytes().startswith(b"%PDF")

    page.goto(f"/t/northwind/accounts/{handed.id}/")
    page.get_by_role("link", name="Ledger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ledger of Litware Retail")
    expect(page.locator("#ledger tbody tr[data-kind=handoff]")).to_have_count(3)
    page.get_by_role("link", name="Partner overlap (1)").click()
    expect(page.locator("#ledger tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/ledger/\?kind=mapping$"))
