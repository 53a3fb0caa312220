"""Leads pages, mounted under /t/<tenant_slug>/."""

from leads.views import calendars, leads, routing

app_name = "leads"

urlpatterns = [*leads.urlpatterns, *calendars.urlpatterns, *routing.urlpatterns]
