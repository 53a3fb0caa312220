"""Filters of the scorecards (the plans they score), shared by the portal and the API."""

import django_filters

from accounts.models import Plan
from mdf.filters_funds import QuarterFilter
from partnerhub.tenancy.filters import tenant_partners
from plays.filters import tenant_plays
from reporting.selectors.scorecard import SCORECARD_GROUPS


class ScorecardFilter(django_filters.FilterSet):
    by = django_filters.ChoiceFilter(
        choices=list(SCORECARD_GROUPS.items()),
        method="keep",
        empty_label="Per plan",
        label="One row per",
        help_text="plan (the default; one program each), partner or quarter.",
    )
    period = QuarterFilter(label="Quarter", help_text="The plans' quarter, written 2026-Q4.")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    play = django_filters.ModelChoiceFilter(queryset=tenant_plays, empty_label="Any play")

    class Meta:
        model = Plan
        fields = ["by", "period", "partner", "play"]

    def keep(self, queryset, name, value):
        return queryset  # how rows are grouped, not which plans

    @property
    def group(self) -> str:
        by = self.form.cleaned_data.get("by") if self.is_valid() else ""
        return by or "plan"
