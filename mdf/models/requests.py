"""Fund requests (docs/mdf.md, "Requests"): what a partner wants to do with a fund's money, and
the states it goes through until it is decided.

    draft → submitted → (info_requested ↔ resubmitted) → approved / rejected / declined / cancelled

A rejected request may be fixed and resubmitted; a declined one is final. Approval reserves the
approved amount in the ledger; cancelling an approved request releases it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from mdf.models.catalog import ActivityType
from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency


class RequestState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    INFO_REQUESTED = "info_requested", "Information requested"
    RESUBMITTED = "resubmitted", "Resubmitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


IN_REVIEW = (RequestState.SUBMITTED, RequestState.RESUBMITTED)
EDITABLE = (RequestState.DRAFT, RequestState.INFO_REQUESTED, RequestState.REJECTED)


class FundRequest(TenantScopedModel):
    class Kind(models.TextChoices):
        STRATEGIC = "strategic", "Strategic (joint budget line)"
        PROPOSAL = "proposal", "Proposal"
        CATALOG = "catalog", "Catalog"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIRTUAL = "virtual", "Virtual"

    partner = models.ForeignKey("tenancy.Partner", on_delete=models.RESTRICT, related_name="mdf_requests")
    fund = models.ForeignKey("mdf.Fund", on_delete=models.RESTRICT, related_name="requests")
    allocation = models.ForeignKey(
        "mdf.Allocation",
        on_delete=models.RESTRICT,
        related_name="requests",
        help_text="Where its money comes from: the partner's allocation, or the tier's pool (catalog).",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    catalog_item = models.ForeignKey(
        "mdf.CatalogItem", on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    template = models.ForeignKey(
        "mdf.ProposalTemplate", on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    answers = models.JSONField(default=dict, blank=True, help_text="The template's questions answered.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    activity_type = models.CharField(max_length=20, choices=ActivityType.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.VIRTUAL)
    plan = models.ForeignKey(
        "accounts.Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="mdf_requests"
    )
    program = models.ForeignKey(
        "accounts.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="mdf_requests"
    )
    target_accounts = models.ManyToManyField(
        "accounts.TargetAccount", through="mdf.RequestAccount", related_name="+", blank=True
    )
    expected_accounts_in_room = models.PositiveIntegerField(default=0)
    expected_meetings = models.PositiveIntegerField(default=0)
    expected_pipeline = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    partner_contribution = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    amount_requested = models.DecimalField(max_digits=14, decimal_places=2)
    amount_approved = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    state = models.CharField(max_length=20, choices=RequestState.choices, default=RequestState.DRAFT)
    # What the reviewer last said: the information asked for, or why it was rejected or declined.
    review_note = models.TextField(blank=True)
    # Two-step approval: the first approver and the amount they approved, until the second decides.
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_approved_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    in_review_since = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_requested__gt=0), name="fund_request_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True)
                | (Q(amount_approved__gt=0) & Q(amount_approved__lte=models.F("amount_requested"))),
                name="fund_request_approved_within_asked",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="fund_request_dates"
            ),
            models.CheckConstraint(
                condition=(Q(kind="catalog") & Q(catalog_item__isnull=False) & Q(template__isnull=True))
                | (Q(kind="proposal") & Q(template__isnull=False) & Q(catalog_item__isnull=True))
                | (Q(kind="strategic") & Q(template__isnull=True) & Q(catalog_item__isnull=True)),
                name="fund_request_kind_source",
            ),
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values), name="fund_request_state_known"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "state", "in_review_since"], name="fund_request_queue_idx"),
            models.Index(fields=["tenant", "partner", "state"], name="fund_request_partner_idx"),
            models.Index(fields=["tenant", "fund", "state"], name="fund_request_fund_idx"),
            models.Index(fields=["catalog_item", "partner", "state"], name="fund_request_catalog_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class RequestAccount(TenantScopedModel):
    """A target account of the request's plan that the request is meant to reach."""

    request = models.ForeignKey(FundRequest, on_delete=models.CASCADE, related_name="request_accounts")
    account = models.ForeignKey("accounts.TargetAccount", on_delete=models.PROTECT, related_name="+")

    partner_scope = "request__partner_id"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "account"], name="request_account_once"),
        ]
