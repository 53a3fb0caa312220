"""Bulk upserts for the CRM sync: POST /api/v1/bulk/accounts/, /bulk/opportunities/ and
/bulk/account-mappings/ take {"rows": [...]} and answer with what each row did (the shared base,
its numbering of rows from 1 and its report: partnerhub.tenancy.api.bulk).

Rows are keyed on the CRM's ids (see accounts.services.upserts), so sending the same payload twice
changes nothing the second time; an `Idempotency-Key` additionally replays the first answer.

With `mapping` (the name of one of the tenant's saved import mappings of the endpoint's kind) beside
`rows`, each row is keyed by the CRM's own column names and read as an upload through that mapping
is (accounts.services.bulk_mapping); an unknown name is a 400 on `mapping` listing the tenant's.
"""

from typing import ClassVar

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from accounts import services
from accounts.importing.options import ReadOptions
from accounts.models import AccountMapping, ImportJob
from accounts.rows import AccountRow, MappingRow, NumberedRow, OpportunityRow, RowSerializer
from accounts.selectors.imports import import_mapping_list, import_mapping_named
from accounts.services.upserts import UpsertReport
from partnerhub.tenancy.api.bulk import (
    MAX_BULK_ROWS,
    BulkRowsSerializer,
    BulkUpsertViewSet,
    UpsertReportSerializer,
)
from partnerhub.tenancy.api.fields import IdField, TenantRelatedField
from partnerhub.tenancy.filters import tenant_partners

MAPPING_HELP = (
    "The name of a saved import mapping of this kind (any case; GET /api/v1/import-mappings/ lists "
    "them). With it, each row is keyed by the CRM's own column names, as its export writes them, and "
    "read through the mapping with its options (date order, decimal mark, default currency); a "
    "rejection's `column` is then the CRM's column and `field` the PartnerHub field."
)
# How many of the tenant's mapping names an unknown name's message lists.
LISTED_NAMES = 20


class MappedRowsSerializer(BulkRowsSerializer):
    """A bulk call's body: its `rows`, and the saved `mapping` they are keyed by, if any."""

    # The mapping is looked up among the tenant's of the view's `import_kind`.

    mapping = serializers.CharField(required=False, max_length=100, help_text=MAPPING_HELP)

    def validate_mapping(self, name: str):
        tenant, kind = self.context["request"].tenant, self.context["view"].import_kind
        saved = import_mapping_named(tenant=tenant, kind=kind, name=name)
        if saved is None:
            raise serializers.ValidationError(
                _unknown_mapping(kind, name, import_mapping_list(tenant=tenant, kind=kind))
            )
        return saved


def _unknown_mapping(kind: str, name: str, mappings) -> str:
    names = list(mappings.values_list("name", flat=True)[: LISTED_NAMES + 1])
    if not names:
        return (
            f"No saved mapping of kind “{kind}” is named “{name}”: this tenant has none of that kind yet "
            "(save one in an import's mapping step)."
        )
    listed = ", ".join(f"“{known}”" for known in names[:LISTED_NAMES])
    more = (
        f" and more (GET /api/v1/import-mappings/?kind={kind} lists them all)"
        if len(names) > LISTED_NAMES
        else ""
    )
    return f"No saved mapping of kind “{kind}” is named “{name}”. This tenant's are: {listed}{more}."


class MappingRowsSerializer(MappedRowsSerializer):
    partner = TenantRelatedField(
        queryset_for=tenant_partners, help_text="Id of the partner these accounts are mapped to."
    )


# --- Documentation of the request bodies: the envelope with the row fields spelled out -----------
# (`rows` as the schema states them; the envelopes above take any objects and the upserts judge each)


class BulkRowsField(serializers.ListField):
    """Documents `rows`: each row keyed by the fields of `row`, or by a saved mapping's CRM columns."""

    def __init__(self, row: type[RowSerializer], **kwargs):
        self.row = row
        super().__init__(child=serializers.DictField(), max_length=MAX_BULK_ROWS, **kwargs)


CRM_ROW = ResolvedComponent(
    name="CrmRow",
    type=ResolvedComponent.SCHEMA,
    object="CrmRow",
    schema={
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": "A row keyed by the CRM's own column names, each value as its export writes it "
        "(“Account Name”: “Acme”, “Amount”: “USD 45,000.00”): sent with `mapping`, the saved mapping "
        "that says which field each column fills. Keys it ignores or does not name are left out.",
    },
)


