"""Leads pages, mounted under /t/<tenant_slug>/."""

from leads.views import calendars

app_name = "leads"

urlpatterns = [
    *calendars.urlpatterns,
]
