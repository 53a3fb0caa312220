"""Filters of the plans board, shared by the portal list and the API."""

import django_filters

from accounts.models import MARKET_VALUE_CHOICES, MarketKind, Plan
from partnerhub.tenancy.filters import SortFilter, VerticalFilter, tenant_partners

QUARTERS = [(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]
# Every value a market can take, whatever its kind (regions, verticals and segments).


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    year = django_filters.NumberFilter(label="Year")
    quarter = django_filters.ChoiceFilter(choices=QUARTERS, empty_label="Any quarter")
    status = django_filters.ChoiceFilter(choices=Plan.Status.choices, empty_label="Any status")
    market_kind = django_filters.ChoiceFilter(choices=MarketKind.choices, empty_label="Any kind of market")
    market_value = VerticalFilter(
        fixed_choices=MARKET_VALUE_CHOICES,
        empty_label="Any market",
        help_text="A region, a segment or one of the tenant's verticals (GET /api/v1/verticals/), by value.",
    )
    # A partner user's choice is their own company only: another partner's id is "not a valid
    # choice", exactly like an id that does not exist.
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    sort = SortFilter(
        fields=(
            ("year", "year"),
            ("quarter", "quarter"),
            ("name", "name"),
            ("status", "status"),
            ("market_value", "market"),
            ("partner__name", "partner"),
            ("account_count", "accounts"),
            ("launched_at", "launched"),
            ("created_at", "created"),
            ("updated_at", "updated"),
        )
    )

    class Meta:
        model = Plan
        fields = ["q", "year", "quarter", "status", "market_kind", "market_value", "partner"]
