"""Reporting pages, mounted under /t/<tenant_slug>/."""

from reporting.views import dashboards, scorecards

app_name = "reporting"

urlpatterns = [
    *scorecards.urlpatterns,
    *dashboards.urlpatterns,
]
