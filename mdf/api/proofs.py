"""Proof-of-performance files in the API: /api/v1/proof-files/ (list, read, upload), the download and
the vendor's review (accept, reject). A partner's users and partner keys upload and read their own
company's files; the vendor's staff and keys read every one, and staff who manage the funds review
them. Another partner's file is a 404, as one that does not exist. Every write goes through
mdf.services.proofs (docs/mdf.md, "Proof of performance files")."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.routers import SimpleRouter

from mdf import services
from mdf.filters_proofs import ProofFileFilter
from mdf.models import ProofFile, ProofKind
from mdf.selectors import proof_file_list
from mdf.services.proofs import ALLOWED_WORDS, CSV, SNIFFED, TEXT
from mdf.views.proofs import check_downloadable, proof_file_response
from partnerhub.tenancy.api.fields import DateTimeField
from partnerhub.tenancy.api.parsers import JSONParser
from partnerhub.tenancy.api.viewsets import ServiceActionsMixin, TenantReadOnlyViewSet

REVIEW = "proof.review"
CONTENT_TYPES = sorted({accepted.content_type for accepted in (*SNIFFED.values(), CSV, TEXT)})


class ProofFileSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    uploaded_at = DateTimeField(read_only=True)
    reviewed_at = DateTimeField(read_only=True, allow_null=True)
    reject_reason = serializers.CharField(
        read_only=True, help_text="Why the vendor rejected it; empty unless so."
    )

    class Meta:
        model = ProofFile
        fields = [
            "id",
            "partner",
            "partner_name",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by_label",
            "uploaded_at",
            "scan_state",
            "review_state",
            "reject_reason",
            "reviewed_at",
            "replaces",
        ]
        read_only_fields = fields


class ProofUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=False,
        use_url=False,
        help_text=f"The file: {ALLOWED_WORDS}; its type is read from its bytes.",
    )
    kind = serializers.ChoiceField(
        choices=ProofKind.choices,
        required=False,
        help_text="What it proves; required unless it replaces a file (then it is that file's kind).",
    )
    replaces = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="The id of a rejected file of the partner's that this one replaces.",
    )


class ProofRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=ProofFile._meta.get_field("reject_reason").max_length,
        help_text="Why the file is not accepted, for the partner to read.",
    )


STATE_REFUSED = "400 (on `proof_file`) when the file is reviewed already or still waiting for its virus scan."


@extend_schema_view(
    create=extend_schema(
        summary="Upload a proof file (a partner's users and partner keys)",
        description="A multipart upload. Refused (400 on `file`) when it is too large, of a type proofs "
        "may not have, or infected; nothing is stored then.",
        request={"multipart/form-data": ProofUploadSerializer},
        responses={
            201: OpenApiResponse(ProofFileSerializer, description="The stored file, waiting for review.")
        },
    )
)
class ProofFileViewSet(ServiceActionsMixin, TenantReadOnlyViewSet):
    """Proof-of-performance files: what a partner sent to show an activity took place, and the
    vendor's review of each."""

    queryset_selector = proof_file_list
    serializer_class = ProofFileSerializer
    create_serializer_class = ProofUploadSerializer
    filterset_class = ProofFileFilter
    parser_classes = [MultiPartParser, JSONParser]
    http_method_names = ["get", "post", "head", "options"]
    permission_read = "proof.view"
    permission_write = "proof.upload"
    action_permissions = {"accept": REVIEW, "reject": REVIEW, "download": "proof.view"}

    def create_with(self, data):
        replaces = data.get("replaces")
        return services.proof_upload(
            tenant=self.request.tenant,
            actor=self.request.user,
            file=data["file"],
            kind=data.get("kind"),
            replaces_id=replaces,
        )

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file's own type, whatever the client accepts (errors are JSON).
        return super().perform_content_negotiation(request, force=force or self.action == "download")

    @extend_schema(
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES},
        },
        description="The file as an attachment, typed as its content was sniffed. "
        "400 (on `proof_file`) while it waits for its virus scan.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        proof = self.get_object()
        check_downloadable(proof)
        return proof_file_response(proof)

    @extend_schema(request=None, responses=ProofFileSerializer, description=STATE_REFUSED)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def accept(self, request, pk=None):
        """The vendor accepts the file as proof."""
        proof = services.proof_accept(
            tenant=request.tenant, actor=request.user, proof_id=self.get_object().id
        )
        return self.detail_response(proof.id)

    @extend_schema(request=ProofRejectSerializer, responses=ProofFileSerializer, description=STATE_REFUSED)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def reject(self, request, pk=None):
        """The vendor rejects the file with a reason; the partner's users are told and may replace it."""
        data = self.validated(ProofRejectSerializer)
        proof = services.proof_reject(
            tenant=request.tenant, actor=request.user, proof_id=self.get_object().id, reason=data["reason"]
        )
        return self.detail_response(proof.id)


def register(router: SimpleRouter) -> None:
    router.register("proof-files", ProofFileViewSet, basename="proof-file")
