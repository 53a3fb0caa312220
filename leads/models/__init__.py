"""Models of the leads app (issue 9). So far: business calendars, on which the SLA clocks run."""

from leads.models.calendars import BusinessCalendar, Holiday

__all__ = ["BusinessCalendar", "Holiday"]
