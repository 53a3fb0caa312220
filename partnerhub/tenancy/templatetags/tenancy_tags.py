from django import template
from django.http import QueryDict

from partnerhub.tenancy import formats
from partnerhub.tenancy.roles import can as role_can
from partnerhub.tenancy.selectors import request_vertical_labels

register = template.Library()


# Money, dates and numbers: every template writes them through these, in the tenant's locale and
# time zone (partnerhub/tenancy/formats.py), never with Django's `date` or `floatformat`.


@register.filter
def money(amount, currency: str) -> str:
    """{{ opportunity.amount|money:opportunity.currency }} → $40,000.00"""
    return formats.format_money(amount, currency)


@register.filter
def local_date(value) -> str:
    """{{ plan.follow_up.due_on|local_date }} → Dec 31, 2026 (en_US), 31 Dec 2026 (en_GB)"""
    return formats.format_date(value)


@register.filter
def local_datetime(value) -> str:
    """{{ event.created_at|local_datetime }} → Dec 1, 2026, 9:38 PM, in the tenant's time zone"""
    return formats.format_datetime(value)


@register.filter
def number(value) -> str:
    """{{ job.total_rows|number }} → 12,500"""
    return formats.format_number(value)


@register.filter
def percent(ratio) -> str:
    """{{ figures.attendance_rate|percent }} → 42.5%"""
    return formats.format_percent(ratio)


@register.simple_tag(takes_context=True)
def vertical_label(context, value: str) -> str:
    """{% vertical_label account.industry %} → the tenant's label of the vertical ("" for none; a
    value the tenant has no vertical for shows as itself). The labels are read once per request."""
    if not value:
        return ""
    return request_vertical_labels(context["request"]).get(value, value)


@register.simple_tag(takes_context=True)
def vertical_labels(context, values) -> list[str]:
    """{% vertical_labels partner.verticals as labels %}: each value's label, in the row's order."""
    labels = request_vertical_labels(context["request"])
    return [labels.get(value, value) for value in values or []]


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
