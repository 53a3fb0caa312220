"""Reads of event attendance: a program's attendee list, its counts by status and its target-account
attendance ("N of M named accounts attended"), each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import PlanAccount, Program, TargetAccount
from leads.models import Attendance, AttendanceStatus
from partnerhub.tenancy.models import Tenant


def attendance_list(*, tenant: Tenant) -> QuerySet[Attendance]:
    return Attendance.objects.filter(tenant=tenant).select_related("lead", "account", "program")


def attendances_by_lead(
    *, tenant: Tenant, program: Program, lead_ids: Collection[int], lock: bool = False
) -> dict[int, Attendance]:
    """{lead id: its attendance on the program's list}, for many leads in one query (locked when
    asked: a batch of the attendee list that changes them)."""
    if not lead_ids:
        return {}
    attendances = Attendance.objects.filter(tenant=tenant, program=program, lead_id__in=lead_ids)
    if lock:
        attendances = attendances.select_for_update(of=("self",))
    return {attendance.lead_id: attendance for attendance in attendances}


@dataclass(frozen=True)
class AttendanceFigures:
    registered: int
    attended: int
    no_show: int
    named_accounts: int
    named_accounts_attended: int

    @property
    def total(self) -> int:
        return self.registered + self.attended + self.no_show


def attendance_figures(*, tenant: Tenant, program: Program) -> AttendanceFigures:
    """A program's attendee counts by status, and its target-account attendance: how many of its
    plan's named accounts had at least one person attend, of how many it names. Two queries."""
    counts = Attendance.objects.filter(tenant=tenant, program=program).aggregate(
        registered=Count("id", filter=Q(status=AttendanceStatus.REGISTERED)),
        attended=Count("id", filter=Q(status=AttendanceStatus.ATTENDED)),
        no_show=Count("id", filter=Q(status=AttendanceStatus.NO_SHOW)),
    )
    named = PlanAccount.objects.filter(tenant=tenant, plan_id=program.plan_id).aggregate(
        named=Count("account_id", distinct=True),
        attended=Count(
            "account_id",
            distinct=True,
            filter=Q(
                account__in=Attendance.objects.filter(
                    tenant=tenant, program=program, status=AttendanceStatus.ATTENDED
                ).values("account_id")
            ),
        ),
    )
    return AttendanceFigures(
        registered=counts["registered"],
        attended=counts["attended"],
        no_show=counts["no_show"],
        named_accounts=named["named"],
        named_accounts_attended=named["attended"],
    )


def attendance_account_choices(*, tenant: Tenant, program: Program) -> QuerySet[TargetAccount]:
    """The accounts a program's attendee list can be filtered by: its plan's named accounts."""
    return TargetAccount.objects.filter(
        tenant=tenant,
        id__in=PlanAccount.objects.filter(tenant=tenant, plan_id=program.plan_id).values("account_id"),
    ).order_by("name", "id")
