"""Scorecards in the API: /api/v1/reporting/scorecards/ (staff; "report.view"). One row per plan
(one program each), partner or quarter, with the account-first score and, apart, the signals."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from partnerhub.tenancy.api.viewsets import TenantAPIView
from partnerhub.tenancy.scoping import scope_for
from reporting.filters_scorecards import ScorecardFilter
from reporting.selectors.money import reporting_currency
from reporting.selectors.scorecard import SCORECARD_GROUPS, scorecard, scored_plans


def _money(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, help_text=help_text)


def _rate(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True, help_text=help_text)


class ScoreSerializer(serializers.Serializer):
    named_accounts = serializers.IntegerField()
    accounts_attended = serializers.IntegerField(help_text="Named accounts with someone who attended.")
    attendance_rate = _rate("Accounts attended ÷ named accounts.")
    meetings = serializers.IntegerField(help_text="Meetings booked from named accounts.")
    accounts_met = serializers.IntegerField()
    accounts_engaged = serializers.IntegerField(help_text="Named accounts that attended or met.")
    opportunities_progressed = serializers.IntegerField(help_text="Opportunities that moved a stage forward.")
    pipeline_progressed = _money("Their amount, in `currency`.")
    opportunities_in_room = serializers.IntegerField(help_text="Progressed, on accounts that attended.")
    pipeline_in_room = _money("Their amount.")
    expansion_opportunities = serializers.IntegerField(help_text="Progressed, inside existing customers.")
    expansion_pipeline = _money("Their amount.")
    handoffs = serializers.IntegerField()
    handoffs_accepted_in_sla = serializers.IntegerField()
    follow_up_rate = _rate("Handoffs accepted within their SLA ÷ handoffs.")
    content_reuse = serializers.IntegerField(help_text="Asset downloads on the named accounts.")
    cost_per_engagement = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="MDF paid ÷ accounts engaged."
    )
    amounts_without_rate = serializers.IntegerField(
        help_text="Amounts left out: no FX rate for their currency."
    )


class SignalsSerializer(serializers.Serializer):
    registrations = serializers.IntegerField()
    attendees = serializers.IntegerField()
    leads = serializers.IntegerField()
    mdf_paid = _money("MDF paid for the programs, in `currency`.")


class ScorecardRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The plan's id, the partner's id or the quarter (2026-Q4).")
    label = serializers.CharField()
    plans = serializers.IntegerField()
    currency = serializers.CharField(source="figures.currency")
    score = ScoreSerializer(source="figures")
    signals = SignalsSerializer(source="figures", help_text="What was done: never the score.")


class ScorecardQuerySerializer(serializers.Serializer):
    """The query parameters (validated by the scorecard's filter set, shared with the portal)."""

    by = serializers.ChoiceField(
        choices=list(SCORECARD_GROUPS),
        required=False,
        help_text="One row per plan (default), partner or quarter.",
    )
    period = serializers.CharField(required=False, help_text="The plans' quarter, written 2026-Q4.")
    partner = serializers.IntegerField(required=False, help_text="A partner's id.")
    play = serializers.IntegerField(required=False, help_text="A play's id.")


class ScorecardView(TenantAPIView):
    """The account-first scorecard of launched plans, scored on their first 90 days."""

    permission_read = "report.view"

    @extend_schema(parameters=[ScorecardQuerySerializer], responses=ScorecardRowSerializer(many=True))
    def get(self, request):
        filters = ScorecardFilter(
            request.query_params,
            queryset=scope_for(
                scored_plans(tenant=request.tenant), tenant=request.tenant, membership=request.membership
            ),
            request=request,
        )
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        rows = scorecard(
            tenant=request.tenant,
            plans=filters.qs,
            by=filters.group,
            currency=reporting_currency(request.tenant),
            now=timezone.now(),
        )
        return Response(ScorecardRowSerializer(rows, many=True).data)
