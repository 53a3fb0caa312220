"""Claims in the API: a partner key's company claims its approved request, files the invoice and
submits; a vendor key approves partially and pays; bad input is a 400 with field messages; another
partner's key learns nothing."""

import pytest
from django.test import Client
from django.utils import timezone

from mdf.services import proof_accept
from partnerhub.tenancy.context import tenant_context
from tests.factories import ApiKeyFactory
from tests.mdf.proof_files import pdf, proof_dir

pytestmark = pytest.mark.django_db
__all__ = ["proof_dir"]

API = "/api/v1/mdf/claims/"


def key_client(key) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")


def test_a_claim_through_the_api(tenant, partner, approved_line, manager_user, proof_dir):
    request, _ = approved_line
    partner_key = key_client(ApiKeyFactory(tenant=tenant, partner=partner, scopes=["read", "write"]))
    vendor_key = key_client(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))
    manager = Client(HTTP_X_TENANT=tenant.slug)
    manager.force_login(manager_user)

    bad = partner_key.post(
        API, {"request": request.id, "amount_claimed": "abc"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "amount_claimed" in bad.json()
    above = partner_key.post(
        API, {"request": request.id, "amount_claimed": "5000.01"}, content_type="application/json"
    )
    assert above.status_code == 400 and "At most 5000.00 USD" in str(above.json())

    created = partner_key.post(
        API, {"request": request.id, "amount_claimed": "4500.00"}, content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    claim = created.json()
    assert (claim["state"], claim["ceiling"], claim["required_proof"]) == ("draft", "5000.00", ["invoice"])
    early = partner_key.post(f"{API}{claim['id']}/submit/", content_type="application/json")
    assert early.status_code == 400 and "invoice" in str(early.json())
    filed = partner_key.post(f"{API}{claim['id']}/files/", {"kind": "invoice", "file": pdf("summit.pdf")})
    assert filed.status_code == 200, filed.json()
    [file] = filed.json()["files"]
    assert (file["name"], file["review_state"]) == ("summit.pdf", "pending")
    assert (
        partner_key.post(f"{API}{claim['id']}/submit/", content_type="application/json").json()["state"]
        == "submitted"
    )

    assert (
        partner_key.post(f"{API}{claim['id']}/approve/", {}, content_type="application/json").status_code
        == 403
    )
    with tenant_context(tenant):
        proof_accept(tenant=tenant, actor=manager_user, proof_id=file["id"])
    # A vendor key acts as revops, which reads the funds but does not decide on their money.
    by_key = vendor_key.post(f"{API}{claim['id']}/approve/", {}, content_type="application/json")
    assert by_key.status_code == 400 and "Your role cannot manage market development funds." in str(
        by_key.json()
    )
    approved_claim = manager.post(
        f"{API}{claim['id']}/approve/",
        {"amount": "4000.00", "reason": "No photos"},
        content_type="application/json",
    ).json()
    assert (approved_claim["state"], approved_claim["amount_approved"]) == ("partially_approved", "4000.00")
    paid = manager.post(
        f"{API}{claim['id']}/pay/",
        {"payment_reference": "PAY-9", "paid_on": timezone.localdate().isoformat()},
        content_type="application/json",
    ).json()
    assert (paid["state"], paid["payment_reference"]) == ("paid", "PAY-9")


def test_another_partners_key_learns_nothing(tenant, approved_line, other_partner):
    request, _ = approved_line
    outsider = key_client(ApiKeyFactory(tenant=tenant, partner=other_partner, scopes=["read", "write"]))
    answer = outsider.post(
        API, {"request": request.id, "amount_claimed": "10.00"}, content_type="application/json"
    )
    assert answer.status_code == 400 and "No such request." in str(answer.json())
    assert outsider.get(API).json()["results"] == []
