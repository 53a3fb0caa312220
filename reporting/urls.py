"""Reporting pages, mounted under /t/<tenant_slug>/."""

from reporting.views import review, scorecards

app_name = "reporting"

urlpatterns = [
    *scorecards.urlpatterns,
    *review.urlpatterns,
]
