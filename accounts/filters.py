"""Filters of accounts, opportunities and account mapping, shared by the portal lists and the API."""

import django_filters
from django import forms
from django.db.models import Q

from accounts.models import (
    OPEN_OPPORTUNITY_STAGES,
    AccountClaim,
    AccountMapping,
    AccountStage,
    Opportunity,
    OpportunityStage,
    TargetAccount,
)
from accounts.selectors.accounts import account_choices
from partnerhub.tenancy.filters import SortFilter, VerticalFilter, tenant_partners
from partnerhub.tenancy.selectors import staff_users
from partnerhub.tenancy.taxonomy import Region, Segment

YES_NO = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


def tenant_accounts(request):
    return account_choices(tenant=request.tenant)


def tenant_staff(request):
    return staff_users(tenant=request.tenant)


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    stage = django_filters.ChoiceFilter(choices=AccountStage.choices, empty_label="Any stage")
    industry = VerticalFilter(empty_label="Any industry")
    region = django_filters.ChoiceFilter(choices=Region.choices, empty_label="Any region")
    segment = django_filters.ChoiceFilter(choices=Segment.choices, empty_label="Any segment")
    # By email, as an account shows its owner (and the API takes it).
    owner = django_filters.ModelChoiceFilter(
        queryset=tenant_staff, to_field_name="email", empty_label="Any owner"
    )
    senior_buyers_engaged = django_filters.BooleanFilter(label="Senior buyers engaged", widget=YES_NO)
    sort = SortFilter(
        fields=(
            ("name", "name"),
            ("domain", "domain"),
            ("stage", "stage"),
            ("industry", "industry"),
            ("region", "region"),
            ("open_opportunity_count", "open_opportunities"),
            ("partner_count", "partners"),
            ("created_at", "created"),
            ("updated_at", "updated"),
        )
    )

    class Meta:
        model = TargetAccount
        fields = ["q", "stage", "industry", "region", "segment", "owner", "senior_buyers_engaged"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(domain__icontains=value) | Q(external_id__icontains=value)
        )


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    stage = django_filters.ChoiceFilter(choices=OpportunityStage.choices, empty_label="Any stage")
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), ("closed", "Closed")],
        method="open_or_closed",
        label="Open or closed",
        empty_label="Either",
    )
    # Set by links from an account (and by the API), never picked from a list: a tenant has tens of
    # thousands of accounts. The page names the account it is filtered by.
    account = django_filters.ModelChoiceFilter(queryset=tenant_accounts, label="", widget=forms.HiddenInput)
    source_partner = django_filters.ModelChoiceFilter(
        queryset=tenant_partners, label="Source partner", empty_label="Any source"
    )
    close_after = django_filters.DateFilter(
        field_name="close_date",
        lookup_expr="gte",
        label="Closes from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    close_before = django_filters.DateFilter(
        field_name="close_date",
        lookup_expr="lte",
        label="Closes until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = SortFilter(
        fields=(
            ("name", "name"),
            ("account__name", "account"),
            ("stage", "stage"),
            ("amount", "amount"),
            ("close_date", "close_date"),
            ("stage_changed_at", "stage_changed"),
            ("created_at", "created"),
        )
    )

    class Meta:
        model = Opportunity
        fields = ["q", "stage", "status", "account", "source_partner", "close_after", "close_before"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(account__name__icontains=value)
            | Q(account__domain__icontains=value)
            | Q(external_id__icontains=value)
        )

    def open_or_closed(self, queryset, name, value):
        is_open = Q(stage__in=OPEN_OPPORTUNITY_STAGES)
        return queryset.filter(is_open if value == "open" else ~is_open)


class MappingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    relationship = django_filters.ChoiceFilter(
        choices=AccountMapping.Relationship.choices, empty_label="Any relationship"
    )
    source = django_filters.ChoiceFilter(choices=AccountMapping.Source.choices, empty_label="Any source")
    sort = SortFilter(
        fields=(
            ("account__name", "account"),
            ("partner__name", "partner"),
            ("relationship", "relationship"),
            ("source", "source"),
            ("created_at", "created"),
        )
    )

    class Meta:
        model = AccountMapping
        fields = ["q", "partner", "relationship", "source"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(account__name__icontains=value) | Q(account__domain__icontains=value))


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    relationship = django_filters.ChoiceFilter(
        choices=AccountMapping.Relationship.choices, empty_label="Any relationship"
    )
    sort = SortFilter(
        fields=(("domain", "domain"), ("company_name", "company"), ("created_at", "added")),
    )

    class Meta:
        model = AccountClaim
        fields = ["q", "relationship"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(domain__icontains=value) | Q(company_name__icontains=value))
