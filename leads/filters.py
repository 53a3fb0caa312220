"""Filters of the lead list, shared by the portal page and the API."""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from accounts.filters import tenant_accounts
from leads.models import Handoff, Lead, LeadSource, LeadStage
from leads.selectors import lead_list, lead_program_choices
from leads.selectors.inbox import SlaState, filter_sla_state
from partnerhub.tenancy.filters import SortFilter, tenant_partners
from partnerhub.tenancy.models import Partner
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
    ready = django_filters.BooleanFilter(
        label="Ready",
        help_text="Ready for a handoff: every criterion of its qualification rules holds.",
        widget=forms.Select(choices=[("", "Ready or not"), ("true", "Ready"), ("false", "Not ready")]),
    )
    min_score = django_filters.NumberFilter(
        field_name="score",
        lookup_expr="gte",
        label="Score at least",
        min_value=-100000,
        max_value=100000,
        widget=forms.NumberInput(attrs={"step": 1}),
    )
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
            ("score", "score"),
            ("source", "source"),
            ("created_at", "created"),
            ("updated_at", "updated"),
        )
    )

    class Meta:
        model = Lead
        fields = [
            "q",
            "stage",
            "source",
            "program",
            "account",
            "ready",
            "min_score",
            "created_after",
            "created_before",
        ]

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
    """The handoff list's filters, in the portal (the partner's inbox, the vendor's list) and the
    API. A partner's users see no partner filter in the portal (their scope is one partner)."""

    q = django_filters.CharFilter(method="search", label="Search")
    state = django_filters.ChoiceFilter(choices=Handoff.State.choices, empty_label="Any state")
    sla = django_filters.ChoiceFilter(
        choices=SlaState.CHOICES, method="filter_sla", label="SLA", empty_label="Any SLA state"
    )
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    # Set by links and the API, never picked from a list of thousands.
    lead = django_filters.ModelChoiceFilter(queryset=scoped_leads, label="", widget=forms.HiddenInput)
    sort = SortFilter(
        fields=(
            ("deadline_at", "deadline"),
            ("offered_at", "offered"),
            ("accepted_at", "accepted"),
            ("partner__name", "partner"),
            ("lead__company_name", "company"),
            ("state", "state"),
            ("accept_due_at", "accept_due"),
            ("updated_at", "updated"),
        )
    )

    class Meta:
        model = Handoff
        fields = ["q", "state", "sla", "partner", "lead"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        membership = getattr(request, "membership", None)
        if membership is not None and membership.is_partner_role:
            self.filters["partner"].extra["widget"] = forms.HiddenInput

    def search(self, queryset, name, value):
        # Never the email: a partner must not find an offered lead by a contact detail it cannot see.
        return queryset.filter(
            Q(lead__first_name__icontains=value)
            | Q(lead__last_name__icontains=value)
            | Q(lead__company_name__icontains=value)
            | Q(lead__title__icontains=value)
        )

    def filter_sla(self, queryset, name, value):
        return filter_sla_state(queryset, value, timezone.now())


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
