"""Leads pages, mounted under /t/<tenant_slug>/."""

from leads.views import attendance, calendars, leads

app_name = "leads"

urlpatterns = [*leads.urlpatterns, *calendars.urlpatterns, *attendance.urlpatterns]
