"""Reporting REST API; each module registers its viewsets on the project's one router."""

from rest_framework.routers import SimpleRouter


def register(router: SimpleRouter) -> None:
    pass
