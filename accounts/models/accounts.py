"""Target accounts, the CRM mirror (opportunities and their stage history) and which partners know
which accounts."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Reverse
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency, Region, Segment


class AccountStage(models.TextChoices):
    OPEN_OPPORTUNITY = "open_opportunity", "Open opportunity"
    STALLED_OPPORTUNITY = "stalled_opportunity", "Stalled opportunity"
    EXISTING_CUSTOMER = "existing_customer", "Existing customer"
    NET_NEW = "net_new", "Net new"


class TargetAccount(TenantScopedModel):
    """A named customer account the vendor wants to move. Its stage follows its opportunities when
    it has any (see `accounts.services.account_stages_refresh`); otherwise it is set by hand."""

    name = models.CharField(max_length=200)
    domain = models.CharField(
        max_length=253, help_text="Web domain, e.g. acme.com (lower case, without www.); unique per tenant."
    )
    # The domain spelled backwards, kept by PostgreSQL: "the subdomains of acme.com" is then a range
    # from `moc.emca.` (leads.selectors.leads.accounts_for_domain). A stored column, not an
    # expression index: under row-level security only leakproof operators on plain columns become
    # index conditions, and reverse() is not leakproof. Code-point order ("C") keeps the range exact.
    reversed_domain = models.GeneratedField(
        expression=Reverse("domain"),
        output_field=models.CharField(max_length=253, db_collation="C"),
        db_persist=True,
    )
    # One of the tenant's verticals (tenancy.TenantVertical), by value.
    industry = models.CharField(max_length=40, blank=True)
    region = models.CharField(max_length=40, choices=Region.choices, blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, blank=True)
    stage = models.CharField(max_length=24, choices=AccountStage.choices, default=AccountStage.NET_NEW)
    manual_stage = models.CharField(
        "stage without opportunities",
        max_length=24,
        choices=AccountStage.choices,
        default=AccountStage.NET_NEW,
        help_text="The stage used while the account has no opportunities.",
    )
    senior_buyers_engaged = models.BooleanField(default=False)
    owner = models.ForeignKey(
        "tenancy.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The vendor's sales owner of the account.",
    )
    external_id = models.CharField(
        "CRM id", max_length=100, blank=True, help_text="The account's id in the CRM."
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "domain"],
                name="account_domain_unique_per_tenant",
                violation_error_message="An account with this domain already exists.",
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="account_external_id_unique_per_tenant",
                violation_error_message="An account with this CRM id already exists.",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "name"], name="account_tenant_name_idx"),
            models.Index(fields=["tenant", "stage"], name="account_tenant_stage_idx"),
            models.Index(fields=["tenant", "industry"], name="account_tenant_industry_idx"),
            models.Index(fields=["tenant", "region"], name="account_tenant_region_idx"),
            # The API pages the list by keyset in id order: one range scan at any depth.
            models.Index(fields=["tenant", "id"], name="account_tenant_id_idx"),
            # "This domain's subdomains" (leads.selectors.leads.accounts_for_domain).
            models.Index(fields=["tenant", "reversed_domain"], name="account_domain_reversed_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityStage(models.TextChoices):
    PROSPECTING = "prospecting", "Prospecting"
    QUALIFICATION = "qualification", "Qualification"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    CLOSED_WON = "closed_won", "Closed won"
    CLOSED_LOST = "closed_lost", "Closed lost"


OPEN_OPPORTUNITY_STAGES = [
    OpportunityStage.PROSPECTING,
    OpportunityStage.QUALIFICATION,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
]
# An open opportunity whose stage has not moved for this long counts as stalled.
STALLED_AFTER_DAYS = 60


class Opportunity(TenantScopedModel):
    """A CRM opportunity on a target account, mirrored by revops sync or import."""

    account = models.ForeignKey(TargetAccount, on_delete=models.CASCADE, related_name="opportunities")
    name = models.CharField(max_length=200)
    stage = models.CharField(
        max_length=20, choices=OpportunityStage.choices, default=OpportunityStage.PROSPECTING
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    close_date = models.DateField(null=True, blank=True)
    external_id = models.CharField(
        "CRM id", max_length=100, blank=True, help_text="The opportunity's id in the CRM."
    )
    source_partner = models.ForeignKey(
        "tenancy.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sourced_opportunities",
        help_text="The partner that brought the opportunity (partner-sourced pipeline).",
    )
    influencing_partners = models.ManyToManyField(
        "tenancy.Partner", through="OpportunityInfluence", related_name="influenced_opportunities", blank=True
    )
    stage_changed_at = models.DateTimeField(default=now)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="opportunity_external_id_unique_per_tenant",
                violation_error_message="An opportunity with this CRM id already exists.",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "account", "stage"], name="opp_tenant_account_stage_idx"),
            models.Index(fields=["tenant", "stage"], name="opp_tenant_stage_idx"),
            models.Index(fields=["tenant", "source_partner"], name="opp_tenant_source_idx"),
            models.Index(fields=["tenant", "id"], name="opp_tenant_id_idx"),  # keyset pages
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_OPPORTUNITY_STAGES


class OpportunityInfluence(TenantScopedModel):
    """A partner that influenced an opportunity (partner-influenced pipeline)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="influences")
    partner = models.ForeignKey("tenancy.Partner", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "opportunity", "partner"], name="influence_unique_per_opportunity"
            )
        ]
        indexes = [models.Index(fields=["tenant", "partner"], name="influence_tenant_partner_idx")]


