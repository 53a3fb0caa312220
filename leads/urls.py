"""Leads pages, mounted under /t/<tenant_slug>/."""

from leads.views import attendance, calendars, handoffs, leads, registrations, routing

app_name = "leads"

urlpatterns = [
    *leads.urlpatterns,
    *handoffs.urlpatterns,
    *calendars.urlpatterns,
    *routing.urlpatterns,
    *registrations.urlpatterns,
    *attendance.urlpatterns,
]
