"""Attribution in the API: /api/v1/reporting/attribution/ (staff and the vendor's keys;
"report.view"). Each opportunity in a partner's sourced or influenced pipeline with the rules that
put it there, paged, and the period's split in the reporting currency."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import Opportunity
from partnerhub.tenancy.api.fields import DateTimeField
from partnerhub.tenancy.api.pagination import PageNumberPagination
from partnerhub.tenancy.api.viewsets import TenantAPIView
from reporting.filters_attribution import KINDS, AttributionFilter
from reporting.selectors.attribution import RULES, AttributionPage, pipeline_split


def _money(help_text: str, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, help_text=help_text, **kwargs)


class AttributionRowSerializer(serializers.Serializer):
    opportunity = serializers.IntegerField(source="opportunity_id")
    opportunity_name = serializers.CharField()
    account = serializers.IntegerField(source="account_id")
    account_name = serializers.CharField()
    stage = serializers.CharField()
    created_at = DateTimeField()
    amount = _money("In the opportunity's own `currency`.")
    currency = serializers.CharField()
    amount_reporting = _money(
        "In the reporting currency at the FX rate of its creation day; null: no rate for that day.",
        allow_null=True,
    )
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=KINDS, help_text="sourced or influenced.")
    rules = serializers.ListField(
        child=serializers.ChoiceField(choices=list(RULES)),
        help_text="The rules that put it there: "
        + ", ".join(f"`{key}` ({label})" for key, label in RULES.items()),
    )


class SplitSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="The reporting currency.")
    sourced = _money("Pipeline with a source partner.")
    sourced_count = serializers.IntegerField()
    influenced = _money("Pipeline influenced (for all partners: not sourced by any).")
    influenced_count = serializers.IntegerField()
    total = _money("All pipeline created (for one partner: what it sourced or influenced).")
    total_count = serializers.IntegerField()
    without_rate = serializers.IntegerField(help_text="Opportunities left out of the amounts: no FX rate.")


class AttributionPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    summary = SplitSerializer()
    results = AttributionRowSerializer(many=True)


class AttributionQuerySerializer(serializers.Serializer):
    """The query parameters (validated by the portal's filter set)."""

    period = serializers.CharField(
        required=False,
        help_text="The quarter of creation, written 2026-Q4 (default: this quarter), or `all`.",
    )
    partner = serializers.IntegerField(required=False, help_text="A partner's id.")
    kind = serializers.ChoiceField(choices=KINDS, required=False)
    rule = serializers.ChoiceField(choices=list(RULES), required=False)


class AttributionView(TenantAPIView):
    """Sourced and influenced pipeline by rule (docs/reporting.md, "Attribution")."""

    permission_read = "report.view"

    @extend_schema(
        parameters=[
            AttributionQuerySerializer,
            OpenApiParameter("page", int, description="Which page, 1 for the first; past the last: a 400."),
            OpenApiParameter("page_size", int, description="Rows per page, 1 to 200 (default 50)."),
        ],
        responses=AttributionPageSerializer,
    )
    def get(self, request):
        filters = AttributionFilter(
            request.query_params, queryset=Opportunity.objects.none(), request=request
        )
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        selection, now = filters.selection(), timezone.now()
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(
            AttributionPage(request.tenant, now=now, **selection), request, view=self
        )
        split = pipeline_split(
            request.tenant,
            selection["period"],
            partner_id=selection["partner_id"],
            now=now,
            window_days=selection["window_days"],
        )
        return Response(
            {
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "summary": SplitSerializer(split).data,
                "results": AttributionRowSerializer(rows, many=True).data,
            }
        )
