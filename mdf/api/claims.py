"""Claims in the API: /api/v1/mdf/claims/ (list, read, create a draft on an approved request) with
the partner's actions (change the draft, file a proof, submit) and the vendor's (approve in full or
partially, reject, pay). Partner users and partner keys see and act on their own company's only;
another partner's claim or request is a 404 or "No such request.", as one that does not exist.
Every write goes through mdf.services.claims (docs/mdf.md, "Claims")."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.routers import SimpleRouter

from mdf import services
from mdf.forms.claims import ClaimFilter
from mdf.models import Claim, ProofKind
from mdf.selectors.claims import claim_detail, claim_files
from mdf.services.claims import claim_ceiling, claim_deadline, required_proof_kinds
from partnerhub.tenancy.api.fields import DateTimeField
from partnerhub.tenancy.api.parsers import JSONParser
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, ServiceActionsMixin, TenantViewSetMixin

REVIEW = "mdf.change"
MONEY = {"max_digits": 14, "decimal_places": 2}


class ClaimFileSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="proof.id", help_text="The proof file's id (/api/v1/proof-files/).")
    kind = serializers.ChoiceField(source="proof.kind", choices=ProofKind.choices)
    name = serializers.CharField(source="proof.original_name")
    review_state = serializers.CharField(source="proof.review_state")
    reject_reason = serializers.CharField(source="proof.reject_reason")
    replaced = serializers.BooleanField(help_text="A newer file of this claim replaces it.")


class ClaimSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    request_title = serializers.CharField(source="request.title", read_only=True)
    ceiling = serializers.SerializerMethodField(help_text="The most this claim may ask.")
    claim_by = serializers.SerializerMethodField(help_text="The last day of the claim window.")
    required_proof = serializers.SerializerMethodField(help_text="The kinds of file the claim needs.")
    submitted_at = DateTimeField(read_only=True, allow_null=True)
    decided_at = DateTimeField(read_only=True, allow_null=True)
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "request",
            "request_title",
            "partner",
            "partner_name",
            "fund",
            "amount_claimed",
            "amount_approved",
            "currency",
            "state",
            "note",
            "decision_reason",
            "ceiling",
            "claim_by",
            "required_proof",
            "submitted_at",
            "decided_at",
            "payment_reference",
            "paid_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_ceiling(self, claim) -> str:
        return str(claim_ceiling(claim.request))

    def get_claim_by(self, claim) -> str:
        return claim_deadline(claim.request).isoformat()

    def get_required_proof(self, claim) -> list[str]:
        return required_proof_kinds(claim.request)


class ClaimDetailSerializer(ClaimSerializer):
    files = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "files"]
        read_only_fields = fields

    @extend_schema_field(ClaimFileSerializer(many=True))
    def get_files(self, claim) -> list[dict]:
        rows = claim_files(tenant=self.context["request"].tenant, claim=claim)
        return ClaimFileSerializer(rows, many=True).data


class ClaimCreateSerializer(serializers.Serializer):
    request = serializers.IntegerField(min_value=1, help_text="The partner's approved fund request.")
    amount_claimed = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ClaimUpdateSerializer(serializers.Serializer):
    amount_claimed = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ClaimFileUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(
        choices=ProofKind.choices, required=False, help_text="Left out: the replaced file's."
    )
    replaces = serializers.IntegerField(
        required=False, min_value=1, help_text="A rejected file of this claim it replaces."
    )


class ClaimApproveSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        required=False,
        allow_null=True,
        min_value=Decimal("0.01"),
        help_text="Left out: the amount claimed.",
        **MONEY,
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="Why less than claimed."
    )


class ClaimRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ClaimPaySerializer(serializers.Serializer):
    payment_reference = serializers.CharField(max_length=100)
    paid_on = serializers.DateField()


def _documented(summary: str, request=None):
    return extend_schema(summary=summary, request=request, responses=ClaimDetailSerializer)


@extend_schema_view(
    create=extend_schema(
        summary="Claim an approved request (partner users): a draft",
        request=ClaimCreateSerializer,
        responses={201: ClaimDetailSerializer},
    ),
)
class ClaimViewSet(
    IdempotentCreateMixin, ServiceActionsMixin, TenantViewSetMixin, viewsets.ReadOnlyModelViewSet
):
    """Claims on approved fund requests: never deleted (rejected instead)."""

    queryset_selector = claim_detail
    serializer_class = ClaimSerializer
    detail_serializer_class = ClaimDetailSerializer
    filterset_class = ClaimFilter
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_read = "mdf_request.view"
    permission_write = "mdf_request.change"
    action_permissions = {"approve": REVIEW, "reject": REVIEW, "pay": REVIEW}
    create_serializer_class = ClaimCreateSerializer

    def _who(self) -> dict:
        return {"tenant": self.request.tenant, "actor": self.request.user}

    def create_with(self, data: dict):
        return services.claim_create(**self._who(), request_id=data.pop("request"), **data)

    @extend_schema(
        summary="Change a draft's amount or note",
        request=ClaimUpdateSerializer,
        responses=ClaimDetailSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        data = self.validated(ClaimUpdateSerializer)
        claim = services.claim_update(**self._who(), claim_id=self.get_object().id, **data)
        return self.detail_response(claim.id)

    @_documented("File a proof of performance with the claim (multipart)", ClaimFileUploadSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def files(self, request, pk=None):
        data = self.validated(ClaimFileUploadSerializer)
        claim_id = self.get_object().id
        services.claim_upload_proof(
            **self._who(),
            claim_id=claim_id,
            file=data["file"],
            kind=data.get("kind"),
            replaces_id=data.get("replaces"),
        )
        return self.detail_response(claim_id)

    @_documented("Submit a draft: within the claim window, with the files it needs")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.detail_response(services.claim_submit(**self._who(), claim_id=self.get_object().id).id)

    @_documented(
        "Approve (staff), in full or partially (a smaller amount and the reason)", ClaimApproveSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = self.validated(ClaimApproveSerializer)
        claim = services.claim_approve(
            **self._who(),
            claim_id=self.get_object().id,
            amount=data.get("amount"),
            reason=data.get("reason", ""),
        )
        return self.detail_response(claim.id)

    @_documented("Reject (staff), saying why", ClaimRejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = self.validated(ClaimRejectSerializer)
        return self.detail_response(
            services.claim_reject(**self._who(), claim_id=self.get_object().id, reason=data["reason"]).id
        )

    @_documented("Record the payment of an approved claim (staff)", ClaimPaySerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        data = self.validated(ClaimPaySerializer)
        return self.detail_response(
            services.claim_pay(**self._who(), claim_id=self.get_object().id, **data).id
        )


def register(router: SimpleRouter) -> None:
    router.register("mdf/claims", ClaimViewSet, basename="mdf-claim")
