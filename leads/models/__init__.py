"""The models of the leads app (issue 9), by subject: leads and their touches (leads.py), the
business calendars the SLA clocks run on (calendars.py), and handoffs with their SLA clocks
(handoffs.py), routing decisions and partner feedback (routing.py), deal registrations
(registrations.py)."""

from leads.models.attendance import Attendance, AttendanceStatus
from leads.models.calendars import BusinessCalendar, Holiday
from leads.models.handoffs import (
    Clock,
    Handoff,
    HandoffEscalation,
    QualificationOutcome,
    RejectReason,
    SlaPolicy,
    SlaScope,
    Step,
)
from leads.models.leads import Lead, LeadSource, LeadStage, Touch, TouchKind
from leads.models.registrations import ConflictKind, DealRegistration, RegistrationRejectReason
from leads.models.routing import FeedbackStatus, HandoffFeedback, RoutingDecision, RoutingRule, StatusMapping

__all__ = [
    "Attendance",
    "AttendanceStatus",
    "BusinessCalendar",
    "Clock",
    "ConflictKind",
    "DealRegistration",
    "FeedbackStatus",
    "Handoff",
    "HandoffEscalation",
    "HandoffFeedback",
    "Holiday",
    "Lead",
    "LeadSource",
    "LeadStage",
    "QualificationOutcome",
    "RegistrationRejectReason",
    "RejectReason",
    "RoutingDecision",
    "RoutingRule",
    "SlaPolicy",
    "SlaScope",
    "StatusMapping",
    "Step",
    "Touch",
    "TouchKind",
]
