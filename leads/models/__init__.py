"""The models of the leads app (issue 9), by subject: leads and their touches (leads.py), the
business calendars the SLA clocks run on (calendars.py), and handoffs with their SLA clocks
(handoffs.py), deal registrations (registrations.py)."""

from leads.models.calendars import BusinessCalendar, Holiday
from leads.models.handoffs import (
    Clock,
    Handoff,
    HandoffEscalation,
    QualificationOutcome,
    RejectReason,
    SlaPolicy,
    Step,
)
from leads.models.leads import Lead, LeadSource, LeadStage, Touch, TouchKind
from leads.models.registrations import ConflictKind, DealRegistration, RegistrationRejectReason

__all__ = [
    "BusinessCalendar",
    "Clock",
    "ConflictKind",
    "DealRegistration",
    "Handoff",
    "HandoffEscalation",
    "Holiday",
    "Lead",
    "LeadSource",
    "LeadStage",
    "QualificationOutcome",
    "RegistrationRejectReason",
    "RejectReason",
    "SlaPolicy",
    "Step",
    "Touch",
    "TouchKind",
]
