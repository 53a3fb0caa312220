"""A URL configuration with one deliberately broken API route, for the walker's meta tests
(tests/test_tenant_isolation.py): a handoff viewset that forgets the partner scope (and answers a
detail with the list's serializer, so the selector's own check of the partner does not save it)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from leads.api.handoffs import HandoffSerializer, HandoffViewSet
from leads.selectors import handoff_list


class LeakyHandoffViewSet(HandoffViewSet):
    detail_serializer_class = HandoffSerializer

    def get_queryset(self):
        return handoff_list(tenant=self.request.tenant)  # the bug: no scope_for, every partner's rows


router = SimpleRouter(use_regex_path=False)
router.register("leaky-handoffs", LeakyHandoffViewSet, basename="leaky-handoff")

urlpatterns = [path("api/v1/", include(router.urls))]
