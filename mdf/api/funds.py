"""MDF funds: /api/v1/mdf/funds/ (list, read with balances, create), /api/v1/mdf/allocations/ (list,
read with balances, create, reallocate) and /api/v1/mdf/ledger/ (read-only). Funds and the ledger
are the vendor's ("mdf.view"; a partner user or key asking for one gets a 404); allocations are read
by a partner's users and keys too, their own company's only. Writes ("mdf.change") go through
mdf.services; a refusal is a 400 on the field at fault."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.routers import SimpleRouter

from mdf import services
from mdf.filters_funds import AllocationFilter, FundFilter, LedgerFilter
from mdf.models import Allocation, Fund, LedgerEntry
from mdf.selectors.balances import ledger_list
from mdf.selectors.funds import allocation_list, fund_list
from mdf.services.funds import FUND_FIELDS
from partnerhub.tenancy.api.fields import CurrencyField, DateTimeField, TenantIdField
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, ServiceActionsMixin, TenantViewSetMixin
from partnerhub.tenancy.filters import tenant_partners
from partnerhub.tenancy.models import Partner

CHANGE = "mdf.change"
FUND = Fund._meta
BALANCE_HELP = {
    "allocated": "Allocated to partners and pools (less what was reallocated back).",
    "reserved": "Reserved for approved requests, not claimed yet.",
    "claimed": "Approved claims not paid yet.",
    "paid": "Paid out.",
    "expired": "Left unused when the quarter ended.",
}


BALANCES = [*BALANCE_HELP, "available"]


def _money(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, help_text=help_text)


class BalancesMixin(serializers.Serializer):
    allocated = _money(BALANCE_HELP["allocated"])
    reserved = _money(BALANCE_HELP["reserved"])
    claimed = _money(BALANCE_HELP["claimed"])
    paid = _money(BALANCE_HELP["paid"])
    expired = _money(BALANCE_HELP["expired"])


class FundSerializer(BalancesMixin, serializers.ModelSerializer):
    available = _money("The fund's money not allocated nor drawn: what can still be allocated.")
    period = serializers.SerializerMethodField(
        help_text="Its quarter, written 2026-Q4 (the `period` filter)."
    )
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = Fund
        fields = [
            "id",
            *FUND_FIELDS,
            "period",
            *BALANCES,
            "created_at",
        ]
        read_only_fields = fields

    def get_period(self, fund) -> str:
        return f"{fund.year}-Q{fund.quarter}"


class FundInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=FUND.get_field("name").max_length)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = CurrencyField(required=False, help_text="ISO 4217; default: the tenant's default currency.")
    kind = serializers.ChoiceField(choices=Fund.Kind.choices, required=False)
    accrual_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text=FUND.get_field("accrual_percent").help_text,
    )
    tiers = serializers.ListField(
        child=serializers.ChoiceField(choices=Partner.Tier.choices),
        required=False,
        max_length=3,
        help_text="The tiers it serves; none: all three.",
    )
    claim_window_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    max_reimbursement_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=1, max_value=100, required=False
    )


class AllocationSerializer(BalancesMixin, serializers.ModelSerializer):
    available = _money("What the allocation holds less what is reserved, claimed, paid or expired.")
    fund_name = serializers.CharField(source="fund.name", read_only=True)
    currency = serializers.CharField(source="fund.currency", read_only=True, help_text="The fund's currency.")
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)
    tier = serializers.CharField(read_only=True, help_text="A shared pool's tier; empty for a partner's.")
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "fund",
            "fund_name",
            "currency",
            "partner",
            "partner_name",
            "tier",
            "note",
            *BALANCES,
            "created_at",
        ]
        read_only_fields = fields


def _funds(request):
    return Fund.objects.filter(tenant=request.tenant)


class AllocationInputSerializer(serializers.Serializer):
    fund = TenantIdField(queryset_for=_funds, help_text="The fund the money comes from.")
    partner = TenantIdField(
        queryset_for=tenant_partners,
        required=False,
        allow_null=True,
        help_text="The partner; or name a `tier`.",
    )
    tier = serializers.ChoiceField(
        choices=Partner.Tier.choices,
        required=False,
        allow_blank=True,
        help_text="A tier's shared pool, instead of a partner.",
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReallocateSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    to_partner = TenantIdField(
        queryset_for=tenant_partners,
        required=False,
        allow_null=True,
        help_text="The partner the money goes on to; none (and no `to_tier`): back to the fund.",
    )
    to_tier = serializers.ChoiceField(
        choices=Partner.Tier.choices, required=False, allow_blank=True, help_text="A tier's pool instead."
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class LedgerEntrySerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(
        source="allocation.partner_id", read_only=True, allow_null=True, default=None
    )
    concerns_type = serializers.SlugRelatedField(
        slug_field="model", read_only=True, allow_null=True, help_text="What the entry concerns: its model."
    )
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "fund",
            "seq",
            "allocation",
            "partner",
            "kind",
            "amount",
            "currency",
            "concerns_type",
            "concerns_id",
            "actor_label",
            "note",
            "created_at",
            "fund_allocated",
            "fund_reserved",
            "fund_claimed",
            "fund_paid",
            "fund_expired",
            "fund_available",
            "allocation_allocated",
            "allocation_reserved",
            "allocation_claimed",
            "allocation_paid",
            "allocation_expired",
            "allocation_available",
        ]
        read_only_fields = fields


def _documented(listed: str, read: str, created: str, description: str, request, response):
    return extend_schema_view(
        list=extend_schema(summary=listed),
        retrieve=extend_schema(summary=read),
        create=extend_schema(
            summary=created, description=description, request=request, responses={201: response}
        ),
    )


class _FundsViewSet(
    IdempotentCreateMixin,
    ServiceActionsMixin,
    TenantViewSetMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Read, and create through a service ("mdf.change")."""

    permission_write = CHANGE

    def who(self) -> dict:
        return {"tenant": self.request.tenant, "actor": self.request.user}