class OpportunityStageChange(TenantScopedModel):
    """One stage change of an opportunity, when it happened: "opportunity progression" is read here."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=OpportunityStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=OpportunityStage.choices)
    changed_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "opportunity", "-changed_at"], name="stagechange_opp_idx"),
            models.Index(fields=["tenant", "changed_at"], name="stagechange_tenant_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"


class AccountMapping(TenantScopedModel):
    """A partner already works with an account: its access, which ranks partners for a plan."""

    class Relationship(models.TextChoices):
        CUSTOMER = "customer", "Customer of the partner"
        ACTIVE_PROJECT = "active_project", "Active project"
        RELATIONSHIP = "relationship", "Relationship"

    class Source(models.TextChoices):
        STAFF = "staff", "Entered by staff"
        PARTNER_UPLOAD = "partner_upload", "Uploaded by the partner"
        API = "api", "API"

    partner = models.ForeignKey("tenancy.Partner", on_delete=models.CASCADE, related_name="account_mappings")
    account = models.ForeignKey(TargetAccount, on_delete=models.CASCADE, related_name="mappings")
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.RELATIONSHIP
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.STAFF)
    notes = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    # Staff only: a partner's own view is its claims (AccountClaim), which never say what matched.
    partner_scope = None

    class Meta:
        ordering = ["account__name", "id"]
        constraints = [
            # Also the index partner ranking probes: (tenant, partner) → the plan's account ids.
            models.UniqueConstraint(
                fields=["tenant", "partner", "account"],
                name="mapping_unique_per_partner_account",
                violation_error_message="This partner is already mapped to this account.",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "account"], name="mapping_tenant_account_idx"),
            models.Index(fields=["tenant", "id"], name="mapping_tenant_id_idx"),  # keyset pages
        ]

    def __str__(self) -> str:
        return f"{self.partner} ↔ {self.account}"


class AccountClaim(TenantScopedModel):
    """A company a partner says it works with, as the partner named it (domain, company name).

    Matched by domain to the vendor's target accounts: a match records the `AccountMapping` that
    ranks the partner. The partner sees its claims only, never whether one matched, so a partner
    cannot learn the vendor's target list by trying domains (staff see the mapping)."""

    partner = models.ForeignKey("tenancy.Partner", on_delete=models.CASCADE, related_name="account_claims")
    domain = models.CharField(max_length=253, help_text="The company's web domain, as normalized.")
    company_name = models.CharField(max_length=200, blank=True)
    relationship = models.CharField(
        max_length=20,
        choices=AccountMapping.Relationship.choices,
        default=AccountMapping.Relationship.RELATIONSHIP,
    )
    notes = models.CharField(max_length=500, blank=True)
    mapping = models.OneToOneField(
        AccountMapping, on_delete=models.SET_NULL, null=True, blank=True, related_name="claim"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["domain", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "domain"],
                name="claim_unique_per_partner_domain",
                violation_error_message="Your company already lists this domain.",
            )
        ]
        indexes = [models.Index(fields=["tenant", "domain"], name="claim_tenant_domain_idx")]

    def __str__(self) -> str:
        return self.domain
