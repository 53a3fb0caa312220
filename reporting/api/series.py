"""Dashboard series in the API: /api/v1/reporting/series/?metric=&period=month|week&partner=
(read-only, from the rollups). Staff read all partners' totals or one partner's; a partner's users
read only their own company's series."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from partnerhub.tenancy.api.viewsets import TenantAPIView
from partnerhub.tenancy.filters import tenant_partners
from reporting.models import Period
from reporting.selectors.money import reporting_currency
from reporting.selectors.rollups import METRICS, period_starts, rollup_series, rollups_freshness


class SeriesQuerySerializer(serializers.Serializer):
    metric = serializers.ChoiceField(
        choices=sorted(METRICS), help_text="What is counted (docs/reporting.md)."
    )
    period = serializers.ChoiceField(choices=Period.choices, required=False, default=Period.MONTH)
    partner = serializers.IntegerField(
        required=False, help_text="A partner's id; all partners when left out (a partner's users: their own)."
    )
    periods = serializers.IntegerField(
        required=False,
        default=12,
        min_value=1,
        max_value=104,
        help_text="How many periods, up to the current one.",
    )


class PointSerializer(serializers.Serializer):
    starts_on = serializers.DateField(help_text="The month's first day or the ISO week's Monday.")
    value = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="The amount, in `currency`.")
    count = serializers.IntegerField()


class SeriesSerializer(serializers.Serializer):
    metric = serializers.CharField()
    period = serializers.CharField()
    partner = serializers.IntegerField(allow_null=True)
    currency = serializers.CharField()
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="When the figures were computed.")
    points = PointSerializer(many=True)


class SeriesView(TenantAPIView):
    """One dashboard series, oldest period first, zero where nothing happened."""

    permission_read = "report.series"

    @extend_schema(parameters=[SeriesQuerySerializer], responses=SeriesSerializer)
    def get(self, request):
        query = SeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        membership = request.membership
        partner_id = data.get("partner")
        if partner_id is None and membership is not None and membership.is_partner_role:
            partner_id = membership.partner_id  # a partner's users read their own company's series
        # Resolved within the caller's scope: another partner's id reads as one that does not exist.
        if partner_id is not None and not tenant_partners(request).filter(id=partner_id).exists():
            raise ValidationError(
                {"partner": ["Select a valid choice. That choice is not one of the available choices."]}
            )
        starts = period_starts(request.tenant, data["period"], data["periods"])
        series = rollup_series(
            tenant=request.tenant,
            metrics=[data["metric"]],
            period=data["period"],
            starts=starts,
            partner=partner_id,
        )[data["metric"]]
        return Response(
            SeriesSerializer(
                {
                    "metric": data["metric"],
                    "period": data["period"],
                    "partner": partner_id,
                    "currency": reporting_currency(request.tenant),
                    "refreshed_at": rollups_freshness(request.tenant).refreshed_at,
                    "points": [
                        {"starts_on": day, "value": f.value, "count": f.count} for day, f in series.items()
                    ],
                }
            ).data
        )
