"""Leads in the API: /api/v1/leads/ (list, retrieve, intake, the stage action, a lead's touches) and
/api/v1/bulk/leads/ (bulk intake). Staff and the vendor's keys only: partners will see the leads
handed off to them, through their handoffs. Writes go through leads.services."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.routers import SimpleRouter

from leads import services
from leads.filters import LeadFilter
from leads.models import Lead, LeadSource, LeadStage, Touch
from leads.rows import LeadRow
from leads.selectors import lead_list, lead_touches
from partnerhub.tenancy.api.bulk import MAX_BULK_ROWS, BulkUpsertViewSet, UpsertReportSerializer
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, ServiceActionsMixin, TenantReadOnlyViewSet


class ScoreReasonSerializer(serializers.Serializer):
    """One rule's contribution to the score: a touch kind's points, or a criterion met or not."""

    rule = serializers.CharField(
        help_text="`rules` (whose rules scored it), `points:<touch kind>`, or a criterion: `score`, "
        "`actions`, `required_actions`, `title`, `account`, `industry`, `region`."
    )
    points = serializers.IntegerField(required=False, help_text="The points of a touch kind.")
    met = serializers.BooleanField(required=False, help_text="Whether a criterion holds.")
    why = serializers.CharField(help_text="In words, e.g. “Score 40, 60 needed.”")


class LeadSerializer(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True, allow_null=True)
    program_tracking_code = serializers.CharField(
        source="program.tracking_code", read_only=True, allow_null=True
    )
    score_reasons = ScoreReasonSerializer(
        many=True,
        read_only=True,
        help_text="Each rule's contribution: why the lead is ready, or what is missing.",
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            *services.LEAD_FIELDS,
            "account_name",
            "program_tracking_code",
            "stage_changed_at",
            "score",
            "action_score",
            "ready",
            "ready_at",
            "score_reasons",
            "scored_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "account": {"help_text": "Id of the target account its company domain matched."},
            "program": {"help_text": "Id of the program it first came through."},
        }


class LeadIntakeSerializer(LeadRow):
    """One arrival: a new email creates a lead (201), a known one merges into its lead (200)."""


class StageInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=LeadStage.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=Lead._meta.get_field("disqualified_reason").max_length,
        help_text="Why the lead is disqualified: required when `stage` is disqualified.",
    )


class TouchSerializer(serializers.ModelSerializer):
    program_tracking_code = serializers.CharField(
        source="program.tracking_code", read_only=True, allow_null=True
    )
    details = serializers.DictField(
        read_only=True,
        help_text="A few facts of the touch; `not_applied` lists values the arrival sent that differ from "
        "the lead's and were not applied.",
    )

    class Meta:
        model = Touch
        fields = [
            "id",
            "kind",
            "occurred_at",
            "program",
            "program_tracking_code",
            "source",
            "details",
            "created_at",
        ]
        read_only_fields = fields


class LeadIntakeCreateMixin:
    """POST on the collection is one arrival (under IdempotentCreateMixin in the MRO, which replays it)."""

    def create(self, request, *args, **kwargs):
        data = self.validated(LeadIntakeSerializer)
        intake = services.lead_intake(
            tenant=request.tenant, actor=request.user, data=data, source=data.get("source") or LeadSource.API
        )
        return self.detail_response(
            intake.lead.id, code=status.HTTP_201_CREATED if intake.created else status.HTTP_200_OK
        )


@extend_schema_view(
    create=extend_schema(
        summary="Take in a lead: a new email creates it, a known one merges into its lead as a touch",
        request=LeadIntakeSerializer,
        responses={
            201: OpenApiResponse(LeadSerializer, description="A new lead."),
            200: OpenApiResponse(
                LeadSerializer,
                description="The email (or CRM id) is a known lead's: the arrival merged into it, filling "
                "its empty fields and recording its touch; fields already set are kept.",
            ),
        },
    )
)
class LeadViewSet(IdempotentCreateMixin, LeadIntakeCreateMixin, ServiceActionsMixin, TenantReadOnlyViewSet):
    """Leads: one per email in the tenant. Staff read; lead editors and write keys take leads in and
    move their stage."""

    queryset_selector = lead_list
    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    permission_read = "lead.view"
    permission_write = "lead.change"

    @extend_schema(request=StageInputSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        """Move the lead's lifecycle stage (new → nurture → MQL → SQL → opportunity, or disqualified with
        a reason); a move the lifecycle does not allow is a 400 naming the stages it can move to."""
        data = self.validated(StageInputSerializer)
        lead = services.lead_stage_change(
            tenant=request.tenant,
            actor=request.user,
            lead_id=self.get_object().id,
            stage=data["stage"],
            reason=data.get("reason", ""),
        )
        return self.detail_response(lead.id)

    @extend_schema(responses=TouchSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def touches(self, request, pk=None):
        """The lead's touches, newest first: what the person engaged with, when, through which program."""
        page = self.paginate_queryset(lead_touches(tenant=request.tenant, lead=self.get_object()))
        return self.get_paginated_response(TouchSerializer(page, many=True).data)


class LeadBulkRequestSerializer(serializers.Serializer):
    """What the bulk intake documents; the envelope takes any objects and each row is judged alone."""

    rows = LeadRow(
        many=True,
        max_length=MAX_BULK_ROWS,
        help_text=f"At most {MAX_BULK_ROWS} arrivals, each keyed on its CRM id when a lead has it, else on "
        "its email.",
    )


@extend_schema_view(
    create=extend_schema(
        summary="Take in leads in bulk, keyed on CRM id or email; each row is reported",
        request=LeadBulkRequestSerializer,
        responses={200: UpsertReportSerializer},
    )
)
class LeadBulkViewSet(BulkUpsertViewSet):
    """Each row is one arrival, as POST /api/v1/leads/ takes it: created, merged (updated), or
    unchanged when it fills nothing and repeats a recorded touch."""

    permission_write = "lead.change"

    def upsert(self, data, rows):
        return services.leads_upsert(
            tenant=self.request.tenant, actor=self.request.user, rows=rows, source=LeadSource.API
        )


def register(router: SimpleRouter) -> None:
    router.register("bulk/leads", LeadBulkViewSet, basename="bulk-leads")
    router.register("leads", LeadViewSet, basename="lead")
