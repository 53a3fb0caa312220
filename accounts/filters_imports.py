"""Filters of the imports history, the import vocabulary and the saved import mappings."""

import django_filters
from django.db.models import Q

from accounts.importing.kinds import import_kind_choices, kind_label
from accounts.models import ImportJob, ImportMapping, ValueMapping
from accounts.services.imports import saves_mappings
from partnerhub.tenancy.filters import SortFilter


class ImportJobFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=import_kind_choices, empty_label="Any kind")
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


class ValueMappingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    field = django_filters.ChoiceFilter(
        choices=ValueMapping.Field.choices, label="Vocabulary", empty_label="Every vocabulary"
    )
    sort = SortFilter(fields=(("key", "word"), ("value", "value"), ("updated_at", "changed")))

    class Meta:
        model = ValueMapping
        fields = ["q", "field"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(source_value__icontains=value) | Q(key__icontains=value))


class ImportMappingFilter(django_filters.FilterSet):
    """The saved column mappings: the portal's list, and the API's for a sync script looking up the
    names the bulk API takes."""

    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(
        choices=lambda: [(kind, kind_label(kind)) for kind in saves_mappings()], empty_label="Any kind"
    )
    sort = SortFilter(fields=(("name", "name"), ("kind", "kind"), ("updated_at", "updated")))

    class Meta:
        model = ImportMapping
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)
