"""Filters shared by the portal lists and the API (one definition, two interfaces)."""

import django_filters
from django import forms
from django.db.models import Q

from partnerhub.tenancy.models import AuditEvent, Membership, Notification, Partner
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.scoping import scope_for
from partnerhub.tenancy.selectors import partner_choices, vertical_choices
from partnerhub.tenancy.taxonomy import Region


def tenant_partners(request):
    """Partners a filter may name: a partner user's choice is their own company only, so an id of
    another partner is "not a valid choice", exactly like an id that does not exist."""
    partners = partner_choices(tenant=request.tenant)
    return scope_for(partners, tenant=request.tenant, membership=request.membership)


def _choices_of_the_tenant() -> list:
    # A callable, so the OpenAPI schema documents a plain string: the list is the tenant's.
    return []


class VerticalFilter(django_filters.ChoiceFilter):
    """A filter on one of the tenant's verticals, offered from the request's tenant when the form is
    built, archived ones too (rows keep them). `fixed_choices` come first (a plan's market may be a
    region or a segment as well)."""

    def __init__(self, *args, fixed_choices=(), **kwargs):
        kwargs.setdefault("choices", _choices_of_the_tenant)
        kwargs.setdefault(
            "help_text", "A vertical's value, as GET /api/v1/verticals/ lists the tenant's verticals."
        )
        self.fixed_choices = list(fixed_choices)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            tenant = getattr(getattr(self.parent, "request", None), "tenant", None)
            verticals = vertical_choices(tenant=tenant, archived=True) if tenant is not None else []
            self.extra["choices"] = [*self.fixed_choices, *verticals]
        return super().field


class SortFilter(django_filters.OrderingFilter):
    """`?sort=`: the one way to order a list, in the portal and the API alike. The id is the last
    key, so pages stay stable where the sorted values tie."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "help_text",
            "Sort by these keys, comma-separated, `-` before one for descending (`sort=-created,name`); "
            "rows that tie stay in id order.",
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "id")
        return qs


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    tier = django_filters.ChoiceFilter(choices=Partner.Tier.choices, empty_label="Any tier")
    status = django_filters.ChoiceFilter(choices=Partner.Status.choices, empty_label="Any status")
    vertical = VerticalFilter(method="has_vertical", label="Vertical", empty_label="Any vertical")
    region = django_filters.ChoiceFilter(
        choices=Region.choices, method="has_region", label="Region", empty_label="Any region"
    )
    has_marketing_automation = django_filters.BooleanFilter(
        label="Own marketing automation",
        widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]),
    )
    sort = SortFilter(
        fields=(("name", "name"), ("tier", "tier"), ("status", "status"), ("created_at", "created"))
    )

    class Meta:
        model = Partner
        fields = ["q", "tier", "status", "vertical", "region", "has_marketing_automation"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(website__icontains=value))

    def has_vertical(self, queryset, name, value: str):
        return queryset.filter(verticals__contains=[value])

    def has_region(self, queryset, name, value):
        return queryset.filter(regions__contains=[value])


class MembershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    role = django_filters.ChoiceFilter(choices=Role.choices, empty_label="Any role")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    sort = SortFilter(fields=(("user__email", "email"), ("role", "role"), ("created_at", "joined")))

    class Meta:
        model = Membership
        fields = ["q", "role", "partner"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(user__email__icontains=value) | Q(user__full_name__icontains=value))


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(lookup_expr="startswith", label="Action starts with")
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label="Actor")
    target = django_filters.CharFilter(field_name="target_label", lookup_expr="icontains", label="Target")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target", "since", "until"]


class NotificationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[("unread", "Unread"), ("read", "Read")], method="by_state", label="Show", empty_label="All"
    )
    sort = SortFilter(fields=(("created_at", "created"),))

    class Meta:
        model = Notification
        fields = ["state"]

    def by_state(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "unread")


def without_sort(filterset_class):
    """The filterset minus its `sort`, for API lists paged by keyset (their order is fixed, and the
    schema then offers no sort it would refuse)."""
    return type(f"{filterset_class.__name__}WithoutSort", (filterset_class,), {"sort": None})
