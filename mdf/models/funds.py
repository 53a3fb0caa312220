"""Funds and their allocations (docs/mdf.md, "Funds, allocations and the ledger").

A fund is a budget for one quarter in one currency; an allocation earmarks part of it for a
partner, or leaves it as a tier's shared pool (`partner` empty, `tier` set). Neither row holds a
balance: every movement of money is a `LedgerEntry`, and the balances are computed from them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency

DEFAULT_CLAIM_WINDOW_DAYS = 60


class Fund(TenantScopedModel):
    """A budget for one quarter: its amount and currency never change once it exists (the
    database refuses it), so every balance of its ledger stays true; more money is another fund."""

    class Kind(models.TextChoices):
        MARKETING = "marketing", "Marketing funds"
        CO_OP = "co_op", "Co-op (accrued from revenue)"

    name = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MARKETING)
    accrual_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Co-op only: the share of a partner's recorded revenue for the period it accrues.",
    )
    tiers = ArrayField(
        models.CharField(max_length=20, choices=Partner.Tier.choices),
        default=list,
        help_text="The partner tiers this fund serves.",
    )
    claim_window_days = models.PositiveSmallIntegerField(
        default=DEFAULT_CLAIM_WINDOW_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days after an activity ends within which it may be claimed.",
    )
    max_reimbursement_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="The most of an approved request's amount a claim may be reimbursed.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    partner_scope = None  # the vendor's budget: partners read their own allocations, not the funds

    class Meta:
        ordering = ["-year", "-quarter", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "year", "quarter", "name"], name="fund_name_per_quarter"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fund_amount_not_negative"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="fund_quarter_range"),
            models.CheckConstraint(
                condition=(Q(kind="co_op") & Q(accrual_percent__gt=0) & Q(accrual_percent__lte=100))
                | (~Q(kind="co_op") & Q(accrual_percent__isnull=True)),
                name="fund_accrual_only_for_co_op",
            ),
            models.CheckConstraint(
                condition=Q(max_reimbursement_percent__gte=1, max_reimbursement_percent__lte=100),
                name="fund_reimbursement_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (Q{self.quarter} {self.year})"


class Allocation(TenantScopedModel):
    """Part of a fund earmarked for one partner, or a tier's shared pool (no partner): one of each
    per fund. Its money is the sum of its ledger entries."""

    fund = models.ForeignKey(Fund, on_delete=models.RESTRICT, related_name="allocations")
    partner = models.ForeignKey(
        "tenancy.Partner", on_delete=models.RESTRICT, null=True, blank=True, related_name="mdf_allocations"
    )
    tier = models.CharField(
        max_length=20,
        choices=Partner.Tier.choices,
        blank=True,
        help_text="A shared pool's tier; empty for a partner's allocation.",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=now)

    # A partner's users read their own company's allocations; the tiers' pools are the vendor's.
    partner_scope = "partner_id"

    class Meta:
        ordering = ["fund", "partner__name", "tier", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "partner"],
                condition=Q(partner__isnull=False),
                name="allocation_one_per_partner",
            ),
            models.UniqueConstraint(
                fields=["fund", "tier"],
                condition=Q(partner__isnull=True),
                name="allocation_one_pool_per_tier",
            ),
            models.CheckConstraint(
                condition=(Q(partner__isnull=False) & Q(tier="")) | (Q(partner__isnull=True) & ~Q(tier="")),
                name="allocation_partner_or_pool",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner", "fund"], name="allocation_partner_idx")]

    def __str__(self) -> str:
        return f"{self.partner.name if self.partner_id else self.get_tier_display() + ' pool'}: {self.fund}"
