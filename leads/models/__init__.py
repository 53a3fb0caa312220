"""The models of the leads app (issue 9), by subject: leads and their touches (leads.py), the
business calendars the SLA clocks run on (calendars.py), and handoffs with their SLA clocks
(handoffs.py)."""

from leads.models.attendance import Attendance, AttendanceStatus
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

__all__ = [
    "Attendance",
    "AttendanceStatus",
    "BusinessCalendar",
    "Clock",
    "Handoff",
    "HandoffEscalation",
    "Holiday",
    "Lead",
    "LeadSource",
    "LeadStage",
    "QualificationOutcome",
    "RejectReason",
    "SlaPolicy",
    "Step",
    "Touch",
    "TouchKind",
]
