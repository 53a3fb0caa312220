"""Leads pages, mounted under /t/<tenant_slug>/."""

from leads.views import calendars, leads, registrations

app_name = "leads"

urlpatterns = [*leads.urlpatterns, *calendars.urlpatterns, *registrations.urlpatterns]
