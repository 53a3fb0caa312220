"""A tenant's reporting settings, kept by revops: how long a partner-handed lead's conversion still
sources the opportunity that follows it. A tenant without a row reads the defaults."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel

DEFAULT_SOURCED_WINDOW_DAYS = 30
MAX_SOURCED_WINDOW_DAYS = 365


class ReportingSettings(TenantScopedModel):
    sourced_window_days = models.PositiveSmallIntegerField(
        "sourced window (days)",
        default=DEFAULT_SOURCED_WINDOW_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_SOURCED_WINDOW_DAYS)],
        help_text="A partner-handed lead that converted at most this many days before an opportunity "
        "was created sources it.",
    )
    updated_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name_plural = "reporting settings"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="reporting_settings_one_per_tenant")]

    def __str__(self) -> str:
        return f"Reporting settings of tenant {self.tenant_id}"
