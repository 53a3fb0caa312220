"""Pre-aggregated figures the dashboards read (docs/reporting.md, "Freshness"): one row per tenant,
period (a month or an ISO week, in the tenant's time zone), partner and program (both empty for
"all"), and metric. `reporting.services.rollups.rollups_refresh` rewrites only the periods whose
source rows changed since its last run, so a dashboard costs a few indexed reads at any size."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel


class Period(models.TextChoices):
    MONTH = "month", "Month"
    WEEK = "week", "Week"


class Rollup(TenantScopedModel):
    """One metric of one period, for all partners (partner empty), one partner, or one program."""

    period = models.CharField(max_length=5, choices=Period.choices)
    starts_on = models.DateField(help_text="First day of the month, or the Monday of the ISO week.")
    # No foreign-key checks on this read model: a refresh writes hundreds of thousands of rows, and
    # each is rewritten from the source tables anyway (a deleted partner's rows go at the next full
    # refresh; reads join nothing through them).
    partner = models.ForeignKey(
        "tenancy.Partner",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    program = models.ForeignKey(
        "accounts.Program",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    metric = models.CharField(max_length=40)
    value = models.DecimalField(
        max_digits=18, decimal_places=2, default=0, help_text="An amount, where the metric has one."
    )
    count = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=now)

    # A partner's users read only their own company's rows, never the all-partner totals.
    partner_scope = "partner_id"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "period", "starts_on", "metric", "partner", "program"],
                nulls_distinct=False,
                name="rollup_one_row_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "period", "metric", "starts_on"], name="rollup_series_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.period} {self.starts_on}"


class RollupState(TenantScopedModel):
    """Where a tenant's rollups stand: when they were last refreshed, up to which instant of the
    source rows, and a pending "Refresh now" (kept here so a broker outage loses no click: the
    next scheduled run honours it)."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    watermark = models.DateTimeField(
        null=True, blank=True, help_text="Source rows changed before this are counted."
    )
    requested_at = models.DateTimeField(
        null=True, blank=True, help_text="A refresh asked for and not yet run."
    )
    duration_ms = models.PositiveIntegerField(default=0)
    periods_refreshed = models.PositiveIntegerField(default=0)

    partner_scope = None  # the vendor's bookkeeping

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="rollup_state_one_per_tenant")]

    def __str__(self) -> str:
        return f"rollups refreshed at {self.refreshed_at}"
