"""Filters of the imports history."""

import django_filters

from accounts.models import ImportJob
from partnerhub.tenancy.filters import SortFilter


class ImportJobFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ImportJob.Kind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=ImportJob.Status.choices, empty_label="Any status")
    sort = SortFilter(
        fields=(
            ("created_at", "created"),
            ("filename", "file"),
            ("kind", "kind"),
            ("status", "status"),
            ("total_rows", "rows"),
            ("rejected_count", "rejected"),
        )
    )

    class Meta:
        model = ImportJob
        fields = ["kind", "status"]
