"""Deal registrations: /api/v1/deal-registrations/ (list, read, create and change a draft) with the
partner's actions (submit, withdraw, request-extension) and the vendor's (approve, reject,
decide-extension). Partner users see and act on their own company's only; reviewers
(services.may_review: staff in a reviewing role, and vendor API keys, which act as revops) review.
The review block (conflict flag and detail, account, review SLA) is the reviewers' only: it is null
in every answer a partner user (or staff who do not review) gets, so a conflicting registration
answers its partner exactly as any other does. Writes go through leads.services.registrations."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.routers import SimpleRouter

from leads.forms.registrations import RegistrationFilter
from leads.models import ConflictKind, DealRegistration, RegistrationRejectReason
from leads.models.registrations import MAX_EXTENSION_DAYS
from leads.selectors import registration_detail, review_aging, review_calendar
from leads.services import registrations as services
from partnerhub.tenancy.actors import ApiKeyUser
from partnerhub.tenancy.api.fields import CurrencyField, DateTimeField
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, ServiceActionsMixin, TenantViewSetMixin

REVIEW = services.REVIEW
REGISTRATION = DealRegistration._meta


def _reviews(context) -> bool:
    request = context.get("request")
    # A session's membership, or the key's own (a vendor key is bound without a member's).
    membership = getattr(request, "membership", None)
    if membership is None and isinstance(getattr(request, "user", None), ApiKeyUser):
        membership = request.user.membership
    return membership is not None and services.may_review(membership)


class ConflictSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ConflictKind.choices)
    id = serializers.IntegerField(help_text="The conflicting registration's or opportunity's id.")


class ReviewSerializer(serializers.Serializer):
    """What the vendor's reviewers see (null for partner users)."""

    has_conflict = serializers.BooleanField(read_only=True)
    conflicts = ConflictSerializer(
        many=True, read_only=True, help_text="What the submission conflicted with."
    )
    account = serializers.IntegerField(
        source="account_id",
        read_only=True,
        allow_null=True,
        help_text="The target account its domain matched.",
    )
    opportunity = serializers.IntegerField(
        source="opportunity_id",
        read_only=True,
        allow_null=True,
        help_text="The opportunity linked on approval.",
    )
    review_due_at = DateTimeField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    aging = serializers.SerializerMethodField(
        help_text="e.g. “overdue by 2 business days”; null unless under review."
    )

    def to_representation(self, registration):
        # Both fields read the row's aging: computed once per row, here.
        calendar = self.context.get("review_calendar")
        self._row_aging = (
            review_aging(registration=registration, calendar=calendar, now=self.context["now"])
            if calendar is not None
            else None
        )
        return super().to_representation(registration)

    def get_overdue(self, registration) -> bool:
        return bool(self._row_aging and self._row_aging.overdue)

    def get_aging(self, registration) -> str | None:
        return self._row_aging.text if self._row_aging else None


class ReviewField(ReviewSerializer):
    def get_attribute(self, instance):
        return instance if _reviews(self.context) else None


class DealRegistrationSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    reject_reason = serializers.ChoiceField(
        choices=RegistrationRejectReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty unless rejected.",
    )
    submitted_at = DateTimeField(read_only=True, allow_null=True)
    decided_at = DateTimeField(read_only=True, allow_null=True)
    protection_ends_at = DateTimeField(
        read_only=True, allow_null=True, help_text="When an approved registration's protection ends."
    )
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)
    review = ReviewField(
        source="*", read_only=True, allow_null=True, help_text="The vendor's review; null for partner users."
    )

    class Meta:
        model = DealRegistration
        fields = [
            "id",
            "partner",
            "partner_name",
            *services.EDITABLE_FIELDS,
            "state",
            "submitted_at",
            "decided_at",
            "reject_reason",
            "reject_text",
            "protection_ends_at",
            "extension",
            "created_at",
            "updated_at",
            "review",
        ]
        read_only_fields = fields


