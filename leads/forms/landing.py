"""The short form of a landing page. It shapes input; the intake's rules are `landing_submit`'s."""

from __future__ import annotations

from django import forms

from leads.models import Lead
from leads.services.landing import UTM_FIELDS

LEAD = Lead._meta
HONEYPOT = "website"


class LandingForm(forms.Form):
    first_name = forms.CharField(max_length=LEAD.get_field("first_name").max_length)
    last_name = forms.CharField(max_length=LEAD.get_field("last_name").max_length)
    email = forms.EmailField(label="Work email", max_length=LEAD.get_field("email").max_length)
    title = forms.CharField(label="Job title", max_length=LEAD.get_field("title").max_length, required=False)
    company_name = forms.CharField(label="Company", max_length=LEAD.get_field("company_name").max_length)
    consent = forms.BooleanField(required=False)
    # The honeypot: hidden from people by the page's style sheet and from screen readers, skipped
    # by the keyboard; bots that fill every field fill it.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # The UTM parameters of the link the person came by, carried from the page's query string.
    utm_source = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_medium = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_campaign = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_content = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, consent_wording: str, query=None, **kwargs):
        if query is not None:
            kwargs["initial"] = {name: query.get(name, "")[:100] for name in UTM_FIELDS}
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_wording

    @property
    def person_fields(self):
        return [field for field in self.visible_fields() if field.name != HONEYPOT]
