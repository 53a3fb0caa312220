"""Filters of a program's attendee list, shared by the portal page and the API."""

import django_filters
from django.db.models import Q

from accounts.filters import tenant_accounts
from leads.filters import tenant_programs
from leads.models import Attendance, AttendanceStatus
from partnerhub.tenancy.filters import SortFilter


class AttendanceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    program = django_filters.ModelChoiceFilter(queryset=tenant_programs, empty_label="Any program")
    status = django_filters.ChoiceFilter(choices=AttendanceStatus.choices, empty_label="Any status")
    account = django_filters.ModelChoiceFilter(
        queryset=tenant_accounts, label="Target account", empty_label="Any account"
    )
    sort = SortFilter(
        fields=(
            ("lead__last_name", "name"),
            ("lead__email", "email"),
            ("account__name", "account"),
            ("status", "status"),
            ("status_changed_at", "changed"),
        )
    )

    class Meta:
        model = Attendance
        fields = ["q", "program", "status", "account"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(lead__email__icontains=value)
            | Q(lead__first_name__icontains=value)
            | Q(lead__last_name__icontains=value)
            | Q(lead__company_name__icontains=value)
        )
