"""Filters of the lead list, shared by the portal page and the API."""

import django_filters
from django import forms
from django.db.models import F, Q

from accounts.filters import tenant_accounts
from leads.models import Lead, LeadSource, LeadStage
from leads.selectors import lead_program_choices
from partnerhub.tenancy.filters import SortFilter
from partnerhub.tenancy.models import Partner

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def tenant_programs(request):
    return lead_program_choices(tenant=request.tenant)


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    stage = django_filters.ChoiceFilter(choices=LeadStage.choices, empty_label="Any stage")
    source = django_filters.ChoiceFilter(choices=LeadSource.choices, empty_label="Any source")
    program = django_filters.ModelChoiceFilter(queryset=tenant_programs, empty_label="Any program")
    # Set by links from an account's page (and by the API), never picked from a list of thousands.
    account = django_filters.ModelChoiceFilter(queryset=tenant_accounts, label="", widget=forms.HiddenInput)
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="Created from", widget=DATE_INPUT
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="Created until", widget=DATE_INPUT
    )
    sort = SortFilter(
        fields=(
            ("last_name", "name"),
            ("email", "email"),
            ("company_name", "company"),
            ("stage", "stage"),
            ("source", "source"),
            ("created_at", "created"),
            ("updated_at", "updated"),
        )
    )

    class Meta:
        model = Lead
        fields = ["q", "stage", "source", "program", "account", "created_after", "created_before"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(email__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(company_name__icontains=value)
            | Q(external_id__icontains=value)
        )


class NullsLastSortFilter(SortFilter):
    """A sort where a row without the value (a partner with no figure yet) comes last either way."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = F(self.param_map.get(param.lstrip("-"), param.lstrip("-")))
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


class PartnerFiguresFilter(django_filters.FilterSet):
    """The lead figures page: sorted by any figure (nulls, a partner without any, last)."""

    sort = NullsLastSortFilter(
        fields=(
            ("name", "name"),
            ("pick_rate", "pick_rate"),
            ("median_to_accept", "time_to_accept"),
            ("feedback_rate", "feedback_rate"),
            ("median_to_feedback", "time_to_feedback"),
            ("silent_now", "silent"),
        )
    )

    class Meta:
        model = Partner
        fields = []
