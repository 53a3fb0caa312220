"""The form sales logs a meeting with."""

from __future__ import annotations

from django import forms

from leads.models import Lead

LEAD = Lead._meta


class MeetingForm(forms.Form):
    email = forms.EmailField(label="Their email", max_length=LEAD.get_field("email").max_length)
    first_name = forms.CharField(required=False, max_length=LEAD.get_field("first_name").max_length)
    last_name = forms.CharField(required=False, max_length=LEAD.get_field("last_name").max_length)
    title = forms.CharField(label="Job title", required=False, max_length=LEAD.get_field("title").max_length)
    occurred_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In your time zone. A meeting counts for a checkpoint by this date.",
    )
    note = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
