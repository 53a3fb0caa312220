"""Market development funds (DOMAIN.md §4). For now: what each partner has been allocated per
quarter, shown beside partner ranking (never part of the score)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency


class FundAllocation(TenantScopedModel):
    """MDF granted to a partner for one quarter."""

    partner = models.ForeignKey("tenancy.Partner", on_delete=models.CASCADE, related_name="fund_allocations")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=now)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-year", "-quarter", "id"]
        indexes = [
            models.Index(fields=["tenant", "year", "quarter", "partner"], name="fund_alloc_quarter_idx")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for Q{self.quarter} {self.year}"
