"""Portal pages of MDF: proofs. The download of a proof-of-performance file, streamed to the owning
partner's users and the vendor's staff only (docs/mdf.md, "Proof of performance files"): a file of
another partner or tenant is the 404 of one that does not exist."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.urls import path
from django.utils.cache import patch_cache_control

from mdf.models import ProofFile, ScanState
from mdf.selectors import proof_file_list, proof_file_open
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.portal import TenantView

NOT_SCANNED = "This file is still waiting for its virus scan; it can be downloaded once it is found clean."


def check_downloadable(proof: ProofFile) -> None:
    """Only a file the scanner found clean leaves the storage."""
    if proof.scan_state != ScanState.CLEAN:
        raise ServiceError(NOT_SCANNED, field="proof_file")


def proof_file_response(proof: ProofFile) -> FileResponse:
    """The file's bytes as a download: an attachment under its sanitised name, typed as its content
    was sniffed, never rendered by the browser (nosniff), kept by no shared cache."""
    response = FileResponse(
        proof_file_open(proof),
        as_attachment=True,
        filename=proof.original_name,
        content_type=proof.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response


class ProofFileDownloadView(TenantView):
    """GET: the file, to its partner's users (scope) and the vendor's staff (`proof.view`)."""

    permission = "proof.view"
    queryset_selector = proof_file_list
    object_kwarg = "proof_file_id"

    def get(self, request, *args, **kwargs):
        try:
            check_downloadable(self.object)
        except ServiceError as exc:
            return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
        return proof_file_response(self.object)


urlpatterns = [
    path(
        "mdf/proofs/<int:proof_file_id>/download/",
        ProofFileDownloadView.as_view(),
        name="proof_file_download",
    ),
]
