"""Claims in a browser: the partner claims an approved request from its page, uploads the invoice
through the form and submits; the vendor accepts the file and approves the claim partially."""

import pytest
from playwright.sync_api import expect

from mdf.models import Claim
from partnerhub.tenancy.context import tenant_context
from tests.factories import PROOF_PDF
from tests.mdf.approved_lines import approved_line
from tests.mdf.proof_files import proof_dir

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["approved_line", "proof_dir"]


def test_a_claim_with_its_invoice_is_submitted_and_approved_partially(
    signed_in, tenant, approved_line, partner_user, manager_user, proof_dir, tmp_path
):
    request, _ = approved_line
    page = signed_in(partner_user)
    page.goto(f"/t/northwind/mdf/requests/{request.id}/")
    page.get_by_role("link", name="Claim…").click()
    page.get_by_label("Amount claimed").fill("4500.00")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages .success")).to_contain_text("Draft claim saved")

    invoice = tmp_path / "summit-invoice.pdf"
    invoice.write_bytes(PROOF_PDF)
    page.get_by_label("What the file is").select_option("invoice")
    page.get_by_label("File", exact=True).set_input_files(invoice)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".messages .success")).to_contain_text("summit-invoice.pdf is filed with the claim.")
    page.get_by_role("link", name="Submit", exact=True).click()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".sub .badge")).to_have_text("Submitted")

    page.context.clear_cookies()
    page = signed_in(manager_user)
    page.goto("/t/northwind/")
    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_role("link", name="Joint summit").click()
    page.get_by_role("link", name="Review…").click()
    page.get_by_label("Decision").select_option("accept")
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator("#proof")).to_contain_text("Accepted")
    page.get_by_role("link", name="Approve…").click()
    page.get_by_label("Amount approved").fill("4000.00")
    page.get_by_label("Why less").fill("No booth photos")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".sub .badge")).to_have_text("Partially approved")
    with tenant_context(tenant):
        assert str(Claim.objects.get().amount_approved) == "4000.00"
