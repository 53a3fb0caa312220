"""FX rates: /api/v1/reporting/fx-rates/ (list, read, set, correct, delete). Staff and the vendor's
keys read them; tenant admins and revops (and the vendor's keys, which act as revops) write them.
Writes go through reporting.services.fx: a POST on a day that already has a rate replaces it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from partnerhub.tenancy.api.fields import CurrencyField, DateTimeField
from partnerhub.tenancy.api.viewsets import TenantModelViewSet
from reporting.filters_fx import FxRateFilter
from reporting.models import FxRate
from reporting.models.fx import RATE_DIGITS, RATE_PLACES
from reporting.selectors.fx import fx_rate_list
from reporting.services import fx as services

RATE_HELP = "What one unit of `currency` is worth in `quote_currency`, as a string (up to 10 decimals)."


class FxRateSerializer(serializers.ModelSerializer):
    currency = CurrencyField()
    quote_currency = CurrencyField(
        required=False, help_text="The currency the rate converts into; absent: the reporting currency."
    )
    rate = serializers.DecimalField(max_digits=RATE_DIGITS, decimal_places=RATE_PLACES, help_text=RATE_HELP)
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = FxRate
        fields = ["id", "currency", "quote_currency", "rate_date", "rate", "created_at", "updated_at"]
        read_only_fields = ["id"]
        # The service says what is wrong with a day that has a rate (it replaces it).
        validators = []


class FxRateUpdateSerializer(FxRateSerializer):
    """A correction changes the rate; its currencies and day stay (delete and set for another)."""

    class Meta(FxRateSerializer.Meta):
        read_only_fields = ["id", "currency", "quote_currency", "rate_date"]


@extend_schema_view(
    create=extend_schema(
        description="Set the rate of a currency on a day; a day that already has a rate gets the new one "
        "(201 either way)."
    ),
    update=extend_schema(description="Correct a rate; its currencies and day stay."),
    partial_update=extend_schema(description="Correct a rate; its currencies and day stay."),
    destroy=extend_schema(
        description="Amounts of its days then convert at the rate before it, or not at all."
    ),
)
class FxRateViewSet(TenantModelViewSet):
    """The tenant's FX rates (docs/reporting.md, "Currencies"): an amount in another currency converts
    at the latest rate on or before its own day."""

    queryset_selector = fx_rate_list
    serializer_class = FxRateSerializer
    filterset_class = FxRateFilter
    permission_read = "report.view"
    permission_write = "fx.change"

    def get_serializer_class(self):
        return FxRateUpdateSerializer if self.action in ("update", "partial_update") else FxRateSerializer

    def _who(self) -> dict:
        return {"tenant": self.request.tenant, "actor": self.request.user}

    def perform_create(self, serializer):
        fx_rate = services.fx_rate_set(**self._who(), **serializer.validated_data)
        serializer.instance = self.get_queryset().get(id=fx_rate.id)

    def perform_update(self, serializer):
        fx_rate_id = serializer.instance.id
        if "rate" in serializer.validated_data:
            services.fx_rate_update(
                **self._who(), fx_rate_id=fx_rate_id, rate=serializer.validated_data["rate"]
            )
        serializer.instance = self.get_queryset().get(id=fx_rate_id)

    def perform_destroy(self, instance):
        services.fx_rate_delete(**self._who(), fx_rate_id=instance.id)


def register(router) -> None:
    router.register("reporting/fx-rates", FxRateViewSet, basename="fx-rate")
