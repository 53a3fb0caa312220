"""Fund requests, the catalog and the proposal templates (docs/mdf.md, "Requests"):

- /api/v1/mdf-catalog-items/ and /api/v1/mdf-proposal-templates/: the vendor's staff with
  "mdf.change" create and change them (deactivate with `is_active: false`; nothing is deleted);
  staff read them all, a partner's users and keys read the active ones (the catalog: those serving
  their tier).
- /api/v1/mdf-requests/: list, read, create and change a request while it is the partner's to fix,
  with the partner's actions (submit, resubmit, cancel) and the vendor's (request-info, approve,
  reject, decline). A partner's users and keys see and act on their own company's requests only.

Vendor API keys act with the revops role: they read all of it and change none of it (a 403 saying
so). Writes go through mdf.services.requests, which keeps the rules."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mdf import services
from mdf.api.tranches import TrancheScheduleSerializer, TrancheSerializer
from mdf.filters_requests import FundRequestFilter
from mdf.models import ActivityType, CatalogItem, FundRequest, ProposalTemplate
from mdf.selectors import catalog_list, catalog_offer, request_detail, template_list, template_offer
from partnerhub.tenancy.api.fields import CurrencyField, DateTimeField, IdField
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, ServiceActionsMixin, TenantViewSetMixin
from partnerhub.tenancy.filters import SortFilter
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import can
from plays.models import Play

VIEW, CHANGE, DECIDE = "mdf_request.view", "mdf_request.change", "mdf.change"
KEY_REFUSED = (
    "API keys act with the revops role, which reads fund requests, the catalog and the proposal "
    "templates but does not change them: staff who manage MDF do, signed in."
)
MONEY = {"max_digits": 14, "decimal_places": 2}
MAX_NOTE = 5000
MAX_ACCOUNTS = 200
MAX_COUNT = 2_147_483_647


def _is_partner(request) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.is_partner_role


class MdfViewSetMixin(TenantViewSetMixin):
    """A vendor key passes the role check on its scopes; MDF judges it on the revops role it acts
    with (a 403 with the reason) once the object it names is known to exist and its body is read."""

    def check_permissions(self, request):
        super().check_permissions(request)
        key = getattr(request, "api_key", None)
        permission = self.required_permission(request)
        if (
            key is not None
            and not key.is_partner_key
            and permission
            and not can(request.user.role, permission)
        ):
            _ = request.data  # a body that cannot be read is the caller's 400 first, as for anyone
            raise PermissionDenied(KEY_REFUSED)

    def _who(self) -> dict:
        return {"tenant": self.request.tenant, "actor": self.request.user}

    def offered(self, everything, offer):
        """Staff read `everything`; a partner's users and keys what is offered to them."""
        model = self.get_serializer_class().Meta.model
        if getattr(self, "swagger_fake_view", False):
            return model.unscoped.none()
        request = self.request
        if _is_partner(request):
            return offer(request)
        return everything(tenant=request.tenant)


# --- the catalog ------------------------------------------------------------------------------------


class TiersField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.ChoiceField(choices=Partner.Tier.choices),
            max_length=len(Partner.Tier.values),
            **kwargs,
        )


