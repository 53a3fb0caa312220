"""Claims as people use them in the portal: the partner claims an approved request from its page,
files the invoice and submits; the vendor reviews the file, approves partially and records the
payment; another partner learns nothing of it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from mdf.models import Claim, ClaimState, ProofFile
from mdf.selectors import allocation_balances
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.mdf.proof_files import pdf, proof_dir, upload

pytestmark = pytest.mark.django_db
__all__ = ["proof_dir"]

BASE = "/t/northwind/mdf/"


def test_a_claim_from_the_request_page_to_its_payment(
    tenant, approved_line, partner_user, manager_user, proof_dir
):
    request, allocation = approved_line
    client, vendor = login(partner_user), login(manager_user)
    page = client.get(f"{BASE}requests/{request.id}/").content.decode()
    assert f"{BASE}requests/{request.id}/claim/" in page and "Cancel request" in page

    form = client.get(f"{BASE}requests/{request.id}/claim/").content.decode()
    assert "Proof it needs: Invoice." in form and 'value="5000.00"' in form
    too_much = client.post(f"{BASE}requests/{request.id}/claim/", {"amount_claimed": "5000.01"})
    assert "At most 5000.00 USD can be claimed" in too_much.content.decode()
    response = client.post(
        f"{BASE}requests/{request.id}/claim/", {"amount_claimed": "4500.00", "note": "Held"}
    )
    claim = Claim.unscoped.get(request_id=request.id)
    assert response["Location"] == f"{BASE}claims/{claim.id}/"
    assert "Cancel request" not in client.get(f"{BASE}requests/{request.id}/").content.decode()

    refusal = client.get(f"{BASE}claims/{claim.id}/submit/").content.decode()
    assert "Before it is sent: A file of kind “invoice”." in refusal
    bad = client.post(
        f"{BASE}claims/{claim.id}/upload/",
        {"kind": "invoice", "file": upload("x.pdf", b"<html>")},
        follow=True,
    )
    assert "“x.pdf” is not a file type proofs may have" in bad.content.decode()  # read from its bytes
    assert not ProofFile.unscoped.exists()
    done = client.post(
        f"{BASE}claims/{claim.id}/upload/", {"kind": "invoice", "file": pdf("summit.pdf")}, follow=True
    )
    assert "summit.pdf is filed with the claim." in done.content.decode()
    client.post(f"{BASE}claims/{claim.id}/submit/")
    with tenant_context(tenant):
        claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED

    queue = vendor.get(f"{BASE}claims/review/").content.decode()
    assert "Joint summit" in queue and "Contoso Consulting" in queue
    proof = ProofFile.unscoped.get()
    early = vendor.post(f"{BASE}claims/{claim.id}/approve/", {"amount": ""}).content.decode()
    assert "“summit.pdf” waits for review." in early
    vendor.post(f"{BASE}claims/{claim.id}/files/{proof.id}/review/", {"decision": "accept"})
    no_reason = vendor.post(f"{BASE}claims/{claim.id}/approve/", {"amount": "4000.00", "reason": ""})
    assert "Say why it is approved for less than claimed." in no_reason.content.decode()
    vendor.post(
        f"{BASE}claims/{claim.id}/approve/", {"amount": "4000.00", "reason": "No photos of the booth"}
    )
    paid = vendor.post(
        f"{BASE}claims/{claim.id}/pay/",
        {"payment_reference": "PAY-77", "paid_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Paid: 4000.00 USD, reference PAY-77." in paid.content.decode()
    with tenant_context(tenant):
        balance = allocation_balances(tenant=tenant, fund_ids=[allocation.fund_id]).get(id=allocation.id)
    assert (balance.reserved, balance.claimed, balance.paid, balance.available) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("4000.00"),
        Decimal("5000.00"),
    )
    mine = client.get(f"{BASE}claims/{claim.id}/").content.decode()
    assert "Paid" in mine and "No photos of the booth" in mine and "PAY-77" in mine


def test_another_partner_never_reaches_a_claim(tenant, approved_line, partner_user, other_partner, proof_dir):
    request, _ = approved_line
    client = login(partner_user)
    client.post(f"{BASE}requests/{request.id}/claim/", {"amount_claimed": "100.00"})
    claim = Claim.unscoped.get()
    outsider = login(
        make_member(tenant, Role.PARTNER_ADMIN, partner=other_partner, email="f@fabrikam.example")
    )
    for path in ("", "submit/", "edit/"):
        assert outsider.get(f"{BASE}claims/{claim.id}/{path}").status_code == 404
    assert outsider.get(f"{BASE}requests/{request.id}/claim/").status_code == 404
    assert "Joint summit" not in outsider.get(f"{BASE}claims/").content.decode()
    assert client.get(f"{BASE}claims/review/").status_code == 403
    assert client.get(f"{BASE}claims/{claim.id}/approve/").status_code == 403
