"""Leads (the people who engaged with a program) and their touches (what they engaged with)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel


class LeadSource(models.TextChoices):
    """The door a lead or a touch came through."""

    API = "api", "API"
    CSV = "csv", "CSV import"
    EVENT = "event", "Event attendance"
    LANDING_PAGE = "landing_page", "Landing page"
    PARTNER = "partner", "Submitted by a partner"
    SALES = "sales", "Logged by sales"


class LeadStage(models.TextChoices):
    """The vendor's lifecycle stage of a lead (leads.services.leads.STAGE_TRANSITIONS: which move where)."""

    NEW = "new", "New"
    NURTURE = "nurture", "Nurture"
    MQL = "mql", "Marketing qualified (MQL)"
    SQL = "sql", "Sales qualified (SQL)"
    OPPORTUNITY = "opportunity", "Opportunity"
    DISQUALIFIED = "disqualified", "Disqualified"


class TouchKind(models.TextChoices):
    EVENT_REGISTERED = "event_registered", "Registered for an event"
    EVENT_ATTENDED = "event_attended", "Attended an event"
    EVENT_NO_SHOW = "event_no_show", "Did not show at an event"
    ASSET_DOWNLOADED = "asset_downloaded", "Downloaded an asset"
    LANDING_PAGE_VISIT = "landing_page_visit", "Visited a landing page"
    MEETING = "meeting", "Meeting"
    EMAIL_REPLY = "email_reply", "Replied to an email"


class Lead(TenantScopedModel):
    """One person per email in a tenant: a second arrival merges into the lead as a touch
    (leads.services.leads.lead_intake), never a second lead."""

    email = models.EmailField(max_length=254, help_text="Lower case; one lead per email in the tenant.")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    title = models.CharField("job title", max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=100, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    company_domain = models.CharField(
        max_length=253,
        blank=True,
        help_text="The company's web domain as given, else the email's (none for free-mail addresses).",
    )
    account = models.ForeignKey(
        "accounts.TargetAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        help_text="The target account the company domain matched.",
    )
    source = models.CharField(
        max_length=20,
        choices=LeadSource.choices,
        default=LeadSource.API,
        help_text="The door it first came through.",
    )
    program = models.ForeignKey(
        "accounts.Program",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        help_text="The program it first came through (by tracking code or UTM campaign).",
    )
    consent = models.BooleanField("marketing consent", default=False)
    consent_at = models.DateTimeField("consent given at", null=True, blank=True)
    consent_method = models.CharField(
        "consent given how", max_length=200, blank=True, help_text="e.g. “landing page form, checkbox”."
    )
    stage = models.CharField(max_length=20, choices=LeadStage.choices, default=LeadStage.NEW)
    disqualified_reason = models.CharField(max_length=500, blank=True)
    stage_changed_at = models.DateTimeField(default=now)
    external_id = models.CharField(
        "CRM id", max_length=100, blank=True, help_text="The lead's id in the CRM, unique in the tenant."
    )
    # The score against the qualification rules of its program (leads.services.scoring), kept with
    # each rule's contribution so "why is this lead ready" is always answerable.
    score = models.IntegerField(default=0, help_text="Points from its weighted touches.")
    action_score = models.IntegerField(
        default=0, help_text="The part of the score from actions, not page views."
    )
    ready = models.BooleanField(default=False, help_text="Every handoff criterion of its rules holds.")
    ready_at = models.DateTimeField(null=True, blank=True, help_text="Since when it is ready.")
    score_reasons = models.JSONField(
        default=list, blank=True, help_text="Each rule's contribution: {rule, points or met, why}."
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    # Staff only for now: partners will see the leads handed off to them, through their handoffs.
    partner_scope = None

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The intake's race backstop: two arrivals of one email insert one row (the second waits
            # on this index, then merges).
            models.UniqueConstraint(
                fields=["tenant", "email"],
                name="lead_email_unique_per_tenant",
                violation_error_message="A lead with this email already exists.",
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="lead_external_id_unique_per_tenant",
                violation_error_message="A lead with this CRM id already exists.",
            ),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="lead_email_lower_case"),
            models.CheckConstraint(
                condition=~Q(stage=LeadStage.DISQUALIFIED) | ~Q(disqualified_reason=""),
                name="lead_disqualified_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "stage"], name="lead_tenant_stage_idx"),
            models.Index(fields=["tenant", "program"], name="lead_tenant_program_idx"),
            models.Index(fields=["tenant", "account"], name="lead_tenant_account_idx"),
            models.Index(fields=["tenant", "-created_at"], name="lead_tenant_created_idx"),
            # The list's score sort and "score at least" filter; the ready filter with its sort.
            models.Index(fields=["tenant", "-score", "-id"], name="lead_tenant_score_idx"),
            models.Index(fields=["tenant", "ready", "-score"], name="lead_tenant_ready_score_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Touch(TenantScopedModel):
    """One thing a lead engaged with, when, through which program: the lead's engagement history."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="touches")
    kind = models.CharField(max_length=24, choices=TouchKind.choices)
    occurred_at = models.DateTimeField(default=now)
    program = models.ForeignKey(
        "accounts.Program", on_delete=models.SET_NULL, null=True, blank=True, related_name="touches"
    )
    source = models.CharField(max_length=20, choices=LeadSource.choices)
    details = models.JSONField(default=dict, blank=True, help_text="A few facts of the touch (asset, event).")
    created_at = models.DateTimeField(default=now)

    partner_scope = None

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "touches"
        indexes = [models.Index(fields=["tenant", "lead", "-occurred_at"], name="touch_tenant_lead_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.lead_id})"