class CatalogItemSerializer(serializers.ModelSerializer):
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"), help_text="The fixed amount asked.")
    currency = CurrencyField(required=False, help_text="ISO 4217; default: the tenant's default currency.")
    tiers = TiersField(required=False, help_text="The partner tiers that may request it; default: all.")
    limit_per_quarter = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=32767,
        help_text="How many a partner may have approved per quarter; null: no limit.",
    )
    is_active = serializers.BooleanField(
        required=False, help_text="false: no longer offered (requests made from it keep it)."
    )
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = CatalogItem
        fields = [
            "id",
            "name",
            "description",
            "activity_type",
            "amount",
            "currency",
            "tiers",
            "limit_per_quarter",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id"]


class CatalogItemFilter(django_filters.FilterSet):
    activity_type = django_filters.ChoiceFilter(choices=ActivityType.choices)
    tier = django_filters.ChoiceFilter(choices=Partner.Tier.choices, method="serves_tier")
    is_active = django_filters.BooleanFilter()
    sort = SortFilter(fields=(("name", "name"), ("amount", "amount"), ("created_at", "created")))

    class Meta:
        model = CatalogItem
        fields = ["activity_type", "tier", "is_active"]

    def serves_tier(self, queryset, name, value):
        return queryset.filter(tiers__contains=[value])


class ActiveFlagMixin:
    """Create and change through the services; `is_active` is its own audited change."""

    create_service = update_service = set_active_service = None
    id_argument = ""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        active = data.pop("is_active", True)
        with transaction.atomic():
            row = type(self).create_service(**self._who(), **data)
            if not active:
                type(self).set_active_service(**self._who(), **{self.id_argument: row.id}, active=False)
        serializer.instance = self.get_queryset().get(id=row.id)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        active = data.pop("is_active", None)
        row_id = {self.id_argument: serializer.instance.id}
        with transaction.atomic():
            if data:
                type(self).update_service(**self._who(), **row_id, **data)
            if active is not None:
                type(self).set_active_service(**self._who(), **row_id, active=active)
        serializer.instance = self.get_queryset().get(id=serializer.instance.id)


class OfferViewSet(
    ActiveFlagMixin,
    IdempotentCreateMixin,
    MdfViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    permission_read = VIEW
    permission_write = DECIDE


@extend_schema_view(
    list=extend_schema(summary="The catalog (partners: the active items serving their tier)"),
    create=extend_schema(summary="Add a catalog item (staff who manage MDF)"),
    update=extend_schema(summary="Change a catalog item; requests already made keep their amount"),
    partial_update=extend_schema(summary="Change some fields of a catalog item, or deactivate it"),
)
class CatalogItemViewSet(OfferViewSet):
    """The pre-approved catalog: fixed amounts a partner requests in a few clicks."""

    serializer_class = CatalogItemSerializer
    filterset_class = CatalogItemFilter
    create_service = staticmethod(services.catalog_item_create)
    update_service = staticmethod(services.catalog_item_update)
    set_active_service = staticmethod(services.catalog_item_set_active)
    id_argument = "item_id"

    def get_queryset(self):
        return self.offered(
            catalog_list,
            lambda request: catalog_offer(tenant=request.tenant, partner=request.membership.partner),
        )


# --- proposal templates --------------------------------------------------------------------------------


class ObjectIdField(IdField):
    """An id in, the related object's id out."""

    def to_representation(self, value):
        return super().to_representation(getattr(value, "pk", value))


class ProposalTemplateSerializer(serializers.ModelSerializer):
    play = ObjectIdField(help_text="The play (GET /api/v1/plays/) the template is published for.")
    play_name = serializers.CharField(source="play.name", read_only=True)
    questions = serializers.ListField(
        child=serializers.CharField(max_length=300),
        min_length=1,
        max_length=50,
        help_text="What a proposal from it must answer, in order.",
    )
    is_active = serializers.BooleanField(required=False, help_text="false: no longer offered.")
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = ProposalTemplate
        fields = [
            "id",
            "play",
            "play_name",
            "name",
            "description",
            "questions",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id"]


def tenant_plays(request):
    """Plays a template filter may name: a partner's, only those its published templates show (the
    playbook itself is the vendor's), so an id tells a partner nothing else."""
    plays = Play.objects.filter(tenant=request.tenant)
    if _is_partner(request):
        plays = plays.filter(proposal_templates__is_active=True).distinct()
    return plays


class ProposalTemplateFilter(django_filters.FilterSet):
    play = django_filters.ModelChoiceFilter(queryset=tenant_plays)
    is_active = django_filters.BooleanFilter()
    sort = SortFilter(fields=(("name", "name"), ("created_at", "created")))

    class Meta:
        model = ProposalTemplate
        fields = ["play", "is_active"]


@extend_schema_view(
    list=extend_schema(summary="Proposal templates (partners: the active ones)"),
    create=extend_schema(summary="Publish a proposal template for a play (staff who manage MDF)"),
    partial_update=extend_schema(summary="Change some fields of a template, or deactivate it"),
)
class ProposalTemplateViewSet(OfferViewSet):
    """Proposal forms per play: the questions a partner's proposal answers."""

    serializer_class = ProposalTemplateSerializer
    filterset_class = ProposalTemplateFilter
    create_service = staticmethod(services.proposal_template_create)
    update_service = staticmethod(services.proposal_template_update)
    set_active_service = staticmethod(services.proposal_template_set_active)
    id_argument = "template_id"

    def get_queryset(self):
        return self.offered(template_list, lambda request: template_offer(tenant=request.tenant))


# --- requests ----------------------------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class AccountIdsField(serializers.Field):
    """The target accounts a request names, read from its (prefetched) rows."""

    def to_representation(self, request_accounts):
        return [row.account_id for row in request_accounts.all()]


class FundRequestSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    allocation = serializers.SerializerMethodField(
        help_text="The allocation it draws on: the partner's own; a tier's pool (catalog) is shown to "
        "staff only (null for partners)."
    )
    fund_name = serializers.CharField(source="fund.name", read_only=True)
    target_accounts = AccountIdsField(
        source="request_accounts",
        read_only=True,
        help_text="Ids of the plan's target accounts it is meant to reach.",
    )
    is_aging = serializers.BooleanField(
        read_only=True, help_text="In review longer than the tenant's number of business days."
    )
    missing = serializers.SerializerMethodField(
        help_text="What it still lacks before it can be sent, in words."
    )
    in_review_since = DateTimeField(read_only=True, allow_null=True)
    decided_at = DateTimeField(read_only=True, allow_null=True)
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = FundRequest
        fields = [
            "id",
            "partner",
            "partner_name",
            "fund",
            "fund_name",
            "allocation",
            "kind",
            "catalog_item",
            "template",
            *services.requests.REQUEST_FIELDS,
            "amount_approved",
            "currency",
            "state",
            "review_note",
            "first_approved_amount",
            "is_aging",
            "missing",
            "in_review_since",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_allocation(self, request) -> int | None:
        if request.allocation.partner_id is None and _is_partner(self.context.get("request")):
            return None  # the pools are the vendor's
        return request.allocation_id

    def get_missing(self, request) -> list[str]:
        return services.request_missing(request)


class FundRequestChangeSerializer(serializers.Serializer):
    """A request's own fields: any of them to change it with PATCH (while it is a draft, asked for
    information or rejected); PUT sends the title, activity type and dates at least."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="On or after `starts_on`.")
    format = serializers.ChoiceField(choices=FundRequest.Format.choices, required=False)
    plan = IdField(required=False, allow_null=True, help_text="The partner's plan it serves.")
    program = IdField(required=False, allow_null=True, help_text="The partner's program it serves.")
    target_accounts = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=MAX_ACCOUNTS,
        help_text="Ids of target accounts of its plan it is meant to reach (the whole list).",
    )
    expected_accounts_in_room = serializers.IntegerField(required=False, min_value=0, max_value=MAX_COUNT)
    expected_meetings = serializers.IntegerField(required=False, min_value=0, max_value=MAX_COUNT)
    expected_pipeline = serializers.DecimalField(**MONEY, required=False, min_value=Decimal("0"))
    partner_contribution = serializers.DecimalField(**MONEY, required=False, min_value=Decimal("0"))
    amount_requested = serializers.DecimalField(
        **MONEY,
        required=False,
        min_value=Decimal("0.01"),
        help_text="In the fund's currency; a catalog request is for the item's fixed amount (leave it out).",
    )
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=MAX_NOTE),
        required=False,
        help_text="The template's questions, each with its answer.",
    )


class FundRequestCreateSerializer(FundRequestChangeSerializer):
    """A new draft. A catalog request takes the item's name, activity type and amount unless told."""

    fund = IdField(help_text="The fund it draws on (the partner's allocation of it, or its tier's pool).")
    kind = serializers.ChoiceField(choices=FundRequest.Kind.choices)
    partner = IdField(
        required=False,
        allow_null=True,
        help_text="Staff: the partner it is for. Partner users and keys: their own company, or none.",
    )
    catalog_item = IdField(required=False, allow_null=True, help_text="Catalog requests: the item.")
    template = IdField(required=False, allow_null=True, help_text="Proposals: the template.")
    title = serializers.CharField(max_length=200, required=False)
    activity_type = serializers.ChoiceField(choices=ActivityType.choices, required=False)


class FundRequestApproveSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        **MONEY,
        required=False,
        allow_null=True,
        min_value=Decimal("0.01"),
        help_text="Less than asked approves in part; left out: the amount asked (or approved in step 1).",
    )


class FundRequestNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_NOTE, help_text="For the partner: what is needed, or why.")


def _documented(summary: str, request=None):
    return extend_schema(summary=summary, request=request, responses=FundRequestSerializer)


@extend_schema_view(
    create=extend_schema(
        summary="Make a draft request",
        request=FundRequestCreateSerializer,
        responses={201: FundRequestSerializer},
    ),
    update=extend_schema(summary="Change a request the partner may fix", request=FundRequestChangeSerializer),
    partial_update=extend_schema(
        summary="Change some fields of a request the partner may fix", request=FundRequestChangeSerializer
    ),
)
class FundRequestViewSet(
    IdempotentCreateMixin,
    ServiceActionsMixin,
    MdfViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Fund requests (docs/mdf.md, "Requests"): never deleted (cancelled instead)."""

    queryset_selector = request_detail
    serializer_class = FundRequestSerializer
    filterset_class = FundRequestFilter
    permission_read = VIEW
    permission_write = CHANGE
    action_permissions = {
        "request_info": DECIDE,
        "approve": DECIDE,
        "reject": DECIDE,
        "decline": DECIDE,
        "tranches": DECIDE,
    }
    create_serializer_class = FundRequestCreateSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("request_accounts")

    def create_with(self, data: dict):
        ids = {name: data.pop(name, None) for name in ("partner", "catalog_item", "template")}
        return services.request_create(
            **self._who(),
            fund_id=data.pop("fund"),
            kind=data.pop("kind"),
            partner_id=ids["partner"],
            catalog_item_id=ids["catalog_item"],
            template_id=ids["template"],
            **data,
        )

    def update(self, request, *args, **kwargs):
        request_id = self.get_object().id
        serializer = FundRequestChangeSerializer(
            data=request.data, partial=kwargs.pop("partial", False), context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.request_update(**self._who(), request_id=request_id, **serializer.validated_data)
        return self.detail_response(request_id)

    def _act(self, service, **arguments):
        fund_request = service(**self._who(), request_id=self.get_object().id, **arguments)
        return self.detail_response(fund_request.id)

    @_documented("Submit a draft for review (a catalog request is approved at once within its limits)")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(services.request_submit)

    @_documented("Send back a request asked for information, or a rejected one fixed")
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self._act(services.request_resubmit)

    @_documented("Cancel a request (an approved one releases what it reserved)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(services.request_cancel)

    @_documented("Ask the partner for information (staff who manage MDF)", FundRequestNoteSerializer)
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        return self._act(services.request_info, note=self.validated(FundRequestNoteSerializer)["note"])

    @_documented(
        "Approve, for the amount asked or less (staff who manage MDF); it reserves the money, or above "
        "the tenant's threshold records step 1 for a second approver",
        FundRequestApproveSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(
            services.request_approve, amount=self.validated(FundRequestApproveSerializer).get("amount")
        )

    @_documented("Reject with the reason: the partner may fix and resubmit it", FundRequestNoteSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(services.request_reject, note=self.validated(FundRequestNoteSerializer)["note"])

    @_documented("Decline with the reason: final", FundRequestNoteSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(services.request_decline, note=self.validated(FundRequestNoteSerializer)["note"])

    @extend_schema(
        summary="Pay an approved request for a launched plan in tranches tied to its checkpoints (staff)",
        request=TrancheScheduleSerializer,
        responses={201: TrancheSerializer(many=True)},
    )
    @action(detail=True, methods=["post"])
    def tranches(self, request, pk=None):
        data = self.validated(TrancheScheduleSerializer)
        made = services.tranche_schedule_set(**self._who(), request_id=self.get_object().id, percents=data)
        return Response(TrancheSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


def register(router: SimpleRouter) -> None:
    router.register("mdf-catalog-items", CatalogItemViewSet, basename="mdf-catalog-item")
    router.register("mdf-proposal-templates", ProposalTemplateViewSet, basename="mdf-proposal-template")
    router.register("mdf-requests", FundRequestViewSet, basename="mdf-request")
