"""Reporting pages, mounted under /t/<tenant_slug>/."""

from reporting.views import fx, scorecards

app_name = "reporting"

urlpatterns = [
    *scorecards.urlpatterns,
    *fx.urlpatterns,
]
