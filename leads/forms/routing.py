"""Forms of the status-mapping settings and the partner's feedback form. They shape input; the rules
(words mapped once, a disqualification's reason) are the services'."""

from __future__ import annotations

from django import forms

from leads.models import FeedbackStatus, HandoffFeedback, StatusMapping


class StatusMappingForm(forms.Form):
    partner_status = forms.CharField(
        label="Partner status",
        max_length=StatusMapping._meta.get_field("partner_status").max_length,
        help_text="As partners write it, e.g. “Termin vereinbart”; case and spaces do not matter.",
    )
    status = forms.ChoiceField(label="Means", choices=FeedbackStatus.choices)


FEEDBACK = HandoffFeedback._meta


class HandoffFeedbackForm(forms.Form):
    words = forms.CharField(
        label="Where the lead stands",
        max_length=FEEDBACK.get_field("words").max_length,
        help_text="In your own words, e.g. “Meeting booked” or “No answer yet”.",
    )
    note = forms.CharField(
        required=False,
        max_length=FEEDBACK.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label="Reason, if the lead is disqualified",
        required=False,
        max_length=FEEDBACK.get_field("reason").max_length,
    )
