"""Filters of the lead list, shared by the portal page and the API."""

import django_filters
from django import forms
from django.db.models import Q

from accounts.filters import tenant_accounts
from leads.models import Handoff, Lead, LeadSource, LeadStage
from leads.selectors import lead_list, lead_program_choices
from partnerhub.tenancy.filters import SortFilter, tenant_partners
from partnerhub.tenancy.scoping import scope_for

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


def scoped_leads(request):
    """Leads a handoff filter may name: staff any of the tenant's; a partner's principals none by id
    (they are never shown a lead's id), so every id answers "not a valid choice" alike."""
    return scope_for(lead_list(tenant=request.tenant), tenant=request.tenant, membership=request.membership)


class HandoffFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=Handoff.State.choices, empty_label="Any state")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    lead = django_filters.ModelChoiceFilter(queryset=scoped_leads, label="Lead")
    sort = SortFilter(
        fields=(
            ("offered_at", "offered"),
            ("accepted_at", "accepted"),
            ("state", "state"),
            ("accept_due_at", "accept_due"),
            ("updated_at", "updated"),
        )
    )

    class Meta:
        model = Handoff
        fields = ["state", "partner", "lead"]
