from rest_framework.routers import SimpleRouter

from partnerhub.tenancy.api.views import MembershipViewSet, PartnerViewSet, VerticalViewSet


def register(router: SimpleRouter) -> None:
    router.register("partners", PartnerViewSet, basename="partner")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("verticals", VerticalViewSet, basename="vertical")
