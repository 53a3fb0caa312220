"""Leads REST API; each module registers its viewsets on the project's one router."""

from rest_framework.routers import SimpleRouter

from leads.api import attendance, calendars, leads


def register(router: SimpleRouter) -> None:
    leads.register(router)
    calendars.register(router)
    attendance.register(router)
