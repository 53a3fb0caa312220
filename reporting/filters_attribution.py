"""Filters of the attribution drill-down, shared by the portal and the API: which opportunities
(created in a quarter), whose (a partner), and which pipeline and rule."""

from __future__ import annotations

import datetime

import django_filters

from accounts.models import Opportunity
from mdf.filters_funds import QuarterFilter
from mdf.selectors.funds import Quarter
from partnerhub.tenancy.filters import tenant_partners
from reporting.selectors.attribution import INFLUENCED, RULES, SOURCED, Period

KINDS = [(SOURCED, "Sourced"), (INFLUENCED, "Influenced")]


def quarter_period(tenant, quarter: Quarter | None) -> Period:
    """The instants a quarter covers in the tenant's time zone (None: all time)."""
    if quarter is None:
        return Period()

    def start(q: Quarter) -> datetime.datetime:
        return datetime.datetime(q.year, 3 * q.quarter - 2, 1, tzinfo=tenant.zone)

    return Period(since=start(quarter), until=start(quarter.shifted(1)))


class AttributionFilter(django_filters.FilterSet):
    """Validates the parameters; the selector (SQL) applies them, so each filter keeps the rows."""

    period = QuarterFilter(
        label="Created in",
        method="keep",
        help_text="The opportunities' quarter of creation, written 2026-Q4.",
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

    def keep(self, queryset, name, value):
        return queryset

    def selection(self) -> dict:
        """The selector's arguments from the valid parameters."""
        data = self.form.cleaned_data
        partner = data.get("partner")
        return {
            "period": quarter_period(self.request.tenant, Quarter.parse(data.get("period"))),
            "partner_id": partner.id if partner else None,
            "kind": data.get("kind") or None,
            "rule": data.get("rule") or None,
        }
