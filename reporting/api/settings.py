"""Reporting settings: /api/v1/reporting/settings/ (read: staff and the vendor's keys; change:
tenant admins, revops and the vendor's keys)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from partnerhub.tenancy.api.viewsets import TenantAPIView
from reporting.models.settings import MAX_SOURCED_WINDOW_DAYS
from reporting.selectors.money import reporting_currency
from reporting.selectors.settings import reporting_settings
from reporting.services.settings import reporting_settings_update


class ReportingSettingsSerializer(serializers.Serializer):
    sourced_window_days = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SOURCED_WINDOW_DAYS,
        help_text="A partner-handed lead that converted at most this many days before an opportunity was "
        "created sources it.",
    )
    reporting_currency = serializers.CharField(
        read_only=True,
        help_text="The tenant's default currency (tenant settings), which reports are read in.",
    )


class ReportingSettingsView(TenantAPIView):
    permission_read = "report.view"
    permission_write = "fx.change"

    def _answer(self, request) -> Response:
        settings = reporting_settings(tenant=request.tenant)
        return Response(
            ReportingSettingsSerializer(
                {
                    "sourced_window_days": settings.sourced_window_days,
                    "reporting_currency": reporting_currency(request.tenant),
                }
            ).data
        )

    @extend_schema(responses=ReportingSettingsSerializer)
    def get(self, request):
        return self._answer(request)

    @extend_schema(request=ReportingSettingsSerializer, responses=ReportingSettingsSerializer)
    def patch(self, request):
        serializer = ReportingSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "sourced_window_days" in serializer.validated_data:
            reporting_settings_update(
                tenant=request.tenant,
                actor=request.user,
                sourced_window_days=serializer.validated_data["sourced_window_days"],
            )
        return self._answer(request)
