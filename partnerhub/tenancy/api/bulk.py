"""The base of every bulk endpoint (accounts, opportunities and mappings now; leads next): POST
{"rows": [...]} upserts each row on its own and answers 200 with what each did. A bad row does not
fail the call: the report lists it by number and field, and the good rows are written. A body that
is not {"rows": [objects]} is a 400.

Rows are numbered from 1, the first of `rows` being row 1: as a person counts them, and as a CSV
import reports the lines of its file (its header is line 1). Only a 400's field path (`rows[0]`)
is a JSON index, counted from 0 like every path of the API's field errors."""

from collections.abc import Mapping, Sequence
from typing import Protocol

from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, TenantViewSetMixin

MAX_BULK_ROWS = 1000
FIRST_ROW = 1


class BulkReport(Protocol):
    def as_dict(self) -> dict: ...


class UpsertRejectionSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        min_value=FIRST_ROW,
        help_text="The row's number, counting from 1: the first of `rows` is row 1 (a 400's field path "
        "names that row `rows[0]`, a JSON index).",
    )
    column = serializers.CharField(
        help_text="The field at fault, or where the call named a saved `mapping` the CRM's column at "
        "fault, as the row wrote it; empty when the row as a whole is at fault."
    )
    field = serializers.CharField(
        required=False,
        help_text="Only where the call named a saved `mapping`: the PartnerHub field at fault (the field "
        "itself is in `column` when no column of the mapping goes to it).",
    )
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


NumberedRow = tuple[int, Mapping]


def numbered_rows(rows: Sequence[Mapping]) -> list[NumberedRow]:
    """Each row with its number, the first being FIRST_ROW."""
    return list(enumerate(rows, FIRST_ROW))


class _UpsertRows:
    """The work of a bulk call: check the envelope, upsert the numbered rows, answer with the report.
    Below IdempotentCreateMixin in the MRO, so a retried key replays instead of running it again."""

    def upsert(self, data: dict, rows: list[NumberedRow]) -> BulkReport:
        """Upsert `rows` (numbered) with the rest of the envelope's `data`; return the report."""
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        envelope = self.get_serializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        data = envelope.validated_data
        report = self.upsert(data, numbered_rows(data["rows"]))
        return Response(UpsertReportSerializer(report.as_dict()).data, status=status.HTTP_200_OK)


class BulkUpsertViewSet(IdempotentCreateMixin, _UpsertRows, TenantViewSetMixin, viewsets.GenericViewSet):
    """Creates or updates each row by the CRM's keys, and answers 200 with what each row did: a bad
    row is listed in `rejected` (numbered from 1, by field) and the other rows are written."""

    serializer_class = BulkRowsSerializer
    filter_backends = []
    pagination_class = None
