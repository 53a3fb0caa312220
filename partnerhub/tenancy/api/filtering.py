"""The API's filter backend: django-filter's, skipped when a request names none of the list's
filters (building and validating the filter form is a millisecond of every list call).

A list is ordered by its filterset's `sort` and nothing else; `ordering` (another convention,
which this API once had too) is refused with a pointer rather than ignored."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

ORDERING_REFUSED = "Lists are ordered with `sort` (for example `sort=-created`), where one can be."


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        if "ordering" in request.query_params:
            raise ValidationError({"ordering": [ORDERING_REFUSED]})
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
