"""Tranches (docs/mdf.md, "Tranches"): an approved request for a launched plan paid in parts tied to
the plan's checkpoints, e.g. 50 % on approval, 25 % when day 60 meets its target, 25 % when day 90
meets its own.

    scheduled → paid                      (on approval, or its checkpoint met)
    scheduled → held → released / cancelled   (its checkpoint missed: the partner manager decides)

The amounts of a request's tranches add up exactly to its approved amount (the last one takes the
rounding). The money stays reserved for the request until a tranche is paid or released (reserved
→ claimed → paid in the ledger) or cancelled (reserved → available again)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency

CHECKPOINT_DAYS = (30, 60, 90)


class TrancheState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PAID = "paid", "Paid"
    HELD = "held", "Held: checkpoint missed"
    RELEASED = "released", "Released"
    CANCELLED = "cancelled", "Cancelled"


# Money that left the request for the partner.
PAID_OUT = (TrancheState.PAID, TrancheState.RELEASED)


class FundTranche(TenantScopedModel):
    request = models.ForeignKey("mdf.FundRequest", on_delete=models.CASCADE, related_name="tranches")
    plan = models.ForeignKey("accounts.Plan", on_delete=models.PROTECT, related_name="mdf_tranches")
    day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The checkpoint it waits for (30, 60, 90); empty: paid on approval."
    )
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    state = models.CharField(max_length=20, choices=TrancheState.choices, default=TrancheState.SCHEDULED)
    # The checkpoint's result when it was settled (met true/false/null), kept beside the tranche.
    checkpoint_met = models.BooleanField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True, help_text="When it was paid or held.")
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When a held tranche was decided.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    partner_scope = "request__partner_id"

    class Meta:
        ordering = ["request_id", models.F("day").asc(nulls_first=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "request", "day"], name="tranche_one_per_day", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lte=100), name="tranche_percent"),
            models.CheckConstraint(
                condition=Q(day__isnull=True) | Q(day__in=CHECKPOINT_DAYS), name="tranche_day_known"
            ),
            models.CheckConstraint(condition=Q(state__in=TrancheState.values), name="tranche_state_known"),
        ]
        indexes = [
            models.Index(fields=["tenant", "plan", "day", "state"], name="tranche_checkpoint_idx"),
            models.Index(fields=["tenant", "state"], name="tranche_state_idx"),
        ]

    def __str__(self) -> str:
        when = "on approval" if self.day is None else f"day {self.day}"
        return f"{self.percent.normalize():f} % {when}"

    @property
    def when_label(self) -> str:
        return "On approval" if self.day is None else f"Day {self.day} checkpoint met"
