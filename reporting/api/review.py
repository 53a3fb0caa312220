"""The partner review's figures in the API: /api/v1/reporting/partners/<partner_id>/review/
(`quarter=2026-Q3`, default the current quarter). Staff read any partner's; a partner user or key
only its own company's (another partner's id is a 404, as one that does not exist)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from mdf.selectors.funds import Quarter, current_quarter
from partnerhub.tenancy.api.viewsets import TenantAPIView
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.scoping import scope_for
from reporting.selectors.review import partner_review


def _money(help_text: str, source: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, help_text=help_text, source=source)


class ResultSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="view.checkpoint.plan_id")
    plan_name = serializers.CharField(source="plan.__str__")
    day = serializers.IntegerField(source="view.checkpoint.day")
    due_on = serializers.DateField(source="view.checkpoint.due_on")
    state = serializers.CharField(help_text="open, met, missed or no_target.")
    measures = serializers.ListField(
        source="view.rows",
        child=serializers.DictField(),
        help_text="key, label, target, actual (live), frozen_actual, met, changed.",
    )


class PairSerializer(serializers.Serializer):
    """A (label, count) pair, written with the serializer's two field names."""

    def to_representation(self, pair):
        return dict(zip(self.fields, pair, strict=True))


class StageSerializer(PairSerializer):
    stage = serializers.CharField()
    leads = serializers.IntegerField()


class SlaSerializer(serializers.Serializer):
    handed = serializers.IntegerField()
    accepted_in_sla = serializers.IntegerField()
    accepted_late = serializers.IntegerField()
    breached = serializers.IntegerField(help_text="Open, a clock past its due instant.")
    waiting = serializers.IntegerField(help_text="Offered, not answered, within the SLA.")
    rejected = serializers.IntegerField()


class MdfSerializer(serializers.Serializer):
    paid = _money("MDF paid to the partner in the quarter, in `currency`.", "mdf_paid")
    pipeline_sourced = _money("Pipeline created in the quarter that the partner sourced.", "pipeline.sourced")
    pipeline_influenced = _money(
        "Pipeline created in the quarter that the partner influenced.", "pipeline.influenced"
    )
    roi = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="Pipeline ÷ MDF paid; null: none paid."
    )
    amounts_without_rate = serializers.SerializerMethodField(
        help_text="Amounts in another currency left out."
    )

    def get_amounts_without_rate(self, review) -> int:
        return review.mdf_other_currency + review.pipeline.without_rate


class RegistrationCountSerializer(PairSerializer):
    state = serializers.CharField()
    count = serializers.IntegerField()


class NextPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    status = serializers.CharField()


class PartnerReviewSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner.id")
    partner_name = serializers.CharField(source="partner.name")
    quarter = serializers.CharField(source="quarter.key")
    currency = serializers.CharField()
    results = ResultSerializer(many=True)
    funnel = StageSerializer(many=True, help_text="Leads handed in the quarter and the stage they reached.")
    sla = SlaSerializer()
    feedback_rate = serializers.FloatField(allow_null=True)
    mdf = MdfSerializer(source="*")
    registrations = RegistrationCountSerializer(many=True)
    next_plans = NextPlanSerializer(many=True)


class ReviewQuerySerializer(serializers.Serializer):
    quarter = serializers.CharField(required=False, help_text="Written 2026-Q3; default the current quarter.")


class PartnerReviewAPIView(TenantAPIView):
    """One partner's review figures for a quarter."""

    permission_read = "checkpoint.view"

    @extend_schema(parameters=[ReviewQuerySerializer], responses=PartnerReviewSerializer)
    def get(self, request, partner_id: int):
        partners = scope_for(
            Partner.objects.filter(tenant=request.tenant),
            tenant=request.tenant,
            membership=request.membership,
        )
        partner = get_object_or_404(partners, id=partner_id)
        text = request.query_params.get("quarter")
        quarter = Quarter.parse(text) if text else current_quarter(tenant=request.tenant)
        if quarter is None:
            raise ValidationError({"quarter": ["Write the quarter as 2026-Q3."]})
        review = partner_review(tenant=request.tenant, partner=partner, quarter=quarter)
        return Response(PartnerReviewSerializer(review).data)
