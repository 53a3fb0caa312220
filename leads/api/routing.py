"""Feedback in the API: /api/v1/status-mappings/ (the tenant's reading of partners' status words:
staff read, lead editors and write keys change) and /api/v1/handoff-feedback/ (reports on handoffs:
the partner's own users report on its accepted handoffs and read theirs; staff read them all).
Writes go through leads.services.feedback."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.routers import SimpleRouter

from leads.models import FeedbackStatus, HandoffFeedback, StatusMapping
from leads.selectors.routing import feedback_handoffs, handoff_feedback_list, status_mapping_list
from leads.services import feedback as services
from partnerhub.tenancy.api.fields import DateTimeField, TenantRelatedField
from partnerhub.tenancy.api.viewsets import (
    IdempotentCreateMixin,
    ServiceActionsMixin,
    TenantModelViewSet,
    TenantReadOnlyViewSet,
)
from partnerhub.tenancy.scoping import scope_for

VENDOR_KEY_REFUSED = (
    "The vendor's API keys read feedback; reports come from the partner's own users (or a key of that "
    "partner)."
)


class StatusMappingSerializer(serializers.ModelSerializer):
    partner_status = serializers.CharField(
        max_length=StatusMapping._meta.get_field("partner_status").max_length,
        help_text="As partners write it; compared with case and runs of spaces folded, mapped once.",
    )
    status = serializers.ChoiceField(
        choices=FeedbackStatus.choices, help_text="The tenant's status it means."
    )
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = StatusMapping
        fields = ["id", "partner_status", "status", "created_at", "updated_at"]
        read_only_fields = ["id"]


class StatusMappingViewSet(TenantModelViewSet):
    """Partner status words and the tenant's statuses they mean (docs/leads.md, "Feedback")."""

    queryset_selector = status_mapping_list
    serializer_class = StatusMappingSerializer
    permission_read = "lead.view"
    permission_write = "lead.change"

    def _who(self) -> dict:
        return {"tenant": self.request.tenant, "actor": self.request.user}

    def perform_create(self, serializer):
        serializer.instance = services.status_mapping_create(**self._who(), **serializer.validated_data)

    def perform_update(self, serializer):
        data = {**StatusMappingSerializer(serializer.instance).data, **serializer.validated_data}
        serializer.instance = services.status_mapping_update(
            **self._who(),
            status_mapping_id=serializer.instance.id,
            partner_status=data["partner_status"],
            status=data["status"],
        )

    def perform_destroy(self, instance):
        services.status_mapping_delete(**self._who(), status_mapping_id=instance.id)


def _partners_handoffs(request):
    return scope_for(
        feedback_handoffs(tenant=request.tenant), tenant=request.tenant, membership=request.membership
    )


class HandoffFeedbackSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="handoff.partner_id", read_only=True)
    lead = serializers.IntegerField(source="handoff.lead_id", read_only=True)
    reported_at = DateTimeField(read_only=True)
    status = serializers.ChoiceField(
        choices=FeedbackStatus.choices,
        read_only=True,
        allow_null=True,
        source="status_or_none",
        help_text="The tenant's status the words map to; null while they are not mapped.",
    )

    class Meta:
        model = HandoffFeedback
        fields = [
            "id",
            "handoff",
            "partner",
            "lead",
            "words",
            "status",
            "note",
            "reason",
            "reported_at",
            "actor_label",
        ]
        read_only_fields = fields


class HandoffFeedbackInputSerializer(serializers.ModelSerializer):
    """One report; the rules (accepted handoffs only, a disqualification's reason) are the service's."""

    handoff = TenantRelatedField(
        queryset_for=_partners_handoffs, help_text="The id of the partner's accepted handoff reported on."
    )
    words = serializers.CharField(
        max_length=HandoffFeedback._meta.get_field("words").max_length,
        help_text="Where the lead stands, in the partner's own words (read through the status mapping).",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=HandoffFeedback._meta.get_field("note").max_length
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=HandoffFeedback._meta.get_field("reason").max_length,
        help_text="Why the lead is disqualified: required when the words map to disqualified.",
    )

    class Meta:
        model = HandoffFeedback
        fields = ["handoff", "words", "note", "reason"]


class HandoffFeedbackFilter(django_filters.FilterSet):
    handoff = django_filters.ModelChoiceFilter(
        queryset=_partners_handoffs, help_text="One handoff's reports (by its id)."
    )

    class Meta:
        model = HandoffFeedback
        fields = ["handoff"]


@extend_schema_view(
    create=extend_schema(
        summary="Report on an accepted handoff, in the partner's own words",
        request=HandoffFeedbackInputSerializer,
        responses={
            201: OpenApiResponse(
                HandoffFeedbackSerializer,
                description="Recorded; a mapped status stops the clocks it stands for (docs/leads.md).",
            )
        },
    )
)
class HandoffFeedbackViewSet(IdempotentCreateMixin, ServiceActionsMixin, TenantReadOnlyViewSet):
    """Partners' reports on their handoffs, newest first; `?handoff=` lists one handoff's."""

    queryset_selector = handoff_feedback_list
    serializer_class = HandoffFeedbackSerializer
    create_serializer_class = HandoffFeedbackInputSerializer
    filterset_class = HandoffFeedbackFilter
    permission_read = "feedback.view"
    permission_write = "feedback.report"
    http_method_names = ["get", "post", "head", "options"]

    def create_with(self, data):
        if (
            getattr(self.request, "api_key", None) is not None
            and getattr(self.request.user, "partner_id", None) is None
        ):
            raise PermissionDenied(VENDOR_KEY_REFUSED)
        return services.handoff_feedback(
            tenant=self.request.tenant,
            actor=self.request.user,
            handoff_id=data["handoff"].id,
            words=data["words"],
            note=data.get("note", ""),
            reason=data.get("reason", ""),
        )


def register(router: SimpleRouter) -> None:
    router.register("status-mappings", StatusMappingViewSet, basename="status-mapping")
    router.register("handoff-feedback", HandoffFeedbackViewSet, basename="handoff-feedback")
