"""Reporting pages, mounted under /t/<tenant_slug>/."""

from reporting.views import attribution, dashboards, fx, ledger, method, review, scorecards, settings

app_name = "reporting"

urlpatterns = [
    *scorecards.urlpatterns,
    *dashboards.urlpatterns,
    *fx.urlpatterns,
    *attribution.urlpatterns,
    *settings.urlpatterns,
    *method.urlpatterns,
    *review.urlpatterns,
    *ledger.urlpatterns,
]
