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


class SlaScope(models.TextChoices):
    """What an SLA policy applies to; a narrower scope wins (leads.selectors.handoffs.policy_for)."""

    PROGRAM = "program", "Program"
    PARTNER = "partner", "Partner"
    TIER = "tier", "Tier"
    DEFAULT = "default", "Default"


# A policy has at most one scope: of tier, partner and program, two are empty (all three: the default).
ONE_SCOPE_AT_MOST = (
    Q(tier="", partner__isnull=True)
    | Q(tier="", program__isnull=True)
    | Q(partner__isnull=True, program__isnull=True)
)
DEFAULT_SCOPE = Q(tier="", partner__isnull=True, program__isnull=True)
# Upper bounds of a policy's numbers: a quarter of working hours, a year of days. Beyond them a
# deadline is no SLA, and business time is never searched further than three years.
MAX_HOURS = 500
MAX_DAYS = 250


class SlaPolicy(TenantScopedModel):
    """The SLA a handoff runs on: the tenant's default (no scope), or the own policy of a partner
    tier, of a partner, or of the program the lead came through. With none, the defaults below apply
    (leads.selectors.handoffs.policy_for)."""

    tier = models.CharField(
        max_length=20,
        choices=Partner.Tier.choices,
        blank=True,
        help_text="The partners of this tier; empty with no partner and no program: the tenant's default.",
    )
    partner = models.ForeignKey(
        "tenancy.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        help_text="This partner's handoffs, whatever its tier.",
    )
    program = models.ForeignKey(
        "accounts.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        help_text="The handoffs of the leads that came through this program, whichever partner has them.",
    )
    accept_hours = models.PositiveIntegerField(
        "accept within (business hours)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)],
    )
    contact_hours = models.PositiveIntegerField(
        "first contact within (business hours)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)],
        help_text="Counted from acceptance.",
    )
    qualify_days = models.PositiveIntegerField(
        "qualify within (business days)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
        help_text="Counted from acceptance.",
    )
    warn_percent = models.PositiveSmallIntegerField(
        "warn at (% of the time used)", default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    grace_hours = models.PositiveIntegerField(
        "grace before recall (business hours)",
        default=24,
        validators=[MaxValueValidator(MAX_HOURS)],
        help_text="After a breach, before the recall.",
    )
    silent_days = models.PositiveIntegerField(
        "silent after (calendar days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
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
            models.CheckConstraint(
                condition=ONE_SCOPE_AT_MOST,
                name="sla_policy_one_scope_at_most",
                violation_error_message="A policy has one scope at most: a tier, a partner or a program.",
            ),
            # One default per tenant, one per tier, one per partner, one per program. The partial
            # unique indexes are also what policy_for and the API's scope filters read.
            models.UniqueConstraint(
                fields=["tenant"], condition=DEFAULT_SCOPE, name="sla_policy_one_default"
            ),
            models.UniqueConstraint(
                fields=["tenant", "tier"], condition=~Q(tier=""), name="sla_policy_one_per_tier"
            ),
            models.UniqueConstraint(
                fields=["tenant", "partner"],
                condition=Q(partner__isnull=False),
                name="sla_policy_one_per_partner",
            ),
            models.UniqueConstraint(
                fields=["tenant", "program"],
                condition=Q(program__isnull=False),
                name="sla_policy_one_per_program",
            ),
            models.CheckConstraint(
                condition=Q(warn_percent__gte=1, warn_percent__lte=99), name="sla_policy_warn_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"SLA policy ({self.scope_label})"

    @property
    def scope(self) -> str:
        if self.program_id is not None:
            return SlaScope.PROGRAM
        if self.partner_id is not None:
            return SlaScope.PARTNER
        return SlaScope.TIER if self.tier else SlaScope.DEFAULT

    @property
    def scope_label(self) -> str:
        """ "Default", "Tier One-to-one (strategic)", "Partner Contoso", "Program NW-ACC-1" (the
        partner and the program read with the policy: a list selects them)."""
        if self.program_id is not None:
            return f"Program {self.program.tracking_code}"
        if self.partner_id is not None:
            return f"Partner {self.partner.name}"
        return f"Tier {self.get_tier_display()}" if self.tier else "Default"


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
