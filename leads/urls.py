"""Leads pages, mounted under /t/<tenant_slug>/."""

from leads.views import calendars, handoffs, leads

app_name = "leads"

urlpatterns = [*leads.urlpatterns, *handoffs.urlpatterns, *calendars.urlpatterns]
