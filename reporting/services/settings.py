"""Reporting settings, changed by tenant admins and revops; audited, since a change moves every
sourced/influenced figure at once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from reporting.models import ReportingSettings
from reporting.models.settings import MAX_SOURCED_WINDOW_DAYS


@transaction.atomic
def reporting_settings_update(*, tenant: Tenant, actor: Actor, sourced_window_days: int) -> ReportingSettings:
    if not 0 <= sourced_window_days <= MAX_SOURCED_WINDOW_DAYS:
        raise ServiceError(
            f"The sourced window is 0 to {MAX_SOURCED_WINDOW_DAYS} days.", field="sourced_window_days"
        )
    settings, _ = ReportingSettings.objects.select_for_update().get_or_create(tenant=tenant)
    before = {"sourced_window_days": settings.sourced_window_days}
    if before["sourced_window_days"] != sourced_window_days:
        settings.sourced_window_days = sourced_window_days
        settings.updated_at = timezone.now()
        settings.save(update_fields=["sourced_window_days", "updated_at"])
        audit(
            tenant=tenant,
            actor=actor,
            action="reporting_settings.changed",
            target=settings,
            before=before,
            after={"sourced_window_days": sourced_window_days},
        )
    return settings
