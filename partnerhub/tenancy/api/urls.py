from rest_framework.routers import SimpleRouter

from partnerhub.tenancy.api.views import MembershipViewSet, PartnerViewSet


def register(router: SimpleRouter) -> None:
    router.register("partners", PartnerViewSet, basename="partner")
    router.register("memberships", MembershipViewSet, basename="membership")