class DealRegistrationInputSerializer(serializers.Serializer):
    """A draft's fields (all required to create; any of them to change a draft with PATCH)."""

    customer_name = serializers.CharField(max_length=REGISTRATION.get_field("customer_name").max_length)
    customer_domain = serializers.CharField(
        max_length=REGISTRATION.get_field("customer_domain").max_length,
        help_text="The customer's web domain (acme.com; a URL works too), normalized.",
    )
    solution = serializers.CharField(max_length=REGISTRATION.get_field("solution").max_length)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = CurrencyField(required=False, help_text="ISO 4217; default: the tenant's default currency.")
    close_date = serializers.DateField()
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=REGISTRATION.get_field("description").max_length
    )


class ApproveSerializer(serializers.Serializer):
    opportunity = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="An open opportunity on the registration's account to link; left out or null: create one.",
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RegistrationRejectReason.choices)
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=REGISTRATION.get_field("reject_text").max_length
    )


class ExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true: extend the protection; false: refuse.")
    days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        help_text="Days added on approval; left out or null: the protection period again.",
    )


def _documented(summary: str, request=None):
    return extend_schema(summary=summary, request=request, responses=DealRegistrationSerializer)


@extend_schema_view(
    create=extend_schema(
        summary="Register a deal (partner users): a draft",
        request=DealRegistrationInputSerializer,
        responses={201: DealRegistrationSerializer},
    ),
    update=extend_schema(summary="Change a draft", request=DealRegistrationInputSerializer),
    partial_update=extend_schema(
        summary="Change some fields of a draft", request=DealRegistrationInputSerializer
    ),
)
class DealRegistrationViewSet(
    IdempotentCreateMixin,
    ServiceActionsMixin,
    TenantViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Deal registrations (docs/leads.md, "Deal registration"): never deleted (withdrawn instead)."""

    queryset_selector = registration_detail
    serializer_class = DealRegistrationSerializer
    filterset_class = RegistrationFilter
    permission_read = "registration.view"
    permission_write = "registration.change"
    action_permissions = {"approve": REVIEW, "reject": REVIEW, "decide_extension": REVIEW}

    def get_serializer_context(self):
        context = super().get_serializer_context()
        tenant = getattr(self.request, "tenant", None)
        if tenant is not None and _reviews(context):
            context["review_calendar"] = review_calendar(tenant=tenant)
        context["now"] = timezone.now()
        return context

    def _who(self) -> dict:
        return {"tenant": self.request.tenant, "actor": self.request.user}

    create_serializer_class = DealRegistrationInputSerializer

    def create_with(self, data: dict):
        return services.registration_create(**self._who(), **data)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = DealRegistrationInputSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        registration = services.registration_update(
            **self._who(), registration_id=self.get_object().id, **serializer.validated_data
        )
        return self.detail_response(registration.id)

    @_documented("Submit a draft: it goes to the vendor's review")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        registration = services.registration_submit(**self._who(), registration_id=self.get_object().id)
        return self.detail_response(registration.id)

    @_documented("Withdraw a registration before the vendor's decision")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        registration = services.registration_withdraw(**self._who(), registration_id=self.get_object().id)
        return self.detail_response(registration.id)

    @_documented("Request the one extension of an approved registration's protection")
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        registration = services.registration_request_extension(
            **self._who(), registration_id=self.get_object().id
        )
        return self.detail_response(registration.id)

    @_documented("Approve (staff): link or create the opportunity, sourced by the partner", ApproveSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = self.validated(ApproveSerializer)
        registration = services.registration_approve(
            **self._who(), registration_id=self.get_object().id, opportunity_id=data.get("opportunity")
        )
        return self.detail_response(registration.id)

    @_documented("Reject (staff) with a coded reason", RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = self.validated(RejectSerializer)
        registration = services.registration_reject(
            **self._who(),
            registration_id=self.get_object().id,
            reason=data["reason"],
            text=data.get("text", ""),
        )
        return self.detail_response(registration.id)

    @_documented("Approve or refuse a requested extension (staff)", ExtensionDecisionSerializer)
    @action(detail=True, methods=["post"], url_path="decide-extension")
    def decide_extension(self, request, pk=None):
        data = self.validated(ExtensionDecisionSerializer)
        registration = services.registration_decide_extension(
            **self._who(),
            registration_id=self.get_object().id,
            approve=data["approve"],
            days=data.get("days"),
        )
        return self.detail_response(registration.id)


def register(router: SimpleRouter) -> None:
    router.register("deal-registrations", DealRegistrationViewSet, basename="deal-registration")
