"""Leads REST API; each module registers its viewsets on the project's one router."""

from rest_framework.routers import SimpleRouter

from leads.api import attendance, calendars, handoffs, leads, registrations, routing, sla_policies


def register(router: SimpleRouter) -> None:
    leads.register(router)
    calendars.register(router)
    routing.register(router)
    handoffs.register(router)
    registrations.register(router)
    attendance.register(router)
    sla_policies.register(router)
