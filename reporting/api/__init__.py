"""Reporting REST API; each module registers its viewsets on the project's one router."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from reporting.api import attribution, checkpoints, fx, review, scorecards, series, settings


def register(router: SimpleRouter) -> None:
    checkpoints.register(router)
    fx.register(router)


# Endpoints that are not collections, mounted under /api/v1/.
urlpatterns = [
    path("reporting/scorecards/", scorecards.ScorecardView.as_view(), name="api_reporting_scorecards"),
    path("reporting/attribution/", attribution.AttributionView.as_view(), name="api_reporting_attribution"),
    path("reporting/settings/", settings.ReportingSettingsView.as_view(), name="api_reporting_settings"),
    path("reporting/series/", series.SeriesView.as_view(), name="api_reporting_series"),
    path(
        "reporting/partners/<int:partner_id>/review/",
        review.PartnerReviewAPIView.as_view(),
        name="api_reporting_partner_review",
    ),
]
