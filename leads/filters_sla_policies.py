"""Filters of the SLA policy list (the API's; the settings page lists every policy)."""

import django_filters
from django.db.models import Q

from leads.filters import tenant_programs
from leads.models import SlaPolicy, SlaScope
from leads.models.handoffs import DEFAULT_SCOPE
from partnerhub.tenancy.filters import tenant_partners
from partnerhub.tenancy.models import Partner

SCOPES = {
    SlaScope.DEFAULT: DEFAULT_SCOPE,
    SlaScope.TIER: ~Q(tier=""),
    SlaScope.PARTNER: Q(partner__isnull=False),
    SlaScope.PROGRAM: Q(program__isnull=False),
}


class SlaPolicyFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(
        choices=SlaScope.choices, method="filter_scope", empty_label="Any scope"
    )
    tier = django_filters.ChoiceFilter(choices=Partner.Tier.choices, empty_label="Any tier")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    program = django_filters.ModelChoiceFilter(queryset=tenant_programs, empty_label="Any program")

    class Meta:
        model = SlaPolicy
        fields = ["scope", "tier", "partner", "program"]

    def filter_scope(self, queryset, name, value):
        return queryset.filter(SCOPES[value])
