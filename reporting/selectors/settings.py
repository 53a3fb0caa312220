"""A tenant's reporting settings: its row, or the defaults when it has none."""

from __future__ import annotations

from reporting.models import ReportingSettings


def reporting_settings(*, tenant) -> ReportingSettings:
    return ReportingSettings.objects.filter(tenant=tenant).first() or ReportingSettings(tenant=tenant)
