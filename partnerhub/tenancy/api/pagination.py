from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """Lists people page through and jump in: `?page=` and `?page_size=` (at most 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(pagination.CursorPagination):
    """For large, append-mostly lists (audit events, leads): stable under inserts, no COUNT(*)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"


class KeysetPagination(pagination.CursorPagination):
    """Big lists (accounts, opportunities, account mappings, and later ones past ~10,000 rows):
    in id order, oldest first, one `?cursor=` to the next page. Any depth costs one index range
    scan, and no request counts the tenant's whole table. The `sort` filter is refused here: its
    orders are not keyset-stable; filter to narrow the list instead. Index: (tenant, id)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "id"

    def paginate_queryset(self, queryset, request, view=None):
        for name in ("sort", "ordering"):
            if request.query_params.get(name):
                raise ValidationError(
                    {name: ["This list pages by cursor in id order and cannot be sorted; filter it instead."]}
                )
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request, queryset, view):
        return (self.ordering,)  # never a client's: the keyset needs the indexed id order
