"""FX rates: what one unit of a currency was worth in another on a day, loaded by revops (API or
CSV). Reports convert an amount at the rate of its own date (the latest rate on or before it), so a
figure does not move when today's rate does."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency

RATE_DIGITS = 20
RATE_PLACES = 10


class FxRate(TenantScopedModel):
    """1 `currency` = `rate` `quote_currency` on `rate_date` (and after, until the next rate)."""

    currency = models.CharField(max_length=3, choices=Currency.choices)
    quote_currency = models.CharField(
        max_length=3, choices=Currency.choices, help_text="The currency the rate converts into."
    )
    rate_date = models.DateField(help_text="The day the rate applies from.")
    rate = models.DecimalField(
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        validators=[MinValueValidator(Decimal("0.0000000001"))],
        help_text="What one unit of the currency is worth in the quote currency.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency", "quote_currency", "-rate_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "currency", "quote_currency", "rate_date"],
                name="fxrate_unique_per_day",
                violation_error_message="This currency already has a rate on this day.",
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fxrate_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(currency=models.F("quote_currency")), name="fxrate_two_currencies"
            ),
        ]
        # The conversion probes (tenant, currency, quote) for the latest day on or before a date.
        indexes = [
            models.Index(
                fields=["tenant", "currency", "quote_currency", "-rate_date"], name="fxrate_lookup_idx"
            )
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate.normalize()} {self.quote_currency} on {self.rate_date}"
