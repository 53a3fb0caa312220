"""Forms and list filters of claims. The forms shape input; the rules are the services'
(mdf/services/claims.py)."""

from __future__ import annotations

import django_filters
from django import forms

from mdf.filters_requests import request_funds
from mdf.forms.requests import DATE_INPUT, MONEY
from mdf.models import Claim, ClaimState, ProofKind
from partnerhub.tenancy.filters import SortFilter, tenant_partners

SORTS = (("submitted_at", "age"), ("created_at", "created"), ("amount_claimed", "amount"))


class ClaimForm(forms.Form):
    amount_claimed = forms.DecimalField(label="Amount claimed", min_value=0.01, **MONEY)
    note = forms.CharField(
        label="What was done",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="The activity as it happened, and what it brought.",
    )


class ProofUploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file is", choices=ProofKind.choices)
    file = forms.FileField(help_text="PDF, images, Office documents or CSV; 20 MB at most.")
    replaces = forms.TypedChoiceField(
        label="Replaces",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="A rejected file it replaces.",
    )

    def __init__(self, *args, rejected=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].choices = [("", "Nothing: a new file")] + [
            (proof.id, f"{proof} (rejected)") for proof in rejected
        ]
        if not rejected:
            del self.fields["replaces"]


class ProofReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    reason = forms.CharField(
        required=False, max_length=500, help_text="Why it is rejected (the partner reads it)."
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the file is rejected.")
        return data


class ClaimApproveForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount approved",
        required=False,
        min_value=0.01,
        help_text="Empty: the amount claimed. Less approves it partially (say why).",
        **MONEY,
    )
    reason = forms.CharField(label="Why less", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ClaimRejectForm(forms.Form):
    reason = forms.CharField(
        label="For the partner", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ClaimPayForm(forms.Form):
    payment_reference = forms.CharField(label="Payment reference", max_length=100)
    paid_on = forms.DateField(label="Paid on", widget=DATE_INPUT)


class PartnerClaimFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ClaimState.choices, empty_label="Any state")
    sort = SortFilter(fields=SORTS)

    class Meta:
        model = Claim
        fields = ["state"]


class ClaimFilter(PartnerClaimFilter):
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    fund = django_filters.ModelChoiceFilter(queryset=request_funds, empty_label="Any fund")

    class Meta(PartnerClaimFilter.Meta):
        fields = ["state", "partner", "fund"]
