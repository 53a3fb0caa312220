"""Forms of the handoff pages: they shape input; the rules (which reason needs words, who may be
offered a lead) are the services'."""

from __future__ import annotations

from django import forms

from leads.models import QualificationOutcome, RejectReason
from partnerhub.tenancy.models import Partner


class HandoffRejectForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why do you decline?", choices=RejectReason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="In your words",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for “Other”; helps the vendor route the next lead better.",
    )


class HandoffQualificationForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", choices=QualificationOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class HandoffOfferForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), empty_label="Choose a partner")

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Partner.objects.filter(tenant=tenant).exclude(status=Partner.Status.INACTIVE).order_by("name")
        )
