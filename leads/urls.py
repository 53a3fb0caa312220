"""Leads pages, mounted under /t/<tenant_slug>/."""

from leads.views import leads

app_name = "leads"

urlpatterns = [*leads.urlpatterns]
