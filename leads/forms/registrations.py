"""Forms and list filters of deal registrations. The forms shape input; the rules are the services'.

Two filter sets: the vendor's review queue (state, partner, conflict, overdue, sorted by age or
due date) and a partner's own list (state only). The conflict and overdue filters are the vendor's:
for a partner user they filter nothing, so neither a page nor a count can tell a partner which of
its registrations conflict."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone

from leads.models import DealRegistration, RegistrationRejectReason
from leads.models.registrations import MAX_EXTENSION_DAYS
from partnerhub.tenancy.filters import SortFilter, tenant_partners
from partnerhub.tenancy.taxonomy import currency_choices

REGISTRATION = DealRegistration._meta
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SORTS = (
    ("submitted_at", "age"),
    ("review_due_at", "due"),
    ("created_at", "created"),
    ("customer_name", "customer"),
    ("close_date", "close_date"),
)


class RegistrationForm(forms.Form):
    """A draft: what the partner registers."""

    customer_name = forms.CharField(
        label="Customer", max_length=REGISTRATION.get_field("customer_name").max_length
    )
    customer_domain = forms.CharField(
        label="Customer's web domain",
        max_length=REGISTRATION.get_field("customer_domain").max_length,
        help_text="For example acme.com; a URL works too.",
    )
    solution = forms.CharField(max_length=REGISTRATION.get_field("solution").max_length)
    amount = forms.DecimalField(label="Expected amount", max_digits=14, decimal_places=2, min_value=0)
    currency = forms.ChoiceField(choices=currency_choices)
    close_date = forms.DateField(label="Expected close date", widget=DATE_INPUT)
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REGISTRATION.get_field("description").max_length,
    )

    @classmethod
    def initial_for(cls, registration: DealRegistration) -> dict:
        return {name: getattr(registration, name) for name in cls.base_fields}


class ApproveForm(forms.Form):
    opportunity = forms.TypedChoiceField(
        label="Opportunity",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Link an open opportunity on the account, or create one sourced by the partner.",
    )

    def __init__(self, *args, opportunities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].choices = [
            ("", "Create a new opportunity"),
            *[
                (opportunity.id, f"{opportunity.name} ({opportunity.account.name})")
                for opportunity in opportunities
            ],
        ]


class RejectForm(forms.Form):
    reason = forms.ChoiceField(choices=RegistrationRejectReason.choices)
    text = forms.CharField(
        label="Why", required=False, max_length=REGISTRATION.get_field("reject_text").max_length
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve the extension"), ("refuse", "Refuse it")])
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        help_text="Days added; empty: the protection period again.",
    )


def _is_partner(request) -> bool:
    membership = getattr(request, "membership", None)
    return membership is None or membership.is_partner_role


class PartnerRegistrationFilter(django_filters.FilterSet):
    """A partner's own registrations."""

    state = django_filters.ChoiceFilter(choices=DealRegistration.State.choices, empty_label="Any state")
    sort = SortFilter(fields=SORTS)

    class Meta:
        model = DealRegistration
        fields = ["state"]


class RegistrationFilter(PartnerRegistrationFilter):
    """The review queue, shared by the portal and the API."""

    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    conflict = django_filters.BooleanFilter(
        method="filter_conflict", label="Conflict", help_text="Staff only: with (true) or without a conflict."
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue only",
        help_text="Staff only: under review past its review date.",
    )

    class Meta:
        model = DealRegistration
        fields = ["state", "partner", "conflict", "overdue"]

    def filter_conflict(self, queryset, name, value):
        if _is_partner(self.request):
            return queryset
        return queryset.filter(has_conflict=value)

    def filter_overdue(self, queryset, name, value):
        if _is_partner(self.request) or not value:
            return queryset
        return queryset.filter(state=DealRegistration.State.UNDER_REVIEW, review_due_at__lt=timezone.now())
