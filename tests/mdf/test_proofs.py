"""Proof-of-performance files through the services: what an upload keeps and refuses (size, the type
read from the bytes, the virus scanner), and the vendor's review, audited, with a rejected file
replaced by a new upload."""

import hashlib

import pytest
from django.utils import timezone

from mdf.models import ProofFile, ReviewState, ScanState
from mdf.services import proof_accept, proof_reject, proof_upload
from mdf.services.proofs import sanitised_name
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Notification
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import PROOF_PDF, ProofFileFactory
from tests.mdf.proof_files import pdf, png, proof_dir, stored_files, upload, xlsx
from tests.mdf.scanners import EICAR

pytestmark = pytest.mark.django_db
__all__ = ["proof_dir"]  # the fixture, used by name


@pytest.fixture
def reviewer(tenant):
    return make_member(tenant, Role.PARTNER_MANAGER, email="reviewer@northwind.example")


def send(tenant, actor, file, kind="invoice", **fields):
    return proof_upload(tenant=tenant, actor=actor, file=file, kind=kind, **fields)


# --- Upload ---------------------------------------------------------------------------------------


def test_an_upload_is_stored_under_a_random_name_with_what_was_read_from_it(
    in_tenant, partner, partner_user, proof_dir
):
    proof = send(in_tenant, partner_user, pdf("Q4 booth invoice.pdf"))

    assert (proof.partner, proof.kind, proof.original_name) == (partner, "invoice", "Q4 booth invoice.pdf")
    assert (proof.content_type, proof.size) == ("application/pdf", len(PROOF_PDF))
    assert proof.sha256 == hashlib.sha256(PROOF_PDF).hexdigest()
    assert (proof.scan_state, proof.review_state) == (ScanState.CLEAN, ReviewState.PENDING)
    assert (proof.uploaded_by, proof.uploaded_by_label) == (partner_user, "casey@contoso.example")
    [stored] = stored_files(proof_dir)
    assert stored.read_bytes() == PROOF_PDF
    assert "booth" not in proof.storage_name and stored.name == proof.storage_name.rsplit("/", 1)[1]
    event = AuditEvent.objects.get(action="mdf.proof.uploaded")
    assert (event.target_id, event.after["sha256"]) == (str(proof.id), proof.sha256)


