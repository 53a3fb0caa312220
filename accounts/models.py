"""Target accounts, the CRM mirror (opportunities and their stage history), which partners know
which accounts, and the account-first plan (DOMAIN.md §1)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency, Region, Segment, Vertical

MIN_PLAN_ACCOUNTS = 5
MAX_PLAN_ACCOUNTS = 20


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
    industry = models.CharField(max_length=40, choices=Vertical.choices, blank=True)
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


class ImportJob(TenantScopedModel):
    """A CSV upload processed by a worker; the page polls its progress and shows its report."""

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", "Accounts"
        OPPORTUNITIES = "opportunities", "Opportunities"
        MAPPINGS = "mappings", "Account mapping"
        CLAIMS = "claims", "A partner's accounts"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    partner = models.ForeignKey(
        "tenancy.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partner whose account mapping this upload is (mapping imports only).",
    )
    filename = models.CharField(max_length=255)
    content = models.TextField(help_text="The uploaded CSV, kept until the job is done.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, reason}] of rejected rows.")
    failure = models.TextField(blank=True, help_text="Why the whole file could not be read, if it could not.")
    created_by = models.ForeignKey(
        "tenancy.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="importjob_tenant_created_idx"),
            models.Index(fields=["created_at"], condition=Q(status="queued"), name="importjob_queued_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import: {self.filename}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class MarketKind(models.TextChoices):
    REGION = "region", "Region"
    VERTICAL = "vertical", "Vertical"
    SEGMENT = "segment", "Segment"


MARKET_VALUES = {MarketKind.REGION: Region, MarketKind.VERTICAL: Vertical, MarketKind.SEGMENT: Segment}


class PlanStep(models.IntegerChoices):
    MARKET = 1, "Market"
    ACCOUNTS = 2, "Accounts"
    PARTNER = 3, "Partner"
    PLAY = 4, "Play"
    FOLLOW_UP = 5, "Follow-up"
    MEASUREMENT = 6, "Measurement"


class MeetingCadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


# The six functions of a plan, each with one owner (DOMAIN.md §1): field name → label.
PLAN_OWNER_FIELDS = {
    "owner_field_marketing": "Field marketing",
    "owner_partner_marketing": "Partner marketing",
    "owner_sales": "Sales",
    "owner_channel": "Channel / partner sales",
    "owner_product_marketing": "Product marketing",
    "owner_revops": "Demand gen and revops",
}
KICKOFF_FIELDS = [
    "kickoff_decision_maker",
    "kickoff_budget_owner",
    "kickoff_process_owner",
    "kickoff_neutral_lead",
    "kickoff_signoff_legal",
    "kickoff_brand_assets",
    "kickoff_tools",
    "kickoff_lead_times",
    "meeting_cadence",
]
# One play per market per quarter: a plan that picked a play holds its market for the quarter,
# unless it was abandoned (closed without being launched).
HOLDS_MARKET = Q(play__isnull=False) & ~Q(status="closed", launched_at__isnull=True)


def _owner_field(label: str) -> models.ForeignKey:
    return models.ForeignKey(
        "tenancy.User",
        verbose_name=f"{label.lower()} owner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=f"Owns {label.lower()} for this plan.",
    )


class Plan(TenantScopedModel):
    """One quarter's account-first plan for one market priority: six steps taken in order."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        READY = "ready", "Ready to launch"
        LAUNCHED = "launched", "Launched"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Step 1
    market_kind = models.CharField(max_length=10, choices=MarketKind.choices, blank=True)
    market_value = models.CharField(max_length=40, blank=True)
    # Step 2
    accounts = models.ManyToManyField(TargetAccount, through="PlanAccount", related_name="plans", blank=True)
    # Step 3
    partner = models.ForeignKey(
        "tenancy.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    # Step 4
    play = models.ForeignKey(
        "plays.Play", on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    play_reason = models.CharField(
        "why this play", max_length=300, blank=True, help_text="Why this play, as recommended."
    )
    # Step 5 is the FollowUpCommitment. Step 6: what each checkpoint must show (DOMAIN.md §6).
    target_day30_followups = models.PositiveIntegerField(
        "day 30 target: accounts followed up",
        null=True,
        blank=True,
        help_text="Day 30 (operational): target accounts followed up by sales.",
    )
    target_day60_meetings = models.PositiveIntegerField(
        "day 60 target: meetings",
        null=True,
        blank=True,
        help_text="Day 60 (engagement): meetings booked from target accounts.",
    )
    target_day90_opportunities = models.PositiveIntegerField(
        "day 90 target: opportunities progressed",
        null=True,
        blank=True,
        help_text="Day 90 (pipeline): opportunities progressed on target accounts.",
    )
    target_day90_pipeline = models.DecimalField(
        "day 90 target: pipeline",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Day 90 (pipeline): pipeline amount created or progressed.",
    )
    target_currency = models.CharField(
        "pipeline target currency", max_length=3, choices=Currency.choices, default=Currency.USD
    )
    review_steps = ArrayField(
        models.PositiveSmallIntegerField(choices=PlanStep.choices),
        verbose_name="steps to review",
        default=list,
        blank=True,
        help_text="Later steps to look at again because an earlier step changed.",
    )
    # Who owns what (one owner per function) and the kickoff items.
    owner_field_marketing = _owner_field("Field marketing")
    owner_partner_marketing = _owner_field("Partner marketing")
    owner_sales = _owner_field("Sales")
    owner_channel = _owner_field("Channel / partner sales")
    owner_product_marketing = _owner_field("Product marketing")
    owner_revops = _owner_field("Demand gen and revops")
    kickoff_decision_maker = models.CharField("decision maker", max_length=200, blank=True)
    kickoff_budget_owner = models.CharField("budget owner", max_length=200, blank=True)
    kickoff_process_owner = models.CharField(
        "process owner",
        max_length=200,
        blank=True,
        help_text="Someone who knows the processes on both sides.",
    )
    kickoff_neutral_lead = models.CharField("neutral lead", max_length=200, blank=True)
    kickoff_signoff_legal = models.TextField(
        "sign-off and legal review", blank=True, help_text="Who signs off; how legal review works."
    )
    kickoff_brand_assets = models.TextField("brand assets", blank=True)
    kickoff_tools = models.TextField("tools", blank=True)
    kickoff_lead_times = models.TextField("lead times", blank=True)
    meeting_cadence = models.CharField(
        max_length=10, choices=MeetingCadence.choices, default=MeetingCadence.WEEKLY
    )
    meeting_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the planning meeting began."
    )
    created_by = models.ForeignKey(
        "tenancy.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-year", "-quarter", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "year", "quarter", "market_kind", "market_value"],
                condition=HOLDS_MARKET,
                name="plan_one_play_per_market_quarter",
                violation_error_message="This market already has a play this quarter.",
            ),
            models.CheckConstraint(
                condition=Q(market_kind="", market_value="") | (~Q(market_kind="") & ~Q(market_value="")),
                name="plan_market_kind_and_value_together",
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="plan_quarter_1_to_4"),
        ]
        indexes = [
            models.Index(fields=["tenant", "year", "quarter", "status"], name="plan_tenant_quarter_idx"),
            models.Index(fields=["tenant", "partner"], name="plan_tenant_partner_idx"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.quarter_label} plan"

    @property
    def quarter_label(self) -> str:
        return f"Q{self.quarter} {self.year}"

    @property
    def market_label(self) -> str:
        if not self.market_kind:
            return ""
        choices = MARKET_VALUES[MarketKind(self.market_kind)]
        return (
            str(choices(self.market_value).label)
            if self.market_value in choices.values
            else self.market_value
        )


class PlanAccount(TenantScopedModel):
    """A named target account of a plan (step 2)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_accounts")
    account = models.ForeignKey(TargetAccount, on_delete=models.PROTECT, related_name="+")

    partner_scope = "plan__partner_id"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "plan", "account"], name="plan_account_unique")
        ]
        indexes = [models.Index(fields=["tenant", "account"], name="plan_account_account_idx")]


class FollowUpCommitment(TenantScopedModel):
    """Sales commits, before launch, to who calls the attendees, by when, with what talk track."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="follow_up")
    sales_owner = models.ForeignKey("tenancy.User", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    talk_track = models.TextField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "plan__partner_id"

    class Meta:
        indexes = [
            # The nudge sweep reads only open commitments by due date.
            models.Index(fields=["due_on"], condition=Q(done_at__isnull=True), name="followup_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"Follow-up for {self.plan}"


class FollowUpNudge(TenantScopedModel):
    """A reminder sent for a commitment in one state (due soon, overdue) for one due date: the
    unique key is what makes the nudge sweep send it once, however often it runs."""

    class State(models.TextChoices):
        DUE_SOON = "due_soon", "Due in 2 days"
        OVERDUE = "overdue", "Overdue"

    commitment = models.ForeignKey(FollowUpCommitment, on_delete=models.CASCADE, related_name="nudges")
    state = models.CharField(max_length=10, choices=State.choices)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "commitment", "state", "due_on"], name="nudge_once_per_state_and_due_date"
            )
        ]
