"""Bulk upserts for the CRM sync: POST /api/v1/bulk/accounts/, /bulk/opportunities/ and
/bulk/account-mappings/ take {"rows": [...]} and answer with what each row did (the shared base,
its numbering of rows from 1 and its report: partnerhub.tenancy.api.bulk).

Rows are keyed on the CRM's ids (see accounts.services.upserts), so sending the same payload twice
changes nothing the second time; an `Idempotency-Key` additionally replays the first answer.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from accounts import services
from accounts.models import AccountMapping
from accounts.rows import AccountRow, MappingRow, OpportunityRow
from partnerhub.tenancy.api.bulk import (
    MAX_BULK_ROWS,
    BulkRowsSerializer,
    BulkUpsertViewSet,
    UpsertReportSerializer,
)
from partnerhub.tenancy.api.fields import IdField, TenantRelatedField
from partnerhub.tenancy.filters import tenant_partners


class MappingRowsSerializer(BulkRowsSerializer):
    partner = TenantRelatedField(
        queryset_for=tenant_partners, help_text="Id of the partner these accounts are mapped to."
    )


# Documentation of the request bodies: the envelope with the row fields spelled out.
class AccountBulkRequestSerializer(serializers.Serializer):
    rows = AccountRow(
        many=True, help_text=f"At most {MAX_BULK_ROWS} accounts, keyed by external_id, else domain."
    )


class OpportunityBulkRequestSerializer(serializers.Serializer):
    rows = OpportunityRow(
        many=True, help_text=f"At most {MAX_BULK_ROWS} opportunities, keyed by external_id."
    )


class MappingBulkRequestSerializer(serializers.Serializer):
    partner = IdField(help_text="Id of the partner these accounts are mapped to.")
    rows = MappingRow(
        many=True, help_text=f"At most {MAX_BULK_ROWS} accounts of the partner, matched by domain."
    )


@extend_schema_view(
    create=extend_schema(
        summary="Create or update accounts by CRM id (else domain)",
        request=AccountBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
    )
)
class AccountBulkViewSet(BulkUpsertViewSet):
    permission_write = "account.change"

    def upsert(self, data, rows):
        return services.accounts_upsert(tenant=self.request.tenant, actor=self.request.user, rows=rows)


@extend_schema_view(
    create=extend_schema(
        summary="Create or update opportunities by CRM id; stage changes go to the stage history",
        request=OpportunityBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
    )
)
class OpportunityBulkViewSet(BulkUpsertViewSet):
    permission_write = "account.change"

    def upsert(self, data, rows):
        return services.opportunities_upsert(tenant=self.request.tenant, actor=self.request.user, rows=rows)


@extend_schema_view(
    create=extend_schema(
        summary="Map target accounts (matched by domain) to a partner",
        request=MappingBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
    )
)
class MappingBulkViewSet(BulkUpsertViewSet):
    """A partner's account mapping, sent by the vendor's staff or keys."""

    serializer_class = MappingRowsSerializer
    permission_write = "mapping.change"

    def upsert(self, data, rows):
        return services.mappings_upsert(
            tenant=self.request.tenant,
            actor=self.request.user,
            partner=data["partner"],
            rows=rows,
            source=AccountMapping.Source.API,
        )


def register(router: SimpleRouter) -> None:
    router.register("bulk/accounts", AccountBulkViewSet, basename="bulk-accounts")
    router.register("bulk/opportunities", OpportunityBulkViewSet, basename="bulk-opportunities")
    router.register("bulk/account-mappings", MappingBulkViewSet, basename="bulk-account-mappings")
