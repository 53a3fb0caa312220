"""Proof-of-performance files in the API and the portal: a partner uploads and downloads its own,
the vendor's staff read and review every one, and nobody else learns a file exists (404, the answer
for one that does not)."""

import pytest
from django.test import Client
from django.urls import reverse

from mdf.models import ProofFile
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import PROOF_PDF, ApiKeyFactory, ProofFileFactory
from tests.mdf.proof_files import pdf, proof_dir, stored_files, upload

pytestmark = pytest.mark.django_db
__all__ = ["proof_dir"]  # the fixture, used by name

LIST = "/api/v1/proof-files/"


def api(user, tenant):
    client = login(user)
    client.defaults["HTTP_X_TENANT"] = tenant.slug
    return client


def portal_download(tenant, proof_id) -> str:
    return reverse("mdf:proof_file_download", kwargs={"tenant_slug": tenant.slug, "proof_file_id": proof_id})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def reviewer(tenant):
    return make_member(tenant, Role.PARTNER_MANAGER, email="reviewer@northwind.example")


@pytest.fixture
def other_partner_user(tenant, other_partner):
    return make_member(tenant, Role.PARTNER_USER, partner=other_partner, email="fran@fabrikam.example")


# --- Upload and read ------------------------------------------------------------------------------


def test_a_partner_user_uploads_a_file_and_downloads_it(tenant, partner, partner_user, proof_dir):
    client = api(partner_user, tenant)

    created = client.post(LIST, {"file": pdf("Booth invoice.pdf"), "kind": "invoice"})

    assert created.status_code == 201, created.content
    row = created.json()
    assert {key: row[key] for key in ("partner", "kind", "original_name", "content_type", "size")} == {
        "partner": partner.id,
        "kind": "invoice",
        "original_name": "Booth invoice.pdf",
        "content_type": "application/pdf",
        "size": len(PROOF_PDF),
    }
    assert (row["scan_state"], row["review_state"], row["replaces"]) == ("clean", "pending", None)
    assert "storage_name" not in row
    download = client.get(f"{LIST}{row['id']}/download/", HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert body(download) == PROOF_PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Booth invoice.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_upload_refused_by_its_bytes_is_a_400_on_the_file(tenant, partner_user, proof_dir):
    html = upload("invoice.pdf", b"<html><script>alert(1)</script></html>")

    response = api(partner_user, tenant).post(LIST, {"file": html, "kind": "invoice"})

    assert response.status_code == 400
    assert response.json()["file"][0].startswith("“invoice.pdf” is not a file type proofs may have")
    assert (ProofFile.unscoped.count(), stored_files(proof_dir)) == (0, [])


def test_an_upload_without_a_file_or_as_json_is_a_400(tenant, partner_user, proof_dir):
    client = api(partner_user, tenant)

    assert client.post(LIST, {"kind": "invoice"}).json() == {"file": ["No file was submitted."]}
    assert client.post(LIST, {"kind": "invoice"}, content_type="application/json").status_code == 400


def test_staff_cannot_upload(tenant, reviewer, proof_dir):
    response = api(reviewer, tenant).post(LIST, {"file": pdf(), "kind": "invoice"})
    assert (response.status_code, response.json()) == (403, {"detail": "Your role does not allow this."})


def test_a_replacement_names_a_rejected_file_of_the_partners(tenant, partner, partner_user, proof_dir):
    rejected = ProofFileFactory(
        tenant=tenant,
        partner=partner,
        review_state="rejected",
        reject_reason="Blurred",
        reviewed_at="2026-11-02T10:00Z",
    )

    response = api(partner_user, tenant).post(LIST, {"file": pdf(), "replaces": rejected.id})

    assert response.status_code == 201, response.content
    assert (response.json()["replaces"], response.json()["kind"]) == (rejected.id, "invoice")


def test_a_partner_lists_only_its_own_files_and_staff_every_one(
    tenant, partner, other_partner, partner_user, reviewer, proof_dir
):
    own = ProofFileFactory(tenant=tenant, partner=partner)
    theirs = ProofFileFactory(tenant=tenant, partner=other_partner)

    assert [row["id"] for row in api(partner_user, tenant).get(LIST).json()["results"]] == [own.id]
    assert {row["id"] for row in api(reviewer, tenant).get(LIST).json()["results"]} == {own.id, theirs.id}
    filtered = api(reviewer, tenant).get(LIST, {"partner": other_partner.id, "review_state": "pending"})
    assert [row["id"] for row in filtered.json()["results"]] == [theirs.id]


# --- Nobody else downloads ----------------------------------------------------------------------


def test_another_partners_user_and_another_tenants_user_cannot_download_or_learn_it_exists(
    tenant, other_tenant, partner, partner_user, other_partner_user, reviewer, proof_dir
):
    proof = ProofFileFactory(tenant=tenant, partner=partner)
    missing = proof.id + 1000
    stranger = make_member(other_tenant, Role.TENANT_ADMIN, email="admin@globex.example")

    # The owner's users and the vendor's staff download it.
    assert body(login(partner_user).get(portal_download(tenant, proof.id))) == PROOF_PDF
    assert body(login(reviewer).get(portal_download(tenant, proof.id))) == PROOF_PDF
    # Another partner's user: the 404 of a file that does not exist, in the portal and the API.
    other = login(other_partner_user)
    assert other.get(portal_download(tenant, proof.id)).status_code == 404
    assert (
        other.get(portal_download(tenant, proof.id)).content
        == other.get(portal_download(tenant, missing)).content
    )
    for path in (f"{LIST}{proof.id}/", f"{LIST}{proof.id}/download/"):
        answer = api(other_partner_user, tenant).get(path)
        assert (answer.status_code, answer.json()) == (404, {"detail": "Not found."})
    # Another tenant's admin, in their own tenant or naming this one.
    assert login(stranger).get(portal_download(tenant, proof.id)).status_code == 404
    assert login(stranger).get(portal_download(other_tenant, proof.id)).status_code == 404
    assert api(stranger, other_tenant).get(f"{LIST}{proof.id}/download/").status_code == 404


def test_a_partner_key_reads_its_partners_files_only(tenant, partner, other_partner, proof_dir):
    own = ProofFileFactory(tenant=tenant, partner=partner)
    theirs = ProofFileFactory(tenant=tenant, partner=other_partner)
    key = ApiKeyFactory(tenant=tenant, partner=partner, scopes=["read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")

    assert client.get(f"{LIST}{own.id}/download/").status_code == 200
    assert client.get(f"{LIST}{theirs.id}/download/").status_code == 404


def test_a_file_waiting_for_its_scan_is_not_downloaded(tenant, partner, partner_user, proof_dir):
    proof = ProofFileFactory(tenant=tenant, partner=partner, scan_state="pending")

    assert login(partner_user).get(portal_download(tenant, proof.id)).status_code == 409
    answer = api(partner_user, tenant).get(f"{LIST}{proof.id}/download/")
    assert answer.status_code == 400
    assert "waiting for its virus scan" in answer.json()["proof_file"][0]


# --- Review -----------------------------------------------------------------------------------------


def test_staff_accept_and_reject_through_the_api_audited(tenant, partner, reviewer, partner_user, proof_dir):
    first, second = ProofFileFactory.create_batch(2, tenant=tenant, partner=partner)
    client = api(reviewer, tenant)

    accepted = client.post(f"{LIST}{first.id}/accept/", content_type="application/json")
    rejected = client.post(
        f"{LIST}{second.id}/reject/", {"reason": "The date is cut off."}, content_type="application/json"
    )

    assert (accepted.status_code, accepted.json()["review_state"]) == (200, "accepted")
    assert (rejected.json()["review_state"], rejected.json()["reject_reason"]) == (
        "rejected",
        "The date is cut off.",
    )
    assert accepted.json()["reviewed_at"] is not None
    assert set(AuditEvent.unscoped.filter(actor=reviewer).values_list("action", flat=True)) == {
        "mdf.proof.accepted",
        "mdf.proof.rejected",
    }
    again = client.post(f"{LIST}{first.id}/accept/", content_type="application/json")
    assert again.json() == {"proof_file": ["This proof file is accepted already."]}
    refused = api(partner_user, tenant).post(f"{LIST}{second.id}/accept/", content_type="application/json")
    assert (refused.status_code, refused.json()) == (403, {"detail": "Your role does not allow this."})
    missing_reason = client.post(f"{LIST}{first.id}/reject/", {}, content_type="application/json")
    assert missing_reason.json() == {"reason": ["This field is required."]}