@pytest.mark.parametrize(
    "file, content_type",
    [
        (png(), "image/png"),
        (xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (upload("attendees.csv", b"name,company\nDana,Acme\n", "application/vnd.ms-excel"), "text/csv"),
        (upload("results.txt", "Pipeline: 120 000 €\n".encode(), "text/plain"), "text/plain"),
    ],
    ids=["png", "xlsx", "csv", "text"],
)
def test_the_accepted_types_are_told_by_their_bytes(in_tenant, partner_user, proof_dir, file, content_type):
    assert send(in_tenant, partner_user, file, kind="other").content_type == content_type


def test_the_name_is_a_harmless_label(in_tenant, partner_user, proof_dir):
    proof = send(in_tenant, partner_user, pdf('..\\../etc/<script>"x".pdf'))
    assert proof.original_name == "_script_x_.pdf"
    assert sanitised_name("\x00\x1f") == "proof"
    assert sanitised_name("a" * 300 + ".pdf") == "a" * 196 + ".pdf"


def test_a_file_over_the_limit_is_refused_with_its_name_and_the_limit(
    in_tenant, partner_user, proof_dir, settings
):
    settings.PARTNERHUB_PROOF_MAX_BYTES = 2 * 1024 * 1024
    big = PROOF_PDF + b"0" * (3 * 1024 * 1024)

    with pytest.raises(
        ServiceError, match=r"“flyers\.pdf” is 3 MB: a proof file may be at most 2 MB"
    ) as refused:
        send(in_tenant, partner_user, pdf("flyers.pdf", big))

    assert refused.value.field == "file"
    assert (ProofFile.objects.count(), stored_files(proof_dir)) == (0, [])


@pytest.mark.parametrize(
    "name, content, found",
    [
        ("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, " (it is EXE)"),
        ("invoice.pdf", b"<!doctype html><script>alert(document.cookie)</script>", ""),
        ("photos.pdf", b"  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", ""),
        ("report.docx", b"PK\x03\x04" + b"\x14\x00" * 40 + b"payload.exe", " (it is ZIP)"),
        ("list.csv", b"name\x00\x01\x02binary", ""),
    ],
    ids=["exe-as-pdf", "html-as-pdf", "svg", "zip-as-docx", "binary-as-csv"],
)
def test_a_file_is_judged_by_its_bytes_not_its_name(in_tenant, partner_user, proof_dir, name, content, found):
    with pytest.raises(ServiceError) as refused:
        send(in_tenant, partner_user, upload(name, content))

    assert refused.value.message == (
        f"“{name}” is not a file type proofs may have{found}: upload PDF, PNG, JPEG, WebP, HEIC, Word, "
        "Excel, PowerPoint, CSV or plain text."
    )
    assert (ProofFile.objects.count(), stored_files(proof_dir)) == (0, [])


def test_an_infected_verdict_refuses_the_file_and_stores_nothing(
    in_tenant, partner_user, proof_dir, settings
):
    settings.PARTNERHUB_PROOF_SCANNER = "tests.mdf.scanners.eicar_is_infected"

    with pytest.raises(ServiceError, match=r"“notes\.txt” was refused: the virus scanner found it infected"):
        send(in_tenant, partner_user, upload("notes.txt", EICAR, "text/plain"))

    assert (ProofFile.objects.count(), stored_files(proof_dir)) == (0, [])
    assert not AuditEvent.objects.filter(action="mdf.proof.uploaded").exists()
    assert send(in_tenant, partner_user, pdf()).scan_state == ScanState.CLEAN  # the scanner passes others


def test_a_scanner_that_fails_refuses_the_file(in_tenant, partner_user, proof_dir, settings):
    settings.PARTNERHUB_PROOF_SCANNER = "tests.mdf.scanners.unreachable"

    with pytest.raises(ServiceError, match="could not be checked for viruses just now"):
        send(in_tenant, partner_user, pdf())

    assert stored_files(proof_dir) == []


def test_a_scanner_that_answers_later_leaves_the_file_waiting(
    in_tenant, partner_user, reviewer, proof_dir, settings
):
    settings.PARTNERHUB_PROOF_SCANNER = "tests.mdf.scanners.answers_later"
    proof = send(in_tenant, partner_user, pdf())

    assert proof.scan_state == ScanState.PENDING
    with pytest.raises(ServiceError, match="still waiting for its virus scan"):
        proof_accept(tenant=in_tenant, actor=reviewer, proof_id=proof.id)


def test_only_a_partners_users_upload(in_tenant, reviewer, proof_dir):
    with pytest.raises(ServiceError, match="Only a partner's users upload proof files"):
        send(in_tenant, reviewer, pdf())
    assert stored_files(proof_dir) == []


def test_the_kind_is_required(in_tenant, partner_user, proof_dir):
    with pytest.raises(ServiceError, match="Choose what the file is") as refused:
        send(in_tenant, partner_user, pdf(), kind="")
    assert refused.value.field == "kind"


# --- Review ---------------------------------------------------------------------------------------


def test_accepting_is_audited_before_and_after(in_tenant, partner, reviewer):
    proof = ProofFileFactory(tenant=in_tenant, partner=partner)

    accepted = proof_accept(tenant=in_tenant, actor=reviewer, proof_id=proof.id)

    assert (accepted.review_state, accepted.reviewed_by, accepted.reject_reason) == ("accepted", reviewer, "")
    assert accepted.reviewed_at is not None
    event = AuditEvent.objects.get(action="mdf.proof.accepted")
    assert (event.actor, event.before, event.after) == (
        reviewer,
        {"status": "pending"},
        {"status": "accepted"},
    )
    with pytest.raises(ServiceError, match="This proof file is accepted already"):
        proof_reject(tenant=in_tenant, actor=reviewer, proof_id=proof.id, reason="Blurred")


def test_rejecting_needs_a_reason_is_audited_and_tells_the_partner(
    in_tenant, partner, partner_user, reviewer
):
    proof = ProofFileFactory(tenant=in_tenant, partner=partner, original_name="invoice.pdf")
    with pytest.raises(ServiceError, match="Say why the file is rejected"):
        proof_reject(tenant=in_tenant, actor=reviewer, proof_id=proof.id, reason="  ")

    rejected = proof_reject(
        tenant=in_tenant, actor=reviewer, proof_id=proof.id, reason="The total is not shown."
    )

    assert (rejected.review_state, rejected.reject_reason) == ("rejected", "The total is not shown.")
    event = AuditEvent.objects.get(action="mdf.proof.rejected")
    assert event.after == {"status": "rejected", "reason": "The total is not shown."}
    notice = Notification.objects.get(user=partner_user)
    assert (notice.title, notice.body) == ("Proof file rejected: invoice.pdf", "The total is not shown.")


def test_a_partner_cannot_review(in_tenant, partner, partner_user):
    proof = ProofFileFactory(tenant=in_tenant, partner=partner)
    with pytest.raises(ServiceError, match="Your role cannot review proof files"):
        proof_accept(tenant=in_tenant, actor=partner_user, proof_id=proof.id)
    assert ProofFile.objects.get().review_state == ReviewState.PENDING


# --- Replacing a rejected file -----------------------------------------------------------------


def test_a_rejected_file_is_replaced_by_a_new_upload_of_its_kind(
    in_tenant, partner, partner_user, reviewer, proof_dir
):
    first = send(in_tenant, partner_user, pdf("attendees.pdf"), kind="attendee_list")
    proof_reject(tenant=in_tenant, actor=reviewer, proof_id=first.id, reason="Names are missing.")

    second = send(in_tenant, partner_user, xlsx(), kind=None, replaces_id=first.id)

    assert (second.replaces, second.kind, second.review_state) == (first, "attendee_list", "pending")
    assert list(first.replacements.all()) == [second]
    assert len(stored_files(proof_dir)) == 2  # the rejected file stays, as the trail of what was sent
    assert (
        AuditEvent.objects.get(action="mdf.proof.uploaded", target_id=str(second.id)).after["replaces"]
        == first.id
    )
    with pytest.raises(ServiceError, match="was replaced already"):
        send(in_tenant, partner_user, pdf(), kind=None, replaces_id=first.id)


def test_only_a_rejected_file_of_ones_own_is_replaced(
    in_tenant, partner, other_partner, partner_user, proof_dir
):
    pending = ProofFileFactory(tenant=in_tenant, partner=partner)
    theirs = ProofFileFactory(
        tenant=in_tenant,
        partner=other_partner,
        review_state="rejected",
        reject_reason="Blurred",
        reviewed_at=timezone.now(),
    )

    with pytest.raises(ServiceError, match="Only a rejected proof file is replaced"):
        send(in_tenant, partner_user, pdf(), replaces_id=pending.id)
    with pytest.raises(ServiceError, match=r"^No such proof file\.$") as refused:
        send(in_tenant, partner_user, pdf(), replaces_id=theirs.id)

    assert refused.value.field == "replaces"
    assert ProofFile.objects.count() == 2
