"""Filters of the attribution drill-down, shared by the portal and the API: which opportunities
(created in a quarter), whose (a partner), and which pipeline and rule."""

from __future__ import annotations

import datetime

import django_filters
from django import forms

from accounts.models import Opportunity
from mdf.filters_funds import valid_quarter
from mdf.selectors.funds import Quarter, current_quarter
from partnerhub.tenancy.filters import tenant_partners
from reporting.selectors.attribution import INFLUENCED, RULES, SOURCED, Period, sourced_window_days

KINDS = [(SOURCED, "Sourced"), (INFLUENCED, "Influenced")]
ALL_TIME = "all"


def quarter_period(tenant, quarter: Quarter | None) -> Period:
    """The instants a quarter covers in the tenant's time zone (None: all time)."""
    if quarter is None:
        return Period()

    def start(q: Quarter) -> datetime.datetime:
        return datetime.datetime(q.year, 3 * q.quarter - 2, 1, tzinfo=tenant.zone)

    return Period(since=start(quarter), until=start(quarter.shifted(1)))


def valid_period(value: str) -> None:
    if value.strip().lower() != ALL_TIME:
        valid_quarter(value)


class AttributionFilter(django_filters.FilterSet):
    """Validates the parameters; the selector (SQL) applies them, so each filter keeps the rows.
    Without a period it reads this quarter: the rules run live over the period's opportunities."""

    period = django_filters.CharFilter(
        label="Created in",
        method="keep",
        validators=[valid_period],
        help_text="The opportunities' quarter of creation, written 2026-Q4 (default: this quarter), "
        "or `all` for every quarter.",
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=tenant_partners, empty_label="Any partner", method="keep", label="Partner"
    )
    kind = django_filters.ChoiceFilter(
        choices=KINDS, empty_label="Sourced and influenced", label="Pipeline", method="keep"
    )
    rule = django_filters.ChoiceFilter(
        choices=list(RULES.items()), empty_label="Any rule", method="keep", label="Rule"
    )

    class Meta:
        model = Opportunity
        fields = ["period", "partner", "kind", "rule"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.current = current_quarter(tenant=request.tenant)
        self.filters["period"].extra["widget"] = forms.TextInput(attrs={"placeholder": self.current.key})

    def keep(self, queryset, name, value):
        return queryset

    def quarter(self) -> Quarter | None:
        """The quarter shown: the one asked for, else this one; None for every quarter."""
        period = (self.form.cleaned_data.get("period") or "").strip()
        return None if period.lower() == ALL_TIME else Quarter.parse(period) or self.current

    def selection(self) -> dict:
        """The selector's arguments from the valid parameters (call after `is_valid()`)."""
        data = self.form.cleaned_data
        partner = data.get("partner")
        return {
            "period": quarter_period(self.request.tenant, self.quarter()),
            "partner_id": partner.id if partner else None,
            "kind": data.get("kind") or None,
            "rule": data.get("rule") or None,
            # Read once for the page's statements (the tenant's reporting settings).
            "window_days": sourced_window_days(self.request.tenant),
        }
