"""Reporting pages, mounted under /t/<tenant_slug>/."""

from reporting.views import attribution, fx, method, scorecards, settings

app_name = "reporting"

urlpatterns = [
    *scorecards.urlpatterns,
    *fx.urlpatterns,
    *attribution.urlpatterns,
    *settings.urlpatterns,
    *method.urlpatterns,
]
