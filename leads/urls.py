"""Leads pages, mounted under /t/<tenant_slug>/."""

from leads.views import attendance, calendars, handoffs, leads, meetings, registrations, routing, sla_policies

app_name = "leads"

urlpatterns = [
    *leads.urlpatterns,
    *handoffs.urlpatterns,
    *calendars.urlpatterns,
    *routing.urlpatterns,
    *registrations.urlpatterns,
    *attendance.urlpatterns,
    *sla_policies.urlpatterns,
    *meetings.urlpatterns,
]
