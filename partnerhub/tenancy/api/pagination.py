"""Pagination of every API list. A `page`, `page_size` or `cursor` the list cannot serve is a 400
naming the parameter (never a silent fallback to another page size, never a 404 for the list);
the schema states each parameter's bounds."""

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


def query_parameter(name: str, description: str, schema: dict) -> dict:
    """A pagination parameter as the OpenAPI schema lists it."""
    return {"name": name, "required": False, "in": "query", "description": description, "schema": schema}


class BoundedPageSize:
    """`?page_size=`: a whole number from 1 to `max_page_size`, else a 400; absent, `page_size`."""

    page_size_query_param = "page_size"
    page_size: int
    max_page_size: int

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"A page holds 1 to {self.max_page_size} rows: send a whole number in that range."
                    ]
                }
            )
        return int(raw)

    def page_size_parameter(self) -> dict:
        return query_parameter(
            self.page_size_query_param,
            f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}); outside that range "
            "the answer is a 400.",
            {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size},
        )


class PageNumberPagination(BoundedPageSize, pagination.PageNumberPagination):
    """Lists people page through and jump in: `?page=` and `?page_size=` (at most 200)."""

    page_size = 50
    max_page_size = 200

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "")
        if raw in self.last_page_strings:
            return paginator.num_pages
        if raw == "":
            return 1
        if not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise ValidationError({self.page_query_param: ["A page is a whole number, 1 for the first."]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:  # a page past the last: the list is there, that page is not
            size = self.get_page_size(request)
            last = self.django_paginator_class(queryset, size).num_pages
            raise ValidationError(
                {self.page_query_param: [f"There is no such page: the last is {last} at {size} rows a page."]}
            ) from exc

    def get_schema_operation_parameters(self, view):
        return [
            query_parameter(
                self.page_query_param,
                "Which page, 1 for the first (the default); past the last page the answer is a 400. "
                "`next` and `previous` link the neighbours.",
                {"type": "integer", "minimum": 1, "default": 1},
            ),
            self.page_size_parameter(),
        ]


def _is_id(position: str | None) -> bool:
    return position is None or (position.isascii() and position.isdigit())


class _Cursor(BoundedPageSize, pagination.CursorPagination):
    """A cursor is only ever one the list gave out (`next`, `previous`): anything else is a 400.
    These lists page by id, so a cursor's position is an id (a forged one would reach the query)."""

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise self.cursor_refused() from exc
        if cursor is not None and not _is_id(cursor.position):
            raise self.cursor_refused()
        return cursor

    def cursor_refused(self) -> ValidationError:
        message = "This cursor is not one this list gave: follow `next` or `previous`."
        return ValidationError({self.cursor_query_param: [message]})

    def get_schema_operation_parameters(self, view):
        return [
            query_parameter(
                self.cursor_query_param,
                "Where the page starts: leave it out for the first page, then follow the `next` and "
                "`previous` links, which carry it. Any other value is a 400.",
                {"type": "string"},
            ),
            self.page_size_parameter(),
        ]


class CursorPagination(_Cursor):
    """For large, append-mostly lists (audit events, leads): stable under inserts, no COUNT(*)."""

    page_size = 100
    max_page_size = 500
    ordering = "-id"


class KeysetPagination(_Cursor):
    """Big lists (accounts, opportunities, account mappings, and later ones past ~10,000 rows):
    in id order, oldest first, one `?cursor=` to the next page. Any depth costs one index range
    scan, and no request counts the tenant's whole table. The `sort` filter is refused here: its
    orders are not keyset-stable; filter to narrow the list instead. Index: (tenant, id)."""

    page_size = 50
    max_page_size = 200
    ordering = "id"

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get("sort"):
            raise ValidationError(
                {"sort": ["This list pages by cursor in id order and cannot be sorted; filter it instead."]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request, queryset, view):
        return (self.ordering,)  # never a client's: the keyset needs the indexed id order
