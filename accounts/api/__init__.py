"""Accounts REST API; each module registers its viewsets on the project's one router."""

from rest_framework.routers import SimpleRouter

from accounts.api import bulk, claims, crud, imports, plans, programs


def register(router: SimpleRouter) -> None:
    bulk.register(router)  # before crud: its fixed paths must not be read as object ids
    crud.register(router)
    claims.register(router)
    imports.register(router)
    plans.register(router)
    programs.register(router)
