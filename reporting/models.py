"""Measurement (DOMAIN.md §6): the 30/60/90-day checkpoints of launched plans."""

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel


class Checkpoint(TenantScopedModel):
    """A staged checkpoint of a launched plan: day 30 operational, 60 engagement, 90 pipeline.
    Opened at launch with its date; its metrics are frozen into `snapshot` when it falls due."""

    class Day(models.IntegerChoices):
        DAY_30 = 30, "Day 30: operational"
        DAY_60 = 60, "Day 60: engagement"
        DAY_90 = 90, "Day 90: pipeline"

    plan = models.ForeignKey("accounts.Plan", on_delete=models.CASCADE, related_name="checkpoints")
    day = models.PositiveSmallIntegerField(choices=Day.choices)
    due_on = models.DateField()
    frozen_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    partner_scope = "plan__partner_id"

    class Meta:
        ordering = ["plan_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "plan", "day"], name="checkpoint_one_per_day")
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(frozen_at__isnull=True), name="checkpoint_open_idx")
        ]

    def __str__(self) -> str:
        return f"Day {self.day} checkpoint"
