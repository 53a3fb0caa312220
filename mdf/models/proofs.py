"""Proof-of-performance files (docs/mdf.md, "Proof of performance files").

A partner uploads what shows an activity took place (an invoice, the attendee list, photos, a
results report); the vendor reviews each file on its own: accepted, or rejected with a reason, and a
rejected file is replaced by a new upload that names it (`replaces`). Claims will hang on these
files; a file knows only what it is (`kind`), not which claim it serves yet.

The bytes live in the "proofs" storage (settings.STORAGES) under a random name; what is kept here
is what was checked when they came: the sanitised original name, the content type sniffed from the
bytes, the size, the SHA-256 and the virus scanner's verdict."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel


class ProofKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    ATTENDEE_LIST = "attendee_list", "Attendee list"
    PHOTOS = "photos", "Photos"
    RESULTS_REPORT = "results_report", "Results report"
    OTHER = "other", "Other"


class ScanState(models.TextChoices):
    PENDING = "pending", "Waiting for the virus scan"
    CLEAN = "clean", "Clean"
    INFECTED = "infected", "Infected"


class ReviewState(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ProofFile(TenantScopedModel):
    """One uploaded file of a partner, and its review. Never changed once stored but for its review;
    a rejected file stays (the trail of what was sent) and is replaced by another."""

    partner = models.ForeignKey("tenancy.Partner", on_delete=models.RESTRICT, related_name="proof_files")
    kind = models.CharField(max_length=20, choices=ProofKind.choices)
    original_name = models.CharField(max_length=200, help_text="The uploader's file name, sanitised.")
    content_type = models.CharField(
        max_length=100, help_text="Read from the file's bytes, never the client's."
    )
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, help_text="Its random name in the storage.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=200, help_text="Who uploaded it (a user or an API key).")
    uploaded_at = models.DateTimeField(default=now)
    scan_state = models.CharField(max_length=20, choices=ScanState.choices, default=ScanState.PENDING)
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.PENDING)
    reject_reason = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="replacements",
        help_text="The rejected file this one replaces (each is replaced at most once).",
    )

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "storage_name"], name="proof_storage_name_unique"),
            models.UniqueConstraint(
                fields=["tenant", "replaces"], condition=Q(replaces__isnull=False), name="proof_replaced_once"
            ),
            models.CheckConstraint(condition=Q(kind__in=ProofKind.values), name="proof_kind_known"),
            models.CheckConstraint(
                condition=Q(scan_state__in=ScanState.values), name="proof_scan_state_known"
            ),
            # An infected file is refused before anything is stored: no row ever holds one.
            models.CheckConstraint(condition=~Q(scan_state=ScanState.INFECTED), name="proof_never_infected"),
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values), name="proof_review_state_known"
            ),
            models.CheckConstraint(
                condition=Q(review_state=ReviewState.PENDING, reviewed_at__isnull=True)
                | (~Q(review_state=ReviewState.PENDING) & Q(reviewed_at__isnull=False)),
                name="proof_reviewed_at_iff_reviewed",
            ),
            models.CheckConstraint(
                condition=(Q(review_state=ReviewState.REJECTED) & ~Q(reject_reason=""))
                | (~Q(review_state=ReviewState.REJECTED) & Q(reject_reason="")),
                name="proof_reason_iff_rejected",
            ),
            models.CheckConstraint(
                condition=~Q(replaces=models.F("id")), name="proof_not_its_own_replacement"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "-uploaded_at"], name="proof_partner_idx"),
            models.Index(fields=["tenant", "review_state", "-uploaded_at"], name="proof_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
