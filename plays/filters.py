"""Filters shared by the plays portal lists and the API (one definition, two interfaces)."""

import django_filters
from django.db.models import Q

from partnerhub.tenancy.filters import SortFilter, VerticalFilter, tenant_partners
from plays.models import ActivationPackage
from plays.selectors import play_choices


def tenant_plays(request):
    return play_choices(tenant=request.tenant)


class PackageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    play = django_filters.ModelChoiceFilter(queryset=tenant_plays, empty_label="Any play")
    kind = django_filters.ChoiceFilter(
        choices=[("master", "Masters"), ("version", "Versions")],
        method="master_or_version",
        label="Master or version",
        empty_label="Masters and versions",
    )
    vertical = VerticalFilter(empty_label="Any vertical")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    sort = SortFilter(fields=(("name", "name"), ("revision", "revision"), ("updated_at", "updated")))

    class Meta:
        model = ActivationPackage
        fields = ["q", "play", "kind", "vertical", "partner"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(partner__name__icontains=value))

    def master_or_version(self, queryset, name, value):
        return queryset.filter(parent__isnull=value == "master")
