"""Tranches in the API: /api/v1/mdf/tranches/ (list, read; filters `request`, `state`) and a fund
manager's `release` and `cancel` of a held tranche. Partner users and partner keys read their own
company's tranches only; another's is a 404, as one that does not exist. The schedule itself is
set with `POST /api/v1/mdf-requests/{id}/tranches/` (mdf/api/requests.py has the requests; this
module adds that action). Every write goes through mdf.services.tranches (docs/mdf.md, "Tranches")."""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mdf import services
from mdf.models import FundTranche, TrancheState
from mdf.selectors import tranche_list
from partnerhub.tenancy.api.fields import DateTimeField
from partnerhub.tenancy.api.parsers import JSONParser
from partnerhub.tenancy.api.viewsets import TenantViewSetMixin

REVIEW = "mdf.change"


class TrancheSerializer(serializers.ModelSerializer):
    request_title = serializers.CharField(source="request.title", read_only=True)
    partner = serializers.IntegerField(source="request.partner_id", read_only=True)
    day = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The checkpoint it waits for; null: paid on approval."
    )
    checkpoint_met = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="The checkpoint's result when it was settled."
    )
    settled_at = DateTimeField(read_only=True, allow_null=True)
    decided_at = DateTimeField(read_only=True, allow_null=True)
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = FundTranche
        fields = [
            "id",
            "request",
            "request_title",
            "partner",
            "plan",
            "day",
            "percent",
            "amount",
            "currency",
            "state",
            "checkpoint_met",
            "settled_at",
            "decided_at",
            "note",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """A row's id: an integer (a non-integer is a 400); one outside the caller's scope matches nothing."""

    field_class = forms.IntegerField


class TrancheFilter(django_filters.FilterSet):
    request = IdFilter(field_name="request_id", help_text="A fund request's id.")
    state = django_filters.ChoiceFilter(choices=TrancheState.choices)

    class Meta:
        model = FundTranche
        fields = ["request", "state"]


def _share(label: str):
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, help_text=f"Percent paid {label}."
    )


class TrancheScheduleSerializer(serializers.Serializer):
    """The shares of the approved amount, adding up to 100; a share left out is no tranche."""

    on_approval = _share("when the schedule is set")
    day30 = _share("when the day 30 checkpoint meets its targets")
    day60 = _share("when the day 60 checkpoint meets its targets")
    day90 = _share("when the day 90 checkpoint meets its targets")


class TrancheDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Why, kept with it."
    )


class TrancheViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """A request's tranches tied to its plan's checkpoints: scheduled, paid, held, released, cancelled."""

    queryset_selector = tranche_list
    serializer_class = TrancheSerializer
    filterset_class = TrancheFilter
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "head", "options"]
    permission_read = "mdf_request.view"
    permission_write = REVIEW
    action_permissions = {"release": REVIEW, "cancel": REVIEW}

    def get_queryset(self):
        return super().get_queryset().order_by("request_id", "day", "id")

    def _decide(self, service):
        given = TrancheDecisionSerializer(data=self.request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        tranche = service(
            tenant=self.request.tenant,
            actor=self.request.user,
            tranche_id=self.get_object().id,
            note=data.get("note", ""),
        )
        return Response(TrancheSerializer(self.get_queryset().get(id=tranche.id)).data)

    @extend_schema(
        summary="Release a held tranche (staff): paid although its checkpoint missed",
        request=TrancheDecisionSerializer,
        responses=TrancheSerializer,
    )
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._decide(services.tranche_release)

    @extend_schema(
        summary="Cancel a held tranche (staff): its money goes back to the allocation",
        request=TrancheDecisionSerializer,
        responses=TrancheSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._decide(services.tranche_cancel)


def register(router: SimpleRouter) -> None:
    router.register("mdf/tranches", TrancheViewSet, basename="mdf-tranche")
