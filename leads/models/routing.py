"""Routing decisions (which partner a lead went to, and why) and partner feedback on handoffs,
read through the tenant's status mapping (docs/leads.md, "Routing" and "Feedback")."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel


class RoutingRule(models.TextChoices):
    """The rule that decided a routing, in the order routing tries them."""

    PROGRAM_PARTNER = "program_partner", "The program's partner"
    ACCOUNT_MAPPING = "account_mapping", "The partner that works with the account"
    FIT = "fit", "Tier, region and vertical fit, weighted by feedback rate"
    NONE = "none", "No partner: the lead stays in the vendor's queue"


class RoutingDecision(TenantScopedModel):
    """One routing of one lead: the handoff it made (none when no partner could take it), the rule
    that decided, a reason sentence and the candidates considered with their scores and why each
    was excluded."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="routing_decisions")
    handoff = models.ForeignKey(
        "leads.Handoff", on_delete=models.SET_NULL, null=True, blank=True, related_name="routing_decisions"
    )
    rule = models.CharField(max_length=20, choices=RoutingRule.choices)
    reason = models.CharField(max_length=500)
    # [{"partner": id, "name": …, "score": …, "excluded": "why" or null, …}], best first.
    candidates = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(
        "tenancy.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Who routed: a user, an API key or the system.")
    created_at = models.DateTimeField(default=now)

    partner_scope = None  # the vendor's reasoning, staff only

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "lead", "-created_at"], name="routing_tenant_lead_idx")]

    def __str__(self) -> str:
        return f"Routing of lead {self.lead_id}: {self.get_rule_display()}"


class FeedbackStatus(models.TextChoices):
    """The tenant's own statuses, which partners' words are mapped to."""

    CONTACTED = "contacted", "Contacted"
    MEETING_BOOKED = "meeting_booked", "Meeting booked"
    QUALIFIED = "qualified", "Qualified"
    OPPORTUNITY_CREATED = "opportunity_created", "Opportunity created"
    NO_RESPONSE = "no_response", "No response"
    DISQUALIFIED = "disqualified", "Disqualified"


class StatusMapping(TenantScopedModel):
    """A partner's status word (as partners write it, compared folded: case and spaces do not
    matter) and the tenant's status it means."""

    partner_status = models.CharField(
        max_length=100, help_text="As partners write it, e.g. “Termin vereinbart”."
    )
    partner_status_key = models.CharField(max_length=100, editable=False, help_text="Folded: the lookup key.")
    status = models.CharField(max_length=20, choices=FeedbackStatus.choices)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = None  # the vendor's settings

    class Meta:
        ordering = ["partner_status_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner_status_key"],
                name="status_mapping_unique_word",
                violation_error_message="This partner status is mapped already.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_status} → {self.get_status_display()}"


class HandoffFeedback(TenantScopedModel):
    """One report of a partner on an accepted handoff: its own words, the tenant's status they map
    to (empty: unmapped), a note, and the reason of a disqualification."""

    handoff = models.ForeignKey("leads.Handoff", on_delete=models.CASCADE, related_name="feedback")
    words = models.CharField("partner status", max_length=100, help_text="The partner's own words.")
    status = models.CharField(max_length=20, choices=FeedbackStatus.choices, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    reason = models.CharField(max_length=500, blank=True, help_text="Why the lead is disqualified.")
    reported_at = models.DateTimeField(default=now)
    actor = models.ForeignKey(
        "tenancy.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=now)

    partner_scope = "handoff__partner_id"

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name_plural = "handoff feedback"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="disqualified") | ~Q(reason=""), name="feedback_disqualified_has_reason"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "handoff", "-reported_at"], name="feedback_tenant_handoff_idx")
        ]

    def __str__(self) -> str:
        return f"“{self.words}” on handoff {self.handoff_id}"

    @property
    def status_or_none(self) -> str | None:
        return self.status or None
