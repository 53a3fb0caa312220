"""The filter of fund requests, shared by the portal's lists and the API (one definition, two
interfaces): state, in review, kind, fund, partner, aging and the sort keys."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from mdf.models import IN_REVIEW, Fund, FundRequest, RequestState
from partnerhub.tenancy.filters import SortFilter, tenant_partners


def _is_partner(request) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.is_partner_role


def request_funds(request):
    """Funds a request filter may name: a partner's, those it draws on or has asked from."""
    funds = Fund.objects.filter(tenant=request.tenant)
    if _is_partner(request):
        partner_id = request.membership.partner_id
        funds = funds.filter(
            Q(allocations__partner_id=partner_id) | Q(requests__partner_id=partner_id)
        ).distinct()
    return funds


class FundRequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RequestState.choices, empty_label="Any state")
    in_review = django_filters.BooleanFilter(
        method="filter_in_review", label="In review", help_text="Submitted or resubmitted."
    )
    kind = django_filters.ChoiceFilter(choices=FundRequest.Kind.choices, empty_label="Any kind")
    fund = django_filters.ModelChoiceFilter(queryset=request_funds, empty_label="Any fund")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    aging = django_filters.BooleanFilter(
        field_name="is_aging",
        label="Aging",
        help_text="In review longer than the tenant's number of business days.",
    )
    sort = SortFilter(
        fields=(
            ("created_at", "created"),
            ("in_review_since", "in_review_since"),
            ("starts_on", "starts_on"),
            ("amount_requested", "amount_requested"),
            ("title", "title"),
        )
    )

    class Meta:
        model = FundRequest
        fields = ["state", "in_review", "kind", "fund", "partner", "aging"]

    def filter_in_review(self, queryset, name, value):
        return queryset.filter(state__in=IN_REVIEW) if value else queryset.exclude(state__in=IN_REVIEW)
