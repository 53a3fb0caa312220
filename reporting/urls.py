"""Reporting pages, mounted under /t/<tenant_slug>/."""

from reporting.views import ledger, review, scorecards

app_name = "reporting"

urlpatterns = [
    *scorecards.urlpatterns,
    *review.urlpatterns,
    *ledger.urlpatterns,
]
