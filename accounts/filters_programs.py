"""Filters of the program list (portal and API)."""

import django_filters
from django.db.models import Q

from accounts.models import Program
from partnerhub.tenancy.filters import SortFilter, tenant_partners
from plays.filters import tenant_plays


class ProgramFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    play = django_filters.ModelChoiceFilter(queryset=tenant_plays, empty_label="Any play")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    status = django_filters.ChoiceFilter(choices=Program.Status.choices, empty_label="Any status")
    year = django_filters.NumberFilter(field_name="plan__year", label="Year")
    quarter = django_filters.ChoiceFilter(
        field_name="plan__quarter",
        choices=[(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")],
        empty_label="Any quarter",
    )
    sort = SortFilter(
        fields=(("launched_at", "launched"), ("tracking_code", "tracking_code"), ("partner__name", "partner"))
    )

    class Meta:
        model = Program
        fields = ["q", "play", "partner", "status", "year", "quarter"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(tracking_code__icontains=value)
            | Q(partner__name__icontains=value)
            | Q(plan__name__icontains=value)
        )
