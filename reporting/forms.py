"""Forms of the reporting pages."""

from __future__ import annotations

from django import forms

from accounts.importing.reading import MAX_IMPORT_BYTES
from partnerhub.tenancy.taxonomy import currency_choices


class FxRateForm(forms.Form):
    currency = forms.ChoiceField(choices=currency_choices, help_text="The currency amounts are kept in.")
    quote_currency = forms.ChoiceField(
        label="Converts into", choices=currency_choices, help_text="The reporting currency, usually."
    )
    rate_date = forms.DateField(
        label="From day",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The rate applies from this day until the next one.",
    )
    rate = forms.DecimalField(
        max_digits=20, decimal_places=10, help_text="What one unit of the currency is worth, such as 1.0825."
    )


class FxRateFileForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns currency, date (YYYY-MM-DD), rate and optionally quote_currency; "
        f"at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB.",
    )


class ReportingSettingsForm(forms.Form):
    sourced_window_days = forms.IntegerField(
        label="Sourced window (days)",
        min_value=0,
        max_value=365,
        help_text="A lead the partner accepted that converted at most this many days before an opportunity "
        "was created makes the partner its source. 30 by default.",
    )