@_documented(
    "Funds with their balances (staff)",
    "A fund with its balances (staff)",
    "Create a quarter's fund (staff with mdf.change)",
    "Its amount and currency never change afterwards. A name taken in the quarter, or a co-op fund "
    "without `accrual_percent`, is a 400 on the field.",
    FundInputSerializer,
    FundSerializer,
)
class FundViewSet(_FundsViewSet):
    """Funds (docs/mdf.md, "Funds, allocations and the ledger"): a budget for one quarter."""

    queryset_selector = fund_list
    serializer_class = FundSerializer
    filterset_class = FundFilter
    permission_read = "mdf.view"
    create_serializer_class = FundInputSerializer

    def create_with(self, data: dict):
        return services.fund_create(**self.who(), **data)


@_documented(
    "Allocations with their balances (partners: their own)",
    "An allocation with its balances",
    "Allocate part of a fund to a partner or a tier's pool (staff with mdf.change)",
    "Never more than the fund has unallocated (a 400 saying how much there is). A partner or pool "
    "holding an allocation of the fund gets more on it.",
    AllocationInputSerializer,
    AllocationSerializer,
)
class AllocationViewSet(_FundsViewSet):
    """Allocations: part of a fund earmarked for a partner, or a tier's shared pool."""

    queryset_selector = allocation_list
    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    permission_read = "allocation.view"
    action_permissions = {"reallocate": CHANGE}
    create_serializer_class = AllocationInputSerializer

    def create_with(self, data: dict):
        partner = data.get("partner")
        return services.allocation_create(
            **self.who(),
            fund_id=data["fund"].id,
            partner_id=partner.id if partner else None,
            tier=data.get("tier") or "",
            amount=data["amount"],
            note=data.get("note") or "",
        )

    @extend_schema(
        summary="Move available money of the allocation back to the fund, or on to another partner or pool",
        description="Both ledger entries are written, or neither; never more than the allocation has "
        "available. Answers the allocation the money left.",
        request=ReallocateSerializer,
        responses=AllocationSerializer,
    )
    @action(detail=True, methods=["post"])
    def reallocate(self, request, pk=None):
        data = self.validated(ReallocateSerializer)
        target = data.get("to_partner")
        allocation = self.get_object()
        services.allocation_reallocate(
            **self.who(),
            allocation_id=allocation.id,
            amount=data["amount"],
            to_partner_id=target.id if target else None,
            to_tier=data.get("to_tier") or "",
            note=data.get("note") or "",
        )
        return self.detail_response(allocation.id)


@extend_schema_view(
    list=extend_schema(summary="Ledger entries, newest first (staff): filter by fund, kind, allocation…"),
    retrieve=extend_schema(summary="A ledger entry with the running totals after it (staff)"),
)
class LedgerEntryViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The append-only ledger: every movement of a fund's money; never changed or deleted."""

    queryset_selector = ledger_list
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerFilter
    permission_read = "mdf.view"

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-id")


def register(router: SimpleRouter) -> None:
    router.register("mdf/funds", FundViewSet, basename="mdf-fund")
    router.register("mdf/allocations", AllocationViewSet, basename="mdf-allocation")
    router.register("mdf/ledger", LedgerEntryViewSet, basename="mdf-ledger-entry")
