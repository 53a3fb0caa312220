from django import template
from django.http import QueryDict

from partnerhub.tenancy.roles import can as role_can

register = template.Library()


@register.filter
def can(membership, permission: str) -> bool:
    """{% if membership|can:"partner.change" %}: the same rule the views enforce."""
    return membership is not None and role_can(membership.role, permission)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (pagination, sorting links)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode() if query else "?"


@register.simple_tag(takes_context=True)
def sort_link(context, field: str) -> str:
    """Link for a sortable column header: toggles ascending / descending and resets the page."""
    current = context["request"].GET.get("sort", "")
    target = f"-{field}" if current == field else field
    return query_with(context, sort=target, page=None)


@register.filter
def sort_marker(request, field: str) -> str:
    current = request.GET.get("sort", "")
    return "▲" if current == field else "▼" if current == f"-{field}" else ""
