"""Deal registrations: a partner claims an opportunity it is working (docs/leads.md, "Deal
registration").

The conflict check's findings are kept on the row (`has_conflict`, `conflicts`) for the vendor's
review; they are staff-only, and every partner-facing shape leaves them out. `domain_key` is the
customer's domain with its labels reversed and a trailing dot (`eu.acme.com` → `com.acme.eu.`), so
"the same account, subdomains both ways" is a range and an exact match on one indexed column."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency

# The protection an approval gives, and what an approved extension adds when no number of days is
# given (docs/leads.md): the same for every tenant, for now.
PROTECTION_DAYS = 90
# The vendor's review SLA, in business days on the tenant's default calendar.
REVIEW_SLA_BUSINESS_DAYS = 2
# The longest extension a reviewer may give at once.
MAX_EXTENSION_DAYS = 365


class RegistrationRejectReason(models.TextChoices):
    DUPLICATE = "duplicate", "Duplicate"
    EXISTING_CUSTOMER = "existing_customer", "Existing customer"
    DIRECT_DEAL_ACTIVE = "direct_deal_active", "Direct deal active"
    OUTSIDE_TERRITORY = "outside_territory", "Outside territory"
    MISSING_INFORMATION = "missing_information", "Missing information"


class ConflictKind(models.TextChoices):
    REGISTRATION = "registration", "Registered by another partner"
    PARTNER_OPPORTUNITY = "partner_opportunity", "Open opportunity sourced by another partner"
    DIRECT_OPPORTUNITY = "direct_opportunity", "Open direct opportunity"


def domain_key(domain: str) -> str:
    """`eu.acme.com` → `com.acme.eu.`: a subdomain's key starts with its parent's."""
    return ".".join(reversed(domain.split("."))) + "." if domain else ""


class DealRegistration(TenantScopedModel):
    """One partner's claim on an opportunity: draft → submitted → under review → approved (then
    expired after its protection) / rejected (coded reason) / withdrawn (by the partner)."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    class Extension(models.TextChoices):
        NONE = "", "Not requested"
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    PENDING_STATES = (State.SUBMITTED, State.UNDER_REVIEW)
    DECIDED_STATES = (State.APPROVED, State.REJECTED, State.WITHDRAWN, State.EXPIRED)

    partner = models.ForeignKey(
        "tenancy.Partner", on_delete=models.PROTECT, related_name="deal_registrations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer_name = models.CharField(max_length=200)
    customer_domain = models.CharField(max_length=253, help_text="The customer's web domain, as normalized.")
    # Code-point order ("C"): the subdomains of a key are exactly the range from it (prefix_range).
    domain_key = models.CharField(max_length=254, editable=False, db_collation="C")
    solution = models.CharField(max_length=200)
    amount = models.DecimalField(
        "expected amount", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    close_date = models.DateField("expected close date")
    description = models.TextField(blank=True, max_length=5000)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    # The target account the domain matched at submission (staff-only).
    account = models.ForeignKey(
        "accounts.TargetAccount", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    has_conflict = models.BooleanField(default=False)
    conflicts = models.JSONField(
        default=list, blank=True, help_text='What it conflicted with at submission: [{"kind": …, "id": …}].'
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reject_reason = models.CharField(max_length=30, choices=RegistrationRejectReason.choices, blank=True)
    reject_text = models.CharField(max_length=500, blank=True)
    opportunity = models.ForeignKey(
        "accounts.Opportunity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    protection_ends_at = models.DateTimeField(null=True, blank=True)
    extension = models.CharField(max_length=10, choices=Extension.choices, blank=True, default=Extension.NONE)
    extension_requested_at = models.DateTimeField(null=True, blank=True)
    extension_decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(reject_reason=""), name="registration_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(protection_ends_at__isnull=False),
                name="registration_approved_is_protected",
            ),
        ]
        indexes = [
            # "My deal registrations", and the queue's partner filter.
            models.Index(fields=["tenant", "partner", "state"], name="registration_partner_idx"),
            # The review queue: by state, sorted and filtered by the review due date.
            models.Index(fields=["tenant", "state", "review_due_at"], name="registration_queue_idx"),
            # The conflict check: the same domain, its parents (exact) and its subdomains (a range:
            # under row-level security a LIKE is no index condition, a comparison is).
            models.Index(fields=["tenant", "domain_key"], name="registration_domain_idx"),
            # The daily expiry sweep: approved registrations by the end of their protection.
            models.Index(
                fields=["protection_ends_at"],
                condition=Q(state="approved"),
                name="registration_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name}: {self.solution}"

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING_STATES