CRM_ROWS = ": each row with the fields named here, or with `mapping` keyed by the CRM's columns (CrmRow)"


class BulkRowsSchema(OpenApiSerializerFieldExtension):
    target_class = BulkRowsField

    def map_serializer_field(self, auto_schema, direction):
        row = auto_schema.resolve_serializer(self.target.row, direction)
        auto_schema.registry.register_on_missing(CRM_ROW)
        return {"type": "array", "items": {"anyOf": [row.ref, CRM_ROW.ref]}, "maxItems": MAX_BULK_ROWS}


class AccountBulkRequestSerializer(MappedRowsSerializer):
    rows = BulkRowsField(
        AccountRow,
        help_text=f"At most {MAX_BULK_ROWS} accounts, keyed by external_id, else domain{CRM_ROWS}.",
    )


class OpportunityBulkRequestSerializer(AccountBulkRequestSerializer):
    rows = BulkRowsField(
        OpportunityRow, help_text=f"At most {MAX_BULK_ROWS} opportunities, keyed by external_id{CRM_ROWS}."
    )


class MappingBulkRequestSerializer(AccountBulkRequestSerializer):
    partner = IdField(help_text="Id of the partner these accounts are mapped to.")
    rows = BulkRowsField(
        MappingRow, help_text=f"At most {MAX_BULK_ROWS} accounts of the partner, matched by domain{CRM_ROWS}."
    )


# --- Viewsets -----------------------------------------------------------------------------------


class MappedBulkViewSet(BulkUpsertViewSet):
    """A bulk endpoint whose rows may come keyed by a saved mapping of `import_kind`."""

    serializer_class = MappedRowsSerializer
    import_kind: ClassVar[str]

    def upsert_rows(self, data: dict, rows: list[NumberedRow], options: ReadOptions | None) -> UpsertReport:
        """Upsert rows keyed by field, read with `options` (None: the API's defaults)."""
        raise NotImplementedError

    def upsert(self, data, rows):
        saved = data.get("mapping")
        if saved is None:
            return self.upsert_rows(data, rows, None)
        return services.rows_upsert_through_mapping(
            saved=saved, rows=rows, upsert=lambda mapped, options: self.upsert_rows(data, mapped, options)
        )


@extend_schema_view(
    create=extend_schema(
        summary="Create or update accounts by CRM id (else domain)",
        request=AccountBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
    )
)
class AccountBulkViewSet(MappedBulkViewSet):
    permission_write = "account.change"
    import_kind = ImportJob.Kind.ACCOUNTS

    def upsert_rows(self, data, rows, options):
        return services.accounts_upsert(
            tenant=self.request.tenant, actor=self.request.user, rows=rows, options=options
        )


@extend_schema_view(
    create=extend_schema(
        summary="Create or update opportunities by CRM id; stage changes go to the stage history",
        request=OpportunityBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
    )
)
class OpportunityBulkViewSet(MappedBulkViewSet):
    permission_write = "account.change"
    import_kind = ImportJob.Kind.OPPORTUNITIES

    def upsert_rows(self, data, rows, options):
        return services.opportunities_upsert(
            tenant=self.request.tenant, actor=self.request.user, rows=rows, options=options
        )


@extend_schema_view(
    create=extend_schema(
        summary="Map target accounts (matched by domain) to a partner",
        request=MappingBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
    )
)
class MappingBulkViewSet(MappedBulkViewSet):
    """A partner's account mapping, sent by the vendor's staff or keys."""

    serializer_class = MappingRowsSerializer
    permission_write = "mapping.change"
    import_kind = ImportJob.Kind.MAPPINGS

    def upsert_rows(self, data, rows, options):
        return services.mappings_upsert(
            tenant=self.request.tenant,
            actor=self.request.user,
            partner=data["partner"],
            rows=rows,
            source=AccountMapping.Source.API,
            options=options,
        )


def register(router: SimpleRouter) -> None:
    router.register("bulk/accounts", AccountBulkViewSet, basename="bulk-accounts")
    router.register("bulk/opportunities", OpportunityBulkViewSet, basename="bulk-opportunities")
    router.register("bulk/account-mappings", MappingBulkViewSet, basename="bulk-account-mappings")
