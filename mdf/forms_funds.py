"""Forms of the funds pages. They shape input; the rules (a name unique in its quarter, a
partner of a tier the fund serves, never more than is available) are the services', shown on
the field at fault."""

from __future__ import annotations

from django import forms

from mdf.models import Fund
from mdf.services.funds import FUND_FIELDS
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.taxonomy import currency_choices

FUND = Fund._meta
MONEY = {"max_digits": 14, "decimal_places": 2}


class FundForm(forms.Form):
    """A quarter's fund: its fields with the model's bounds and help."""

    tiers = forms.MultipleChoiceField(
        choices=Partner.Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The partner tiers it serves; none ticked: all three.",
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(Fund, fields=[name for name in FUND_FIELDS if name != "tiers"])
        fields["currency"] = forms.ChoiceField(
            choices=currency_choices(), initial=tenant.default_currency, label="Currency"
        )
        fields["amount"].min_value = 0
        self.fields = {**fields, "tiers": self.fields["tiers"]}
        for name, field in self.fields.items():
            if name != "tiers":
                field.label = FUND.get_field(name).verbose_name.capitalize()


class AllocationForm(forms.Form):
    """Money of the fund for a partner, or for a tier's shared pool."""

    partner = forms.ModelChoiceField(queryset=None, required=False, empty_label="No partner: a tier's pool")
    tier = forms.ChoiceField(
        choices=[("", "No pool: a partner"), *Partner.Tier.choices],
        required=False,
        label="Pool of the tier",
        help_text="A shared pool the tier's catalog requests draw from.",
    )
    amount = forms.DecimalField(min_value=0, **MONEY)
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class ReallocationForm(forms.Form):
    """Money of an allocation back to the fund, or on to another partner or pool. The first
    submission shows what will move; `confirmed` is set by the confirmation's button."""

    amount = forms.DecimalField(min_value=0, **MONEY)
    to_partner = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No partner", label="To partner"
    )
    to_tier = forms.ChoiceField(
        choices=[("", "No pool"), *Partner.Tier.choices], required=False, label="To the pool of the tier"
    )
    note = forms.CharField(max_length=200, required=False)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_partner"].queryset = partners
        self.fields["to_partner"].help_text = "Leave both empty: the money goes back to the fund."
