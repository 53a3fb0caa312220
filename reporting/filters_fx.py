"""Filters of the FX rate list, shared by the portal and the API."""

import django_filters

from partnerhub.tenancy.taxonomy import currency_choices
from reporting.models import FxRate


class FxRateFilter(django_filters.FilterSet):
    currency = django_filters.ChoiceFilter(choices=currency_choices(), empty_label="Any currency")
    quote_currency = django_filters.ChoiceFilter(choices=currency_choices(), empty_label="Any currency")
    date_from = django_filters.DateFilter(field_name="rate_date", lookup_expr="gte", label="From")
    date_to = django_filters.DateFilter(field_name="rate_date", lookup_expr="lte", label="To")

    class Meta:
        model = FxRate
        fields = ["currency", "quote_currency", "date_from", "date_to"]
