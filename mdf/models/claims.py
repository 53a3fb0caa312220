"""Claims (docs/mdf.md, "Claims"): after an approved request's activity, the partner claims what it
spent, with proof of performance; the vendor approves it in full, partially (a smaller amount and
the reason) or rejects it, then pays it.

    draft → submitted → approved / partially approved / rejected;  approved or partially → paid

One claim settles its request: once approved, what the request still holds reserved goes back to
its allocation. A rejected claim may be followed by a new one while the claim window is open."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency


class ClaimState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


OPEN_CLAIM = (ClaimState.DRAFT, ClaimState.SUBMITTED)
APPROVED_CLAIM = (ClaimState.APPROVED, ClaimState.PARTIALLY_APPROVED)


class Claim(TenantScopedModel):
    request = models.ForeignKey("mdf.FundRequest", on_delete=models.RESTRICT, related_name="claims")
    partner = models.ForeignKey("tenancy.Partner", on_delete=models.RESTRICT, related_name="mdf_claims")
    fund = models.ForeignKey("mdf.Fund", on_delete=models.RESTRICT, related_name="claims")
    allocation = models.ForeignKey("mdf.Allocation", on_delete=models.RESTRICT, related_name="claims")
    amount_claimed = models.DecimalField(max_digits=14, decimal_places=2)
    amount_approved = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    state = models.CharField(max_length=20, choices=ClaimState.choices, default=ClaimState.DRAFT)
    note = models.TextField(blank=True, help_text="The partner's words: what was done, what it brought.")
    # Why it was approved for less, or rejected: the partner reads it.
    decision_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_reference = models.CharField(max_length=100, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_claimed__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True)
                | (Q(amount_approved__gt=0) & Q(amount_approved__lte=models.F("amount_claimed"))),
                name="claim_approved_within_claimed",
            ),
            models.CheckConstraint(condition=Q(state__in=ClaimState.values), name="claim_state_known"),
            models.CheckConstraint(
                condition=~Q(state=ClaimState.PAID) | (~Q(payment_reference="") & Q(paid_on__isnull=False)),
                name="claim_paid_with_reference",
            ),
            # At most one claim of a request is open or approved: one claim settles its request.
            models.UniqueConstraint(
                fields=["request"],
                condition=~Q(state=ClaimState.REJECTED),
                name="claim_one_live_per_request",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "state", "submitted_at"], name="claim_queue_idx"),
            models.Index(fields=["tenant", "partner", "state"], name="claim_partner_idx"),
        ]

    def __str__(self) -> str:
        return f"Claim for {self.request}"


class ClaimProof(TenantScopedModel):
    """A proof-of-performance file filed with a claim (a file serves one claim)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="claim_proofs")
    proof = models.OneToOneField("mdf.ProofFile", on_delete=models.RESTRICT, related_name="claim_proof")
    attached_at = models.DateTimeField(default=now)

    partner_scope = "claim__partner_id"

    class Meta:
        ordering = ["attached_at", "id"]


class ClaimReminder(TenantScopedModel):
    """The "claim deadline approaching" notice of an approved request, sent once (the unique key is
    the sweep's backstop)."""

    request = models.OneToOneField("mdf.FundRequest", on_delete=models.CASCADE, related_name="claim_reminder")
    sent_at = models.DateTimeField(default=now)

    partner_scope = "request__partner_id"
