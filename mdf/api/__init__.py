"""MDF REST API; each module registers its viewsets on the project's one router."""

from rest_framework.routers import SimpleRouter

from mdf.api import claims, funds, proofs, requests, tranches


def register(router: SimpleRouter) -> None:
    funds.register(router)
    requests.register(router)
    proofs.register(router)
    claims.register(router)
    tranches.register(router)
