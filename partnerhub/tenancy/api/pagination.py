from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Always on: `?page=` and `?page_size=` (at most 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(pagination.CursorPagination):
    """For large, append-mostly lists (audit events, leads): stable under inserts, no COUNT(*)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"
