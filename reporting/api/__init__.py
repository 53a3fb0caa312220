"""Reporting REST API; each module registers its viewsets on the project's one router."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from reporting.api import checkpoints, review, scorecards


def register(router: SimpleRouter) -> None:
    checkpoints.register(router)


# Endpoints that are not collections, mounted under /api/v1/.
urlpatterns = [
    path("reporting/scorecards/", scorecards.ScorecardView.as_view(), name="api_reporting_scorecards"),
    path(
        "reporting/partners/<int:partner_id>/review/",
        review.PartnerReviewAPIView.as_view(),
        name="api_reporting_partner_review",
    ),
]
