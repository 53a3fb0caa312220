"""The tenant's saved import mappings, read-only: GET /api/v1/import-mappings/ (`?kind=`), so that a
sync script can find the names the bulk endpoints take as `mapping` (accounts.api.bulk). Staff and
API keys only: a mapping is the vendor's, like the accounts it imports."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from accounts.filters_imports import ImportMappingFilter
from accounts.importing.options import DATE_ORDER_LABELS, DECIMAL_MARK_LABELS, ReadOptions
from accounts.models import ImportMapping
from accounts.selectors.imports import import_mapping_list
from partnerhub.tenancy.api.fields import DateTimeField
from partnerhub.tenancy.api.viewsets import TenantReadOnlyViewSet


class ReadOptionsSerializer(serializers.Serializer):
    """How the mapping reads the values of its columns, as the import's mapping step chose."""

    date_order = serializers.ChoiceField(
        choices=list(DATE_ORDER_LABELS.items()), help_text="How a date such as 03/04/2026 is read."
    )
    decimal_mark = serializers.ChoiceField(
        choices=list(DECIMAL_MARK_LABELS.items()), help_text="The mark between an amount's units and cents."
    )
    currency = serializers.CharField(
        allow_blank=True,
        help_text="The currency of an amount written without one; empty: the tenant's default currency.",
    )
    replace_external_ids = serializers.BooleanField(
        help_text="Whether an account found by domain whose CRM id differs takes the row's id (else the "
        "row is rejected)."
    )


class ImportMappingSerializer(serializers.ModelSerializer):
    columns = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        read_only=True,
        help_text='{the CRM\'s column name: the PartnerHub field it fills, or "" when it is ignored}.',
    )
    options = serializers.SerializerMethodField()
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = ImportMapping
        fields = ["id", "name", "kind", "columns", "options", "updated_at"]
        read_only_fields = fields
        extra_kwargs = {
            "name": {"help_text": "What the bulk endpoints take as `mapping` (in any case)."},
            "kind": {
                "help_text": "What it maps: a registered import kind, e.g. accounts, opportunities, "
                "mappings (a partner's account mapping), leads or attendance."
            },
        }

    @extend_schema_field(ReadOptionsSerializer)
    def get_options(self, mapping: ImportMapping) -> dict:
        return ReadOptions.from_dict(mapping.options).as_dict()


class ImportMappingViewSet(TenantReadOnlyViewSet):
    """The column mappings saved in the portal's import mapping step, by kind and name."""

    queryset_selector = import_mapping_list
    serializer_class = ImportMappingSerializer
    filterset_class = ImportMappingFilter
    permission_read = "account.view"


def register(router: SimpleRouter) -> None:
    router.register("import-mappings", ImportMappingViewSet, basename="import-mapping")
