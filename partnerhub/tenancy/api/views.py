from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from partnerhub.tenancy import selectors, services
from partnerhub.tenancy.api.serializers import (
    MembershipSerializer,
    PartnerSerializer,
    VerticalSerializer,
    WhoAmISerializer,
)
from partnerhub.tenancy.api.viewsets import TenantAPIView, TenantModelViewSet, TenantReadOnlyViewSet
from partnerhub.tenancy.filters import MembershipFilter, PartnerFilter


class PartnerViewSet(TenantModelViewSet):
    """Partner companies. Staff read and (by role) write; partner users read their own company."""

    queryset_selector = selectors.partner_list
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    permission_read = None
    permission_write = "partner.change"

    def perform_create(self, serializer):
        partner = services.partner_create(
            tenant=self.request.tenant, actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(id=partner.id)

    def perform_update(self, serializer):
        partner = services.partner_update(
            tenant=self.request.tenant,
            actor=self.request.user,
            partner_id=serializer.instance.id,
            **serializer.validated_data,
        )
        serializer.instance = self.get_queryset().get(id=partner.id)

    def perform_destroy(self, instance):
        services.partner_delete(tenant=self.request.tenant, actor=self.request.user, partner_id=instance.id)


class MembershipViewSet(TenantReadOnlyViewSet):
    """Who works in the tenant, with which role. Partner users see their own company's people."""

    queryset_selector = selectors.membership_list
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter


class VerticalViewSet(TenantReadOnlyViewSet):
    """The tenant's verticals in their order, archived ones included: the values an account's
    industry, a partner's verticals and a plan's vertical market take. Staff read; the list is
    kept in the portal (Settings → Verticals)."""

    queryset_selector = selectors.vertical_list
    serializer_class = VerticalSerializer
    permission_read = "vertical.view"


class WhoAmIView(TenantAPIView):
    """Check a key or session: which tenant it acts in, as whom, with which scopes."""

    @extend_schema(responses=WhoAmISerializer)
    def get(self, request):
        api_key = request.api_key
        data = {
            "tenant": request.tenant.slug,
            "tenant_name": request.tenant.name,
            "principal": api_key.name if api_key else request.user.email,
            "role": request.user.role if api_key else request.membership.role,
            "scopes": api_key.scopes if api_key else [],
            "partner": request.membership.partner_id if request.membership is not None else None,
        }
        return Response(WhoAmISerializer(data).data)
