"""SLA policies: /api/v1/sla-policies/ (list, read, create, change, delete). Staff and the vendor's
keys read them; tenant admins and partner managers change them, signed in: API keys act with the
revops role, which may not. Writes go through leads.services.sla_policies."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from leads.filters import tenant_programs
from leads.filters_sla_policies import SlaPolicyFilter
from leads.models import SlaPolicy, SlaScope
from leads.selectors.sla_policies import sla_policy_list
from leads.services import sla_policies as services
from partnerhub.tenancy.api.fields import DateTimeField, TenantRelatedField
from partnerhub.tenancy.api.viewsets import TenantModelViewSet
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import can
from partnerhub.tenancy.selectors import partner_choices

CHANGE = "sla_policy.change"
KEY_REFUSED = (
    "API keys act with the revops role, which cannot change SLA policies: a tenant admin or a partner "
    "manager changes them, in the portal or signed in."
)
SCOPE_RULES = (
    "A policy has one scope at most: `tier`, `partner` or `program` (none of them: the tenant's "
    "default), and a scope one policy; a second scope or a taken one is a 400 on the field."
)
APPLIES = "A change applies to the clocks that start after it; deadlines already stored stay."


class TierField(serializers.ChoiceField):
    """A tier, or null for none (stored as the empty tier)."""

    def to_representation(self, value):
        return super().to_representation(value) if value else None

    def to_internal_value(self, data):
        return super().to_internal_value(data) if data is not None else ""


class SlaPolicySerializer(serializers.ModelSerializer):
    scope = serializers.ChoiceField(
        choices=SlaScope.choices, read_only=True, help_text="What the policy applies to, from its fields."
    )
    scope_label = serializers.CharField(
        read_only=True, help_text="The scope as the settings page shows it: “Partner Contoso”."
    )
    tier = TierField(
        choices=Partner.Tier.choices,
        required=False,
        allow_null=True,
        help_text="The partners of this tier; null with no partner and no program: the tenant's default.",
    )
    partner = TenantRelatedField(
        queryset_for=lambda request: partner_choices(tenant=request.tenant),
        required=False,
        allow_null=True,
        help_text="This partner's handoffs, whatever its tier.",
    )
    program = TenantRelatedField(
        queryset_for=tenant_programs,
        required=False,
        allow_null=True,
        help_text="The handoffs of the leads that came through this program, whichever partner has them.",
    )
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "scope",
            "scope_label",
            "tier",
            "partner",
            "program",
            *services.NUMBER_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id"]


@extend_schema_view(
    create=extend_schema(description=f"{SCOPE_RULES} Numbers not given take the built-in defaults."),
    update=extend_schema(description=f"{SCOPE_RULES} {APPLIES}"),
    partial_update=extend_schema(description=f"{SCOPE_RULES} {APPLIES}"),
    destroy=extend_schema(
        description="The scope then runs on the next wider policy. The tenant's default is kept (a 400 "
        "saying so) while tier, partner or program policies exist."
    ),
)
class SlaPolicyViewSet(TenantModelViewSet):
    """The tenant's default SLA policy and the own policies of a tier, a partner or a program
    (docs/leads.md, "SLA policies"): a program's wins over a partner's, a partner's over its tier's,
    a tier's over the default."""

    queryset_selector = sla_policy_list
    serializer_class = SlaPolicySerializer
    filterset_class = SlaPolicyFilter
    permission_read = "sla_policy.view"
    permission_write = CHANGE

    def may_change(self) -> None:
        """A key passes the permission on its scopes; the change is judged on the role it acts with
        (a 403 with the reason), once its input has been read like any other caller's."""
        if getattr(self.request, "api_key", None) is not None and not can(self.request.user.role, CHANGE):
            raise PermissionDenied(KEY_REFUSED)

    def _who(self) -> dict:
        return {"tenant": self.request.tenant, "actor": self.request.user}

    def perform_create(self, serializer):
        self.may_change()
        policy = services.sla_policy_create(**self._who(), **serializer.validated_data)
        serializer.instance = self.get_queryset().get(id=policy.id)

    def perform_update(self, serializer):
        self.may_change()
        policy_id = serializer.instance.id
        services.sla_policy_update(**self._who(), sla_policy_id=policy_id, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(id=policy_id)

    def perform_destroy(self, instance):
        self.may_change()
        services.sla_policy_delete(**self._who(), sla_policy_id=instance.id)


def register(router) -> None:
    router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")
