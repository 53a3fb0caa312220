"""Checkpoints in the API: /api/v1/reporting/checkpoints/ (read-only). Each one carries its frozen
snapshot (docs/reporting.md) and today's count of the same period ("live"); a partner user or key
sees its own plans' checkpoints only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from accounts.models import Checkpoint
from partnerhub.tenancy.api.fields import DateTimeField
from partnerhub.tenancy.api.viewsets import TenantReadOnlyViewSet
from reporting.filters_checkpoints import CheckpointFilter
from reporting.selectors.checkpoints import checkpoint_list, checkpoints_live


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    target = serializers.JSONField(help_text="The plan's target (a string amount for money); null: none set.")
    actual = serializers.JSONField(help_text="The count, or a string amount for money.")
    met = serializers.BooleanField(allow_null=True)
    gap = serializers.JSONField(help_text="How far short of the target (0 when met); null without a target.")
    currency = serializers.CharField(required=False, help_text="For money measures.")


class SnapshotSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    day = serializers.IntegerField()
    evaluated_at = serializers.DateTimeField()
    period = serializers.DictField(
        child=serializers.DateField(), help_text="`from` launch day, `to` due day."
    )
    measures = MeasureSerializer(many=True)
    met = serializers.BooleanField(
        allow_null=True, help_text="Every measure with a target met; null: no target."
    )


class CheckpointResultSerializer(serializers.ModelSerializer):
    plan_name = serializers.CharField(source="plan.__str__", read_only=True)
    partner = serializers.IntegerField(source="plan.partner_id", read_only=True, allow_null=True)
    state = serializers.SerializerMethodField(help_text="open, met, missed or no_target.")
    snapshot = serializers.SerializerMethodField(
        help_text="Frozen when the checkpoint fell due; null while open."
    )
    live = serializers.SerializerMethodField(
        help_text="Today's count of the same period, measure by measure."
    )
    frozen_at = DateTimeField(read_only=True)

    class Meta:
        model = Checkpoint
        fields = [
            "id",
            "plan",
            "plan_name",
            "partner",
            "day",
            "due_on",
            "state",
            "frozen_at",
            "snapshot",
            "live",
        ]
        read_only_fields = fields

    def get_state(self, checkpoint) -> str:
        if checkpoint.frozen_at is None:
            return "open"
        return {True: "met", False: "missed", None: "no_target"}[(checkpoint.snapshot or {}).get("met")]

    @extend_schema_field(SnapshotSerializer(allow_null=True))
    def get_snapshot(self, checkpoint):
        return checkpoint.snapshot if checkpoint.frozen_at else None

    @extend_schema_field(MeasureSerializer(many=True))
    def get_live(self, checkpoint):
        view = self.context.get("live", {}).get(checkpoint.id)
        return view.live if view else []


class CheckpointViewSet(TenantReadOnlyViewSet):
    """Checkpoints of launched plans, their frozen snapshots and live figures."""

    queryset_selector = checkpoint_list
    serializer_class = CheckpointResultSerializer
    filterset_class = CheckpointFilter
    permission_read = "checkpoint.view"

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        # The live figures of the whole page in one statement.
        self._live = {
            view.checkpoint.id: view
            for view in checkpoints_live(tenant=self.request.tenant, checkpoints=rows)
        }
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not hasattr(self, "_live") and getattr(self, "action", None) == "retrieve":
            checkpoint = self.get_object()
            self._live = {
                checkpoint.id: checkpoints_live(tenant=self.request.tenant, checkpoints=[checkpoint])[0]
            }
        context["live"] = getattr(self, "_live", {})
        return context


def register(router: SimpleRouter) -> None:
    router.register("reporting/checkpoints", CheckpointViewSet, basename="checkpoint")
