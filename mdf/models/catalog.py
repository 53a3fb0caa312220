"""What a vendor publishes for partners to ask for money with (docs/mdf.md, "Requests"): the
pre-approved catalog (fixed amounts, approved automatically within the pool and the partner's
limit) and the proposal templates per play; and the tenant's approval rules for requests."""

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

DEFAULT_AGING_BUSINESS_DAYS = 5


class ActivityType(models.TextChoices):
    EVENT = "event", "Event"
    WEBINAR = "webinar", "Webinar"
    CAMPAIGN = "campaign", "Digital campaign"
    CONTENT = "content", "Content"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class CatalogItem(TenantScopedModel):
    """An activity of the pre-approved catalog: a fixed amount, the tiers it serves, and how many a
    partner may have approved per quarter (no limit when empty)."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    activity_type = models.CharField(max_length=20, choices=ActivityType.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0.01)])
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    tiers = ArrayField(
        models.CharField(max_length=20, choices=Partner.Tier.choices),
        default=list,
        help_text="The partner tiers that may request it.",
    )
    limit_per_quarter = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="How many a partner may have approved per quarter; empty: no limit.",
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = None  # the vendor's; partners read the active ones through the request pages

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="catalog_item_name_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="catalog_item_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.amount} {self.currency})"


class ProposalTemplate(TenantScopedModel):
    """A proposal form the vendor publishes for one play: the questions a proposal answers."""

    play = models.ForeignKey("plays.Play", on_delete=models.PROTECT, related_name="proposal_templates")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    questions = ArrayField(
        models.CharField(max_length=300), default=list, help_text="What a proposal from it must answer."
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = None

    class Meta:
        ordering = ["play", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "play", "name"], name="proposal_template_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class RequestRules(TenantScopedModel):
    """The tenant's approval rules for fund requests (one row; the defaults when there is none)."""

    second_approval_above = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="A request approved for more than this needs a second, different approver.",
    )
    aging_business_days = models.PositiveSmallIntegerField(
        default=DEFAULT_AGING_BUSINESS_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A request in review longer than this many business days is shown as aging.",
    )

    partner_scope = None

    class Meta:
        verbose_name_plural = "request rules"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="request_rules_one_per_tenant")]
