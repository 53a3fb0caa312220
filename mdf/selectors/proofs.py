"""Reads of proof-of-performance files (docs/mdf.md, "Proof of performance files"). Callers apply
the scope (`scope_for`: a partner's users see their own company's files only)."""

from __future__ import annotations

from django.core.files.storage import storages
from django.db.models import QuerySet

from mdf.models import ProofFile
from partnerhub.tenancy.models import Tenant

STORAGE = "proofs"


def proof_file_list(*, tenant: Tenant) -> QuerySet[ProofFile]:
    """The tenant's proof files, newest first, with what a list shows of each."""
    return (
        ProofFile.objects.filter(tenant=tenant)
        .select_related("partner", "uploaded_by", "reviewed_by")
        .order_by("-uploaded_at", "-id")
    )


def proof_file_open(proof: ProofFile):
    """The stored bytes of a file, opened for reading (the caller streams and closes them)."""
    return storages[STORAGE].open(proof.storage_name, "rb")
