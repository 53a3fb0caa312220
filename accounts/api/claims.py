"""/api/v1/account-claims/: a partner's own list of the companies it works with, as it named them.

Partner users (and only they: the service refuses staff and API keys) add and remove theirs; staff
read every partner's. An answer never
says whether a claim matched one of the vendor's target accounts (see accounts/services/claims.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
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

    def perform_create(self, serializer):
        serializer.instance = services.claim_create(
            tenant=self.request.tenant, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.claim_delete(tenant=self.request.tenant, actor=self.request.user, claim_id=instance.id)


def register(router: SimpleRouter) -> None:
    router.register("account-claims", AccountClaimViewSet, basename="account-claim")
