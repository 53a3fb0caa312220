"""Filters of the checkpoint list, shared by the portal and the API."""

import django_filters
from django.db.models import Q

from accounts.models import Checkpoint, Plan
from mdf.filters_funds import QuarterFilter
from partnerhub.tenancy.filters import SortFilter, tenant_partners
from partnerhub.tenancy.scoping import scope_for


def launched_plans(request):
    """Plans a filter may name: launched ones in the caller's scope (a partner's own)."""
    plans = Plan.objects.filter(tenant=request.tenant, launched_at__isnull=False)
    return scope_for(plans, tenant=request.tenant, membership=request.membership)


STATES = [
    ("open", "Open"),
    ("met", "Met"),
    ("missed", "Missed"),
    ("no_target", "Recorded, no target"),
]
STATE_FILTERS = {
    "open": Q(frozen_at__isnull=True),
    "met": Q(frozen_at__isnull=False, snapshot__met=True),
    "missed": Q(frozen_at__isnull=False, snapshot__met=False),
    "no_target": Q(frozen_at__isnull=False, snapshot__met__isnull=True),
}


class CheckpointFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(
        field_name="plan__partner", queryset=tenant_partners, empty_label="Any partner"
    )
    plan = django_filters.ModelChoiceFilter(queryset=launched_plans, empty_label="Any plan")
    day = django_filters.ChoiceFilter(choices=Checkpoint.Day.choices, empty_label="Any day")
    state = django_filters.ChoiceFilter(
        choices=STATES, method="filter_state", empty_label="Any state", label="State"
    )
    period = QuarterFilter(prefix="plan__", label="Quarter", help_text="The plan's quarter, written 2026-Q4.")
    due_from = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label="Due from")
    due_to = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label="Due until")
    sort = SortFilter(fields=(("due_on", "due"), ("day", "day"), ("plan__name", "plan")))

    class Meta:
        model = Checkpoint
        fields = ["partner", "plan", "day", "state", "period", "due_from", "due_to"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(STATE_FILTERS[value])
