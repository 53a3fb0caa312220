"""Proof-of-performance files: upload, and the vendor's review (docs/mdf.md, "Proof of performance files").

The rules kept here:
- A partner's users (and its partner keys) upload their own company's files; the vendor's staff who
  manage the funds ("proof.review") accept them or reject them with a reason. Each decision is
  audited before → after, and a rejection tells the partner's users.
- A file is judged by its bytes, never by its name or the type the client claims: PDF, PNG, JPEG,
  WebP, HEIC, Word, Excel and PowerPoint documents (their zip containers), or UTF-8 text (CSV or
  plain, no markup); at most settings.PARTNERHUB_PROOF_MAX_BYTES (20 MB by default).
- Every upload passes the virus scanner named by settings.PARTNERHUB_PROOF_SCANNER before anything is
  stored: an infected verdict (or a scanner that fails) refuses the file and stores nothing.
- The bytes are stored in the "proofs" storage under a random name (`proofs/<tenant>/<uuid>`); the
  uploader's name is kept only as a sanitised label for the download.
- A rejected file is replaced by a new upload naming it (`replaces`): the partner's own, rejected,
  not replaced before; the replacement is of the same kind.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from mdf.models import ProofFile, ProofKind, ReviewState, ScanState
from mdf.selectors.proofs import STORAGE
from mdf.services.notices import tell_partner_users
from partnerhub.tenancy.actors import Actor, actor_columns
from partnerhub.tenancy.audit import audit, audit_transition
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.roles import can
from partnerhub.tenancy.services.common import membership_of, user_of

NOT_FOUND = "No such proof file."
HEADER_BYTES = 8192  # what the type is read from (filetype reads as much)
CHUNK = 64 * 1024
MAX_NAME = ProofFile._meta.get_field("original_name").max_length
MAX_REASON = ProofFile._meta.get_field("reject_reason").max_length


@dataclass(frozen=True)
class Accepted:
    """A type proof files may have: its content type and the extension it is stored with."""

    content_type: str
    extension: str


# filetype's name of a format → what it is stored and served as.
SNIFFED = {
    "pdf": Accepted("application/pdf", "pdf"),
    "png": Accepted("image/png", "png"),
    "jpg": Accepted("image/jpeg", "jpg"),
    "webp": Accepted("image/webp", "webp"),
    "heic": Accepted("image/heic", "heic"),
    "docx": Accepted("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": Accepted("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pptx": Accepted("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
CSV = Accepted("text/csv", "csv")
TEXT = Accepted("text/plain", "txt")
ALLOWED_WORDS = "PDF, PNG, JPEG, WebP, HEIC, Word, Excel, PowerPoint, CSV or plain text"
# Text may hold tabs, line and page breaks; any other control character means it is no text file.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
UNSAFE_NAME = re.compile(r"[^\w .()\[\]+,-]+")


# --- The virus-scan hook ------------------------------------------------------------------------


def scan_nothing(file, *, name: str, content_type: str, size: int) -> str:
    """The default scanner: scans nothing and calls every file clean. Name a real one (a ClamAV
    client, a cloud scanning API) in PARTNERHUB_PROOF_SCANNER; see docs/operations.md."""
    return ScanState.CLEAN


def _scan(file, *, name: str, content_type: str, size: int) -> str:
    """The configured scanner's verdict on the file: clean, infected, or pending (a scanner that
    answers later). A scanner that fails or answers anything else refuses the file."""
    scanner = import_string(settings.PARTNERHUB_PROOF_SCANNER)
    file.seek(0)
    try:
        verdict = scanner(file, name=name, content_type=content_type, size=size)
    except Exception as exc:  # any failure of a third-party scanner: fail closed
        raise ServiceError(
            f"“{name}” could not be checked for viruses just now; try again later.", field="file"
        ) from exc
    finally:
        file.seek(0)
    if verdict == ScanState.INFECTED:
        raise ServiceError(f"“{name}” was refused: the virus scanner found it infected.", field="file")
    if verdict not in (ScanState.CLEAN, ScanState.PENDING):
        raise ServiceError(
            f"“{name}” could not be checked for viruses just now; try again later.", field="file"
        )
    return verdict


# --- What a file is -------------------------------------------------------------------------------


def sanitised_name(name: str) -> str:
    """The uploader's file name as a harmless label: no directories, no control or markup characters,
    at most 200 characters with its extension kept; "proof" when nothing is left."""
    name = unicodedata.normalize("NFKC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = CONTROL.sub("", name)
    name = UNSAFE_NAME.sub("_", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:20] if dot else ""
        name = (stem if dot else name)[: MAX_NAME - len(extension) - 1].rstrip(" .") + (
            f".{extension}" if extension else ""
        )
    return name or "proof"


def _is_text(header: bytes, size: int) -> bool:
    """UTF-8 text with no control characters, and no markup (HTML, SVG, XML: a browser would render
    them)."""
    if size > len(header):
        header = header[:-4]  # the cut may split a character; the rest is judged by what precedes it
    try:
        text = header.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return bool(text.strip()) and not CONTROL.search(text) and not text.lstrip().startswith("<")


def sniffed_type(file, *, name: str, size: int) -> Accepted:
    """What the file is, read from its bytes; a ServiceError naming the file when it is none of the
    accepted types (an executable, a web page, an archive …), whatever its name says."""
    file.seek(0)
    header = file.read(HEADER_BYTES)
    file.seek(0)
    kind = filetype.guess(header)
    if kind is not None and kind.extension in SNIFFED:
        return SNIFFED[kind.extension]
    if kind is None and _is_text(header, size):
        return CSV if name.lower().endswith(".csv") else TEXT
    found = f" (it is {kind.extension.upper()})" if kind is not None else ""
    raise ServiceError(
        f"“{name}” is not a file type proofs may have{found}: upload {ALLOWED_WORDS}.", field="file"
    )


def _check_size(name: str, size: int) -> None:
    limit = settings.PARTNERHUB_PROOF_MAX_BYTES
    if size > limit:
        raise ServiceError(
            f"“{name}” is {_megabytes(size)}: a proof file may be at most {_megabytes(limit)}.", field="file"
        )
    if size == 0:
        raise ServiceError(f"“{name}” is empty.", field="file")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(CHUNK), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


# --- Who acts -------------------------------------------------------------------------------------


def _uploading_partner_id(tenant: Tenant, actor: Actor) -> int:
    if actor is None:
        raise ServiceError("Only a partner's users upload proof files.")
    membership = membership_of(tenant=tenant, user=actor)
    if not membership.is_partner_role or not can(membership.role, "proof.upload"):
        raise ServiceError("Only a partner's users upload proof files.")
    return membership.partner_id


def _require_reviewer(tenant: Tenant, actor: Actor) -> None:
    if actor is None:
        return
    membership = membership_of(tenant=tenant, user=actor)
    if membership.is_partner_role or not can(membership.role, "proof.review"):
        raise ServiceError("Your role cannot review proof files.")


def _locked(
    tenant: Tenant, proof_id, *, field: str = "proof_file", partner_id: int | None = None
) -> ProofFile:
    """The file, locked; with `partner_id`, only that partner's (another's row is never touched)."""
    proofs = ProofFile.objects.select_for_update(of=("self",)).select_related("partner")
    if partner_id is not None:
        proofs = proofs.filter(partner_id=partner_id)
    proof = proofs.filter(tenant=tenant, id=proof_id).first()
    if proof is None:
        raise ServiceError(NOT_FOUND, field=field)
    return proof


def _replaced(tenant: Tenant, partner_id: int, replaces_id: int | None, kind: str | None) -> ProofFile | None:
    """The rejected file an upload replaces: the partner's own (another's is "no such file", as one
    that does not exist), rejected, not replaced yet."""
    if replaces_id is None:
        return None
    replaced = _locked(tenant, replaces_id, field="replaces", partner_id=partner_id)
    if replaced.review_state != ReviewState.REJECTED:
        raise ServiceError("Only a rejected proof file is replaced by a new upload.", field="replaces")
    if replaced.replacements.exists():
        raise ServiceError("This proof file was replaced already: replace the newer one.", field="replaces")
    if kind and kind != replaced.kind:
        what = replaced.get_kind_display().lower()
        raise ServiceError(f"The replacement of a file of kind “{what}” is of that kind too.", field="kind")
    return replaced


# --- Upload ---------------------------------------------------------------------------------------


@transaction.atomic
def proof_upload(
    *, tenant: Tenant, actor: Actor, file, kind: str | None = None, replaces_id: int | None = None
) -> ProofFile:
    """A partner's user uploads a proof file for its company: checked (size, type sniffed from the
    bytes, the virus scanner), stored under a random name, recorded and audited. Refused with a
    message naming the file and the limit; a refused file leaves nothing stored."""
    partner_id = _uploading_partner_id(tenant, actor)
    replaced = _replaced(tenant, partner_id, replaces_id, kind)
    kind = kind or (replaced.kind if replaced is not None else None)
    if kind not in ProofKind.values:
        raise ServiceError(f"Choose what the file is: {', '.join(ProofKind.values)}.", field="kind")
    if file is None:
        raise ServiceError("Choose a file to upload.", field="file")
    name = sanitised_name(getattr(file, "name", ""))
    size = file.size
    _check_size(name, size)
    accepted = sniffed_type(file, name=name, size=size)
    scan_state = _scan(file, name=name, content_type=accepted.content_type, size=size)
    sha256 = _sha256(file)
    storage = storages[STORAGE]
    stored_as = storage.save(f"proofs/{tenant.id}/{uuid.uuid4().hex}.{accepted.extension}", file)
    try:
        columns = actor_columns(actor)
        proof = ProofFile.objects.create(
            tenant=tenant,
            partner_id=partner_id,
            kind=kind,
            original_name=name,
            content_type=accepted.content_type,
            size=size,
            sha256=sha256,
            storage_name=stored_as,
            uploaded_by=user_of(actor),
            uploaded_by_label=columns["actor_label"],
            scan_state=scan_state,
            replaces=replaced,
        )
    except Exception:
        # No row, no file. (Bytes stored by a transaction an outer block rolls back later stay as an
        # orphan nobody can reach: harmless, and rare enough to leave to an operator's sweep.)
        storage.delete(stored_as)
        raise
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.proof.uploaded",
        target=proof,
        after={
            "kind": kind,
            "name": name,
            "content_type": accepted.content_type,
            "size": size,
            "sha256": sha256,
            "scan_state": scan_state,
            "replaces": replaced.id if replaced is not None else None,
        },
    )
    return proof


# --- Review ---------------------------------------------------------------------------------------


def _decide(tenant: Tenant, actor: Actor, proof_id: int, to_state: str, reason: str = "") -> ProofFile:
    _require_reviewer(tenant, actor)
    proof = _locked(tenant, proof_id)
    if proof.review_state != ReviewState.PENDING:
        raise ServiceError(
            f"This proof file is {proof.get_review_state_display().lower()} already.", field="proof_file"
        )
    if proof.scan_state != ScanState.CLEAN:
        raise ServiceError("This proof file is still waiting for its virus scan.", field="proof_file")
    proof.review_state, proof.reject_reason = to_state, reason
    proof.reviewed_by, proof.reviewed_at = user_of(actor), timezone.now()
    proof.save(update_fields=["review_state", "reject_reason", "reviewed_by", "reviewed_at"])
    audit_transition(
        tenant=tenant,
        actor=actor,
        action=f"mdf.proof.{to_state}",
        target=proof,
        from_state=ReviewState.PENDING,
        to_state=to_state,
        also={"reason": reason} if reason else None,
    )
    return proof


@transaction.atomic
def proof_accept(*, tenant: Tenant, actor: Actor, proof_id: int) -> ProofFile:
    """The vendor accepts a file waiting for review (and clean): it counts as proof."""
    return _decide(tenant, actor, proof_id, ReviewState.ACCEPTED)


@transaction.atomic
def proof_reject(*, tenant: Tenant, actor: Actor, proof_id: int, reason: str) -> ProofFile:
    """The vendor rejects a file waiting for review, saying why (required); the partner's users are
    told, and may replace it with a new upload."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ServiceError("Say why the file is rejected.", field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(f"The reason has at most {MAX_REASON} characters.", field="reason")
    proof = _decide(tenant, actor, proof_id, ReviewState.REJECTED, reason)
    tell_partner_users(
        tenant=tenant,
        partner_id=proof.partner_id,
        title=f"Proof file rejected: {proof.original_name}",
        body=reason,
    )
    return proof
