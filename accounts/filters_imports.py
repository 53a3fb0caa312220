"""Filters of the imports history and of the saved column mappings."""

import django_filters

from accounts.models import ImportJob, ImportMapping
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


class ImportMappingFilter(django_filters.FilterSet):
    """The saved column mappings, e.g. for a sync script looking up the names the bulk API takes."""

    kind = django_filters.ChoiceFilter(choices=ImportJob.Kind.choices, empty_label="Any kind")
    sort = SortFilter(fields=(("name", "name"), ("kind", "kind"), ("updated_at", "updated")))

    class Meta:
        model = ImportMapping
        fields = ["kind"]
