"""Event attendance in the API: /api/v1/attendance/ lists a tenant's attendee lists (filtered by
program, status, account) and takes a program's attendee rows in bulk (POST, Idempotency-Key
honoured): each row reported, the good ones kept, a re-sent list unchanged. Staff and the vendor's
keys only, like the leads the rows are. Writes go through leads.services.attendance."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from leads import services
from leads.filters import tenant_programs
from leads.filters_attendance import AttendanceFilter
from leads.import_rows import AttendanceRow
from leads.models import Attendance
from leads.selectors import attendance_list
from partnerhub.tenancy.api.bulk import MAX_BULK_ROWS, UpsertReportSerializer, numbered_rows
from partnerhub.tenancy.api.fields import DateTimeField, IdField, TenantRelatedField
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, TenantReadOnlyViewSet


class AttendanceSerializer(serializers.ModelSerializer):
    program_tracking_code = serializers.CharField(source="program.tracking_code", read_only=True)
    email = serializers.EmailField(source="lead.email", read_only=True)
    name = serializers.CharField(source="lead.full_name", read_only=True)
    company_name = serializers.CharField(source="lead.company_name", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True, allow_null=True)
    registered_at = DateTimeField(read_only=True, allow_null=True)
    attended_at = DateTimeField(read_only=True, allow_null=True)
    no_show_at = DateTimeField(read_only=True, allow_null=True)
    status_changed_at = DateTimeField(read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "program",
            "program_tracking_code",
            "lead",
            "email",
            "name",
            "company_name",
            "account",
            "account_name",
            "status",
            "registered_at",
            "attended_at",
            "no_show_at",
            "status_changed_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "program": {"help_text": "Id of the program whose attendee list this is."},
            "lead": {"help_text": "Id of the person's lead."},
            "account": {"help_text": "Id of the target account the lead matched, if any."},
        }


PROGRAM_HELP = "Id of the program whose attendee list the rows are."


class AttendanceBulkSerializer(serializers.Serializer):
    """The envelope as it is checked: rows are judged one by one, so a bad row is reported, not a 400."""

    program = TenantRelatedField(queryset_for=tenant_programs, help_text=PROGRAM_HELP)
    rows = serializers.ListField(
        child=serializers.DictField(),
        max_length=MAX_BULK_ROWS,
        error_messages={"max_length": f"Send at most {MAX_BULK_ROWS} rows per call; split larger lists."},
    )


class AttendanceBulkRequestSerializer(serializers.Serializer):
    """What the bulk call documents."""

    program = IdField(help_text=PROGRAM_HELP)
    rows = AttendanceRow(
        many=True,
        max_length=MAX_BULK_ROWS,
        help_text=f"At most {MAX_BULK_ROWS} people, each keyed on their email.",
    )


class _AttendanceRows:
    """POST on the collection: a program's rows, each recorded on its own. Below
    IdempotentCreateMixin in the MRO, so a retried key replays instead of running it again."""

    def create(self, request, *args, **kwargs):
        envelope = AttendanceBulkSerializer(data=request.data, context=self.get_serializer_context())
        envelope.is_valid(raise_exception=True)
        data = envelope.validated_data
        report = services.attendances_record(
            tenant=request.tenant,
            actor=request.user,
            program_id=data["program"].id,
            rows=numbered_rows(data["rows"]),
        )
        return Response(UpsertReportSerializer(report.as_dict()).data, status=status.HTTP_200_OK)


@extend_schema_view(
    create=extend_schema(
        summary="Record a program's attendee rows: each person registered, attended or no-show",
        description="Each row finds or creates the person's lead (by email) and records their status on "
        "the program's list; the status only moves forward (registered → attended or no-show, no-show → "
        "attended). Each row is reported: `created`, `updated` (a status moved or a time filled), "
        "`unchanged` (a re-sent row) or `rejected` by row number (from 1) and field; the good rows are "
        "written. `Idempotency-Key` replays a retry.",
        request=AttendanceBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
    )
)
class AttendanceViewSet(IdempotentCreateMixin, _AttendanceRows, TenantReadOnlyViewSet):
    """Attendee lists: one row per person per program, with its status and matched target account."""

    queryset_selector = attendance_list
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilter
    permission_read = "lead.view"
    permission_write = "lead.change"


def register(router: SimpleRouter) -> None:
    router.register("attendance", AttendanceViewSet, basename="attendance")
