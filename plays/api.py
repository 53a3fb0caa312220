"""Plays REST API; viewsets are registered on the project's one router."""

from rest_framework.routers import SimpleRouter


def register(router: SimpleRouter) -> None:
    pass
