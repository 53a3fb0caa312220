"""The models of the leads app (issue 9), by subject: leads and their touches (leads.py), and the
business calendars the SLA clocks run on (calendars.py)."""

from leads.models.calendars import BusinessCalendar, Holiday
from leads.models.leads import Lead, LeadSource, LeadStage, Touch, TouchKind

__all__ = ["BusinessCalendar", "Holiday", "Lead", "LeadSource", "LeadStage", "Touch", "TouchKind"]
