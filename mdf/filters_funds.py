"""Filters of the funds, allocations and ledger lists (the portal's and the API's)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError

from mdf.filters_requests import request_funds
from mdf.models import Allocation, EntryKind, Fund, LedgerEntry
from mdf.selectors.funds import Quarter
from partnerhub.tenancy.filters import SortFilter, tenant_partners
from partnerhub.tenancy.scoping import scope_for
from partnerhub.tenancy.taxonomy import currency_choices


def valid_quarter(value: str) -> None:
    """The one reading of a quarter (Quarter.parse): what it refuses is a 400, never an unfiltered list."""
    if Quarter.parse(value) is None:
        raise ValidationError("A quarter is written 2026-Q4, between 2000 and 2100.")


def tenant_funds(request):
    return scope_for(Fund.objects.all(), tenant=request.tenant, membership=request.membership)


def tenant_allocations(request):
    """Allocations a filter may name: on a fund's page, that fund's; a partner user's, its own."""
    allocations = scope_for(
        Allocation.objects.select_related("partner", "fund"),
        tenant=request.tenant,
        membership=request.membership,
    )
    fund_id = (
        getattr(request, "resolver_match", None) and request.resolver_match.kwargs.get("fund_id")
    ) or None
    return allocations.filter(fund_id=fund_id) if fund_id else allocations


class QuarterFilter(django_filters.CharFilter):
    """`?period=2026-Q4`: the rows of one quarter (the fund's, through `prefix`)."""

    def __init__(self, *args, prefix: str = "", **kwargs):
        self.prefix = prefix
        kwargs.setdefault("validators", [valid_quarter])
        kwargs.setdefault("help_text", "A quarter, written 2026-Q4.")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        quarter = Quarter.parse(value)
        if quarter is None:
            return qs
        return qs.filter(**{f"{self.prefix}year": quarter.year, f"{self.prefix}quarter": quarter.quarter})


class FundFilter(django_filters.FilterSet):
    period = QuarterFilter()
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)
    quarter = django_filters.NumberFilter(
        min_value=1, max_value=4, help_text="The quarter of the year, 1 to 4."
    )
    currency = django_filters.ChoiceFilter(choices=currency_choices(), empty_label="Any currency")
    kind = django_filters.ChoiceFilter(choices=Fund.Kind.choices, empty_label="Any kind")
    sort = SortFilter(
        fields=(("name", "name"), ("year", "year"), ("quarter", "quarter"), ("amount", "amount"))
    )

    class Meta:
        model = Fund
        fields = ["period", "year", "quarter", "currency", "kind"]


class AllocationFilter(django_filters.FilterSet):
    # Funds are the vendor's rows: a partner may still name those it draws on (its allocations show them).
    fund = django_filters.ModelChoiceFilter(queryset=request_funds, empty_label="Any fund")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    period = QuarterFilter(prefix="fund__")
    pool = django_filters.BooleanFilter(
        field_name="partner", lookup_expr="isnull", label="Pools only (true) or partners' only (false)"
    )

    class Meta:
        model = Allocation
        fields = ["fund", "partner", "period", "pool"]


class LedgerFilter(django_filters.FilterSet):
    fund = django_filters.ModelChoiceFilter(queryset=tenant_funds, empty_label="Any fund")
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, empty_label="Any kind")
    allocation = django_filters.ModelChoiceFilter(queryset=tenant_allocations, empty_label="Any allocation")
    partner = django_filters.ModelChoiceFilter(
        field_name="allocation__partner", queryset=tenant_partners, empty_label="Any partner"
    )
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To")
    sort = SortFilter(fields=(("seq", "seq"), ("created_at", "created"), ("amount", "amount")))

    class Meta:
        model = LedgerEntry
        fields = ["fund", "kind", "allocation", "partner", "since", "until"]


class FundLedgerFilter(LedgerFilter):
    """A fund's own ledger page: the fund is in its address."""

    fund = None

    class Meta(LedgerFilter.Meta):
        fields = ["kind", "allocation", "partner", "since", "until"]
