"""A program's attendance page: its attendee list (filters by status and target account, sort, CSV
export, pagination), the counts by status and its target-account attendance ("N of M named accounts
attended"). Staff only, like the leads it lists."""

from django.shortcuts import get_object_or_404
from django.urls import path

from leads.filters_attendance import AttendanceFilter
from leads.selectors import (
    attendance_account_choices,
    attendance_figures,
    attendance_list,
    lead_program_choices,
)
from partnerhub.tenancy.portal import TenantListView
from partnerhub.tenancy.scoping import scope_for


class ProgramAttendanceFilter(AttendanceFilter):
    """The page's filters: the program is the page's; the accounts offered are its plan's named ones."""

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        del self.filters["program"]
        self.filters["account"].queryset = attendance_account_choices(tenant=program.tenant, program=program)


class ProgramAttendanceView(TenantListView):
    permission = "lead.view"
    # The rows are one program's (get_queryset): the query-count suite reverses list routes without
    # an id, so tests/leads/test_attendance.py counts this page's queries for 5 and for 50 rows.
    queryset_selector = None
    template_name = "leads/attendance_list.html"
    partial_template_name = "leads/partials/_attendance_table.html"
    csv_name = "attendance"
    csv_columns = [
        ("Email", "lead.email"),
        ("First name", "lead.first_name"),
        ("Last name", "lead.last_name"),
        ("Title", "lead.title"),
        ("Company", "lead.company_name"),
        ("Target account", "account.name"),
        ("Status", "get_status_display"),
        ("Registered", "registered_at"),
        ("Attended", "attended_at"),
        ("No-show", "no_show_at"),
        ("Status changed", "status_changed_at"),
    ]

    def dispatch(self, request, *args, **kwargs):
        # Another partner's program (or another tenant's id) is a 404, before the role check.
        programs = scope_for(
            lead_program_choices(tenant=self.tenant), tenant=self.tenant, membership=self.membership
        )
        self.program = get_object_or_404(programs.select_related("partner", "plan"), pk=kwargs["program_id"])
        self.filterset_class = lambda *a, **kw: ProgramAttendanceFilter(*a, program=self.program, **kw)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        attendances = attendance_list(tenant=self.tenant).filter(program=self.program)
        return scope_for(attendances, tenant=self.tenant, membership=self.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            program=self.program, figures=attendance_figures(tenant=self.tenant, program=self.program)
        )
        return context


urlpatterns = [
    path(
        "leads/programs/<int:program_id>/attendance/",
        ProgramAttendanceView.as_view(),
        name="program_attendance",
    ),
]
