"""/api/v1/account-claims/: a partner's own list of the companies it works with, as it named them.

Partner users (and only they) add and remove theirs; staff read every partner's. An answer never
says whether a claim matched one of the vendor's target accounts (see accounts/services/claims.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.routers import SimpleRouter

from accounts.filters import ClaimFilter
from accounts.models import AccountClaim
from accounts.selectors import accounts as selectors
from accounts.services import claims as services
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, TenantViewSetMixin


class AccountClaimSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True, help_text="Id of the partner.")
    domain = serializers.CharField(
        max_length=253, help_text="The company's web domain (a URL or an email address at it works too)."
    )

    class Meta:
        model = AccountClaim
        fields = ["id", "partner", "domain", "company_name", "relationship", "notes", "created_at"]
        read_only_fields = ["id", "partner", "created_at"]


@extend_schema(tags=["account-claims"])
class AccountClaimViewSet(
    IdempotentCreateMixin,
    TenantViewSetMixin,
    viewsets.mixins.CreateModelMixin,
    viewsets.mixins.ListModelMixin,
    viewsets.mixins.RetrieveModelMixin,
    viewsets.mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The companies partners say they work with. A partner user lists, adds and removes its own."""

    queryset_selector = selectors.claim_list
    serializer_class = AccountClaimSerializer
    filterset_class = ClaimFilter
    permission_read = "claim.view"
    permission_write = "claim.change"

    def _partner_only(self):
        membership = getattr(self.request, "membership", None)
        if membership is None or not membership.is_partner_role:
            raise PermissionDenied(
                "A partner's list is its own: staff map accounts at /api/v1/account-mappings/."
            )
        return membership

    def perform_create(self, serializer):
        membership = self._partner_only()
        claim = services.claim_create(
            tenant=self.request.tenant,
            actor=self.request.user,
            partner=membership.partner,
            **serializer.validated_data,
        )
        serializer.instance = claim

    def perform_destroy(self, instance):
        self._partner_only()
        services.claim_delete(tenant=self.request.tenant, actor=self.request.user, claim_id=instance.id)


def register(router: SimpleRouter) -> None:
    router.register("account-claims", AccountClaimViewSet, basename="account-claim")
