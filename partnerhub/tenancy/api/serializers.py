from rest_framework import serializers

from partnerhub.tenancy.api.fields import TenantEmailRelatedField, VerticalField
from partnerhub.tenancy.models import Membership, Partner, TenantVertical
from partnerhub.tenancy.selectors import staff_users
from partnerhub.tenancy.services import PARTNER_FIELDS
from partnerhub.tenancy.taxonomy import Region


class PartnerSerializer(serializers.ModelSerializer):
    verticals = serializers.ListField(
        child=VerticalField(),
        required=False,
        help_text="Verticals the partner has depth in, by value (GET /api/v1/verticals/ lists them).",
    )
    regions = serializers.ListField(child=serializers.ChoiceField(choices=Region.choices), required=False)
    certifications = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )
    account_manager = TenantEmailRelatedField(
        queryset_for=lambda request: staff_users(tenant=request.tenant),
        required=False,
        allow_null=True,
        help_text="Email of the vendor staff member who owns the relationship.",
    )
    user_count = serializers.IntegerField(read_only=True, help_text="People who log in for this partner.")

    @staticmethod
    def _unique(values: list) -> list:
        """The same value twice is a typo, not a second vertical: keep the first of each."""
        return list(dict.fromkeys(values))

    def validate_verticals(self, values):
        return self._unique(values)

    def validate_regions(self, values):
        return self._unique(values)

    def validate_certifications(self, values):
        return self._unique(values)  # the CharField child has trimmed them already

    class Meta:
        model = Partner
        fields = ["id", *PARTNER_FIELDS, "user_count", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class VerticalSerializer(serializers.ModelSerializer):
    archived = serializers.BooleanField(
        source="is_archived", read_only=True, help_text="Archived: refused for new input; rows keep it."
    )

    class Meta:
        model = TenantVertical
        fields = ["id", "value", "label", "position", "archived", "archived_at"]
        read_only_fields = fields
        extra_kwargs = {
            "value": {"help_text": "What accounts' industry, partners' verticals and plans' markets hold."},
            "label": {"help_text": "What people read; the tenant may rename it, the value stays."},
        }


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "partner", "partner_name", "created_at"]
        read_only_fields = fields


class WhoAmISerializer(serializers.Serializer):
    tenant = serializers.CharField(help_text="Slug of the tenant the request acts in.")
    tenant_name = serializers.CharField()
    principal = serializers.CharField(help_text="The user's email, or the API key's name.")
    role = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField(), help_text="Scopes of the API key, if any.")
    partner = serializers.IntegerField(
        allow_null=True,
        help_text="The partner company the caller acts for (a partner's user or partner key: it reaches "
        "only that partner's rows); null: the vendor's staff or key.",
    )
