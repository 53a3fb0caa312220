"""Bulk upserts for the CRM sync: POST /api/v1/bulk/accounts/, /bulk/opportunities/ and
/bulk/account-mappings/ take {"rows": [...]} and answer with what each row did.

Rows are keyed on the CRM's ids (see accounts.services.upserts), so sending the same payload twice
changes nothing the second time; an `Idempotency-Key` additionally replays the first answer. A bad
row does not fail the call: the answer (200) lists it by index and field and the good rows are
written. A body that is not {"rows": [objects]} is a 400.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts import services
from accounts.models import AccountMapping
from accounts.rows import AccountRow, MappingRow, OpportunityRow
from accounts.services.upserts import UpsertReport, numbered
from partnerhub.tenancy.api.fields import IdField, TenantRelatedField
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, TenantViewSetMixin
from partnerhub.tenancy.filters import tenant_partners

MAX_BULK_ROWS = 1000


class UpsertRejectionSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Index of the row in `rows` (0 is the first).")
    column = serializers.CharField(help_text="The field at fault; empty when the row as a whole is.")
    reason = serializers.CharField()


class UpsertReportSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Rows that created a record.")
    updated = serializers.IntegerField(help_text="Rows that changed a record.")
    unchanged = serializers.IntegerField(help_text="Rows equal to what is stored: nothing was written.")
    rejected = UpsertRejectionSerializer(
        many=True, help_text="Each problem of each rejected row (a row with two bad fields is listed twice)."
    )


class BulkRowsSerializer(serializers.Serializer):
    """The envelope: rows are validated one by one by the upsert, so a bad row is reported, not a 400."""

    rows = serializers.ListField(
        child=serializers.DictField(),
        max_length=MAX_BULK_ROWS,
        error_messages={"max_length": f"Send at most {MAX_BULK_ROWS} rows per call; split larger syncs."},
    )


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


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A retry with the same key and body gets the first answer again.",
)


class _UpsertRows:
    """The work of a bulk call: check the envelope, upsert the rows, answer with the report. Below
    IdempotentCreateMixin in the MRO, so a retried key replays instead of running it again."""

    def upsert(self, data: dict) -> UpsertReport:
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        envelope = self.get_serializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        report = self.upsert(envelope.validated_data)
        return Response(UpsertReportSerializer(report.as_dict()).data, status=status.HTTP_200_OK)


class BulkUpsertViewSet(IdempotentCreateMixin, _UpsertRows, TenantViewSetMixin, viewsets.GenericViewSet):
    serializer_class = BulkRowsSerializer
    filter_backends = []
    pagination_class = None
    permission_write = "account.change"


@extend_schema_view(
    create=extend_schema(
        summary="Create or update accounts by CRM id (else domain)",
        request=AccountBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
)
class AccountBulkViewSet(BulkUpsertViewSet):
    def upsert(self, data):
        return services.accounts_upsert(
            tenant=self.request.tenant, actor=self.request.user, rows=numbered(data["rows"])
        )


@extend_schema_view(
    create=extend_schema(
        summary="Create or update opportunities by CRM id; stage changes go to the stage history",
        request=OpportunityBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
)
class OpportunityBulkViewSet(BulkUpsertViewSet):
    def upsert(self, data):
        return services.opportunities_upsert(
            tenant=self.request.tenant, actor=self.request.user, rows=numbered(data["rows"])
        )


@extend_schema_view(
    create=extend_schema(
        summary="Map target accounts (matched by domain) to a partner",
        request=MappingBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
)
class MappingBulkViewSet(BulkUpsertViewSet):
    """A partner's account mapping, sent by the vendor's staff or keys."""

    serializer_class = MappingRowsSerializer
    permission_write = "mapping.change"

    def upsert(self, data):
        return services.mappings_upsert(
            tenant=self.request.tenant,
            actor=self.request.user,
            partner=data["partner"],
            rows=numbered(data["rows"]),
            source=AccountMapping.Source.API,
        )


def register(router: SimpleRouter) -> None:
    router.register("bulk/accounts", AccountBulkViewSet, basename="bulk-accounts")
    router.register("bulk/opportunities", OpportunityBulkViewSet, basename="bulk-opportunities")
    router.register("bulk/account-mappings", MappingBulkViewSet, basename="bulk-account-mappings")
