"""The account-first plan (DOMAIN.md §1): its six steps, the sales follow-up it commits to, its
launch into a program (the play run with a pinned package) and its 30/60/90-day checkpoints."""

from __future__ import annotations

import datetime

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from accounts.models.accounts import TargetAccount
from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency, Region, Segment

MIN_PLAN_ACCOUNTS = 5
MAX_PLAN_ACCOUNTS = 20
# Account ids read from one request (the API's list, the portal's ticks): above the 20 a plan may
# name, so the service can say how many were chosen, yet bounded (each id is looked up).
MAX_ACCOUNT_IDS = 5 * MAX_PLAN_ACCOUNTS


def quarter_of(day: datetime.date) -> tuple[int, int]:
    """(year, quarter) of a date: plans are made per calendar quarter."""
    return day.year, (day.month - 1) // 3 + 1


class MarketKind(models.TextChoices):
    REGION = "region", "Region"
    VERTICAL = "vertical", "Vertical"
    SEGMENT = "segment", "Segment"


# The fixed lists of market values; a vertical market is one of the tenant's verticals instead.
MARKET_VALUES = {MarketKind.REGION: Region, MarketKind.SEGMENT: Segment}
# Every region and segment, as (value, label).
MARKET_VALUE_CHOICES = [choice for choices in MARKET_VALUES.values() for choice in choices.choices]


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
        if self.market_kind == MarketKind.VERTICAL:
            # The tenant's label, which the plan selectors read with the plan.
            return getattr(self, "market_vertical_label", None) or self.market_value
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


class Program(TenantScopedModel):
    """A launched play for a plan. It pins the package as it was at launch (content and revisions)
    and carries the tracking code and UTM parameters every asset of the program uses."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"

    plan = models.OneToOneField(Plan, on_delete=models.PROTECT, related_name="program")
    play = models.ForeignKey("plays.Play", on_delete=models.PROTECT, related_name="programs")
    partner = models.ForeignKey("tenancy.Partner", on_delete=models.PROTECT, related_name="programs")
    package = models.ForeignKey("plays.ActivationPackage", on_delete=models.PROTECT, related_name="programs")
    package_label = models.CharField(max_length=200, help_text="Package and revision pinned at launch.")
    components = models.JSONField(help_text="The package's resolved components at launch: {key: content}.")
    tracking_code = models.CharField(max_length=80)
    utm_source = models.CharField(max_length=80)
    utm_medium = models.CharField(max_length=40)
    utm_campaign = models.CharField(max_length=80)
    utm_content = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    launched_at = models.DateTimeField(default=now)

    partner_scope = "partner_id"

    class Meta:
        db_table = "plays_program"  # created by the plays app before programs moved here
        ordering = ["-launched_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "tracking_code"], name="program_tracking_code_unique")
        ]
        indexes = [models.Index(fields=["tenant", "partner"], name="program_tenant_partner_idx")]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def utm_query(self) -> str:
        return (
            f"utm_source={self.utm_source}&utm_medium={self.utm_medium}"
            f"&utm_campaign={self.utm_campaign}&utm_content={self.utm_content}"
        )


class Checkpoint(TenantScopedModel):
    """A staged checkpoint of a launched plan: day 30 operational, 60 engagement, 90 pipeline.
    Opened at launch with its date; its metrics are frozen into `snapshot` when it falls due."""

    class Day(models.IntegerChoices):
        DAY_30 = 30, "Day 30: operational"
        DAY_60 = 60, "Day 60: engagement"
        DAY_90 = 90, "Day 90: pipeline"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="checkpoints")
    day = models.PositiveSmallIntegerField(choices=Day.choices)
    due_on = models.DateField()
    frozen_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    partner_scope = "plan__partner_id"

    class Meta:
        db_table = "reporting_checkpoint"  # created by the reporting app before checkpoints moved here
        ordering = ["plan_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "plan", "day"], name="checkpoint_one_per_day")
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(frozen_at__isnull=True), name="checkpoint_open_idx")
        ]

    def __str__(self) -> str:
        return f"Day {self.day} checkpoint"
