"""Reporting pages, mounted under /t/<tenant_slug>/."""

from reporting.views import method, scorecards

app_name = "reporting"

urlpatterns = [
    *scorecards.urlpatterns,
    *method.urlpatterns,
]
