"""Handoffs (one offer of one lead to one partner) and their SLA clocks (docs/leads.md, "Handoffs
and SLA clocks").

A clock is deadline columns on the handoff, computed in business time when the clock starts and
stored: its warn instant, its due instant and its recall instant (due + grace). `next_due_at` is the
earliest ladder instant still to fire, and the sweep reads only the rows whose `next_due_at` has
come, through a partial index on the open ones. `HandoffEscalation` records each step that fired,
once per handoff, clock and step (its unique key is the backstop of "each step at most once")."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.scoping import TenantScopedModel


class SlaPolicy(TenantScopedModel):
    """The SLA a partner's handoffs run on: the tenant's default (no tier) or a tier's own. With
    none, the defaults below apply (leads.selectors.handoffs.policy_for)."""

    tier = models.CharField(
        max_length=20,
        choices=Partner.Tier.choices,
        blank=True,
        help_text="Empty: the tenant's default policy.",
    )
    accept_hours = models.PositiveIntegerField(
        "accept within (business hours)", default=24, validators=[MinValueValidator(1)]
    )
    contact_hours = models.PositiveIntegerField(
        "first contact within (business hours)",
        default=48,
        validators=[MinValueValidator(1)],
        help_text="Counted from acceptance.",
    )
    qualify_days = models.PositiveIntegerField(
        "qualify within (business days)",
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Counted from acceptance.",
    )
    warn_percent = models.PositiveSmallIntegerField(
        "warn at (% of the time used)", default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    grace_hours = models.PositiveIntegerField(
        "grace before recall (business hours)", default=24, help_text="After a breach, before the recall."
    )
    silent_days = models.PositiveIntegerField(
        "silent after (calendar days)",
        default=14,
        validators=[MinValueValidator(1)],
        help_text="An accepted handoff with no feedback for this long is silent: the partner is nudged.",
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = None  # the vendor's settings

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        ordering = ["tier", "id"]
        constraints = [
            # One default (tier empty) per tenant, and one per tier.
            models.UniqueConstraint(fields=["tenant", "tier"], name="sla_policy_one_per_tier"),
            models.CheckConstraint(
                condition=Q(warn_percent__gte=1, warn_percent__lte=99), name="sla_policy_warn_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"SLA policy ({self.get_tier_display() or 'default'})"


class Clock(models.TextChoices):
    """The three SLA clocks of a handoff, and the one event that stops each."""

    ACCEPT = "accept", "Accept"  # stopped by acceptance (or a refusal)
    CONTACT = "contact", "First contact"  # started by acceptance, stopped by the first logged contact
    QUALIFY = "qualify", "Qualification"  # started by acceptance, stopped by a qualification outcome


class Step(models.TextChoices):
    """The escalation ladder of one clock, in order."""

    WARNED = "warned", "About to breach: the partner's users nudged"
    BREACHED = "breached", "Breached: the partner manager notified"
    RECALLED = "recalled", "Breached past the grace: recalled"


class RejectReason(models.TextChoices):
    NOT_OUR_TERRITORY = "not_our_territory", "Not our territory"
    NO_CAPACITY = "no_capacity", "No capacity"
    DUPLICATE = "duplicate", "Duplicate"
    NOT_A_FIT = "not_a_fit", "Not a fit"
    OTHER = "other", "Other"


class QualificationOutcome(models.TextChoices):
    QUALIFIED = "qualified", "Qualified"
    NOT_QUALIFIED = "not_qualified", "Not qualified"


class Handoff(TenantScopedModel):
    """One offer of one lead to one partner, with its own history. Reassigning makes a new handoff
    and keeps the old one; a lead has at most one open (offered or accepted) handoff."""

    class State(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"  # never accepted: the accept clock ran out past its grace
        RECALLED = "recalled", "Recalled"  # by staff, or the contact or qualify clock past its grace

    OPEN_STATES = (State.OFFERED, State.ACCEPTED)

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="handoffs")
    partner = models.ForeignKey("tenancy.Partner", on_delete=models.PROTECT, related_name="handoffs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OFFERED)
    reject_reason = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    reject_text = models.CharField(max_length=500, blank=True)
    qualification = models.CharField(max_length=20, choices=QualificationOutcome.choices, blank=True)
    qualification_note = models.CharField(max_length=500, blank=True)
    # The calendar the clocks run on, resolved at offer time; empty: the built-in week.
    calendar = models.ForeignKey(
        "leads.BusinessCalendar", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offered_at = models.DateTimeField(default=now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    qualified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The clocks' instants, in business time, stored when each clock starts.
    accept_warn_at = models.DateTimeField(null=True, blank=True)
    accept_due_at = models.DateTimeField(null=True, blank=True)
    accept_recall_at = models.DateTimeField(null=True, blank=True)
    contact_warn_at = models.DateTimeField(null=True, blank=True)
    contact_due_at = models.DateTimeField(null=True, blank=True)
    contact_recall_at = models.DateTimeField(null=True, blank=True)
    qualify_warn_at = models.DateTimeField(null=True, blank=True)
    qualify_due_at = models.DateTimeField(null=True, blank=True)
    qualify_recall_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(
        null=True, blank=True, help_text="The earliest ladder instant still to fire; empty: none."
    )
    deadline_at = models.DateTimeField(
        null=True, blank=True, help_text="The earliest due instant of the running clocks; empty: none runs."
    )
    # Feedback (leads.services.feedback): the first and the latest report, when the handoff falls
    # silent (the latest report, else the acceptance, plus the policy's silent days) and when the
    # silence nudge is due (cleared once it is sent; a new report starts a new silence).
    first_feedback_at = models.DateTimeField(null=True, blank=True)
    last_feedback_at = models.DateTimeField(null=True, blank=True)
    silent_at = models.DateTimeField(null=True, blank=True)
    silence_nudge_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "lead"],
                condition=Q(state__in=["offered", "accepted"]),
                name="handoff_one_open_per_lead",
                violation_error_message="This lead already has an open handoff.",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(reject_reason=""), name="handoff_rejected_has_reason"
            ),
        ]
        indexes = [
            # The ladder sweep: only open handoffs with an instant still to fire.
            models.Index(
                fields=["next_due_at"],
                condition=Q(state__in=["offered", "accepted"], next_due_at__isnull=False),
                name="handoff_ladder_due_idx",
            ),
            models.Index(fields=["tenant", "partner", "state"], name="handoff_tenant_partner_idx"),
            # The inbox's order (the nearest deadline first, then the newest), for a partner and for staff.
            models.Index(
                fields=["tenant", "partner", "deadline_at", "-offered_at", "-id"],
                name="handoff_partner_inbox_idx",
            ),
            models.Index(fields=["tenant", "deadline_at", "-offered_at", "-id"], name="handoff_inbox_idx"),
            models.Index(fields=["tenant", "lead"], name="handoff_tenant_lead_idx"),
            # The silence sweep: only accepted handoffs whose nudge is still to send.
            models.Index(
                fields=["silence_nudge_at"],
                condition=Q(state="accepted", silence_nudge_at__isnull=False),
                name="handoff_silence_due_idx",
            ),
            # Routing's capacity (a partner's handoffs offered since the start of its week), and a
            # partner's own list in the API, latest offer first (the index read backwards).
            models.Index(fields=["tenant", "partner", "offered_at"], name="handoff_partner_offered_idx"),
            # The handoff lists of the API, latest offer first.
            models.Index(fields=["tenant", "-offered_at", "-id"], name="handoff_tenant_offered_idx"),
            models.Index(fields=["tenant", "state", "-offered_at"], name="handoff_tenant_state_idx"),
        ]

    def __str__(self) -> str:
        return f"Handoff {self.pk} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class HandoffEscalation(TenantScopedModel):
    """One ladder step that fired for one clock of one handoff: at most once each."""

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="escalations")
    clock = models.CharField(max_length=10, choices=Clock.choices)
    step = models.CharField(max_length=10, choices=Step.choices)
    at = models.DateTimeField(help_text="The instant the step was due.")
    created_at = models.DateTimeField(default=now, help_text="When the sweep fired it.")

    partner_scope = "handoff__partner_id"

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "handoff", "clock", "step"], name="handoff_escalation_once_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_clock_display()}: {self.step}"
