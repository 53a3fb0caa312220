"""Event attendance: a program's attendee list, from the API's bulk rows and CSV imports alike.

The rules:
- One attendance per person per program. The person is a lead: found by email or created through
  the lead intake (`lead_intake`, door `event`), so an attendee list never makes a duplicate lead
  and fills the lead's empty fields like any arrival.
- The status moves forward only: registered → attended or no-show, and no-show → attended (a late
  check-in). A registration arriving after the person attended keeps the attendance as it is (and
  fills its registration time if it had none); an attended person is never turned into a no-show
  (the row is refused, saying so).
- Each status keeps the time it was first reached (`occurred_at`, else now) and is recorded once as
  the lead's touch (event_registered / event_attended / event_no_show) at that time, so re-sending
  a list changes nothing.
- The account is the lead's target account, refreshed at each arrival.
- Audited: `attendance.recorded` (a new attendance), `attendance.status_changed` (before → after).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.importing.options import ReadOptions
from accounts.models import Program
from accounts.rows import NumberedRow, validate_rows
from accounts.services.upserts import UpsertReport
from leads import selectors
from leads.import_rows import AttendanceRow
from leads.models import Attendance, AttendanceStatus, LeadSource, TouchKind
from leads.services.bulk_intake import record_row
from leads.services.leads import lead_intake
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audit_transition
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant

TOUCH_KINDS = {
    AttendanceStatus.REGISTERED: TouchKind.EVENT_REGISTERED,
    AttendanceStatus.ATTENDED: TouchKind.EVENT_ATTENDED,
    AttendanceStatus.NO_SHOW: TouchKind.EVENT_NO_SHOW,
}
TIME_FIELDS = {
    AttendanceStatus.REGISTERED: "registered_at",
    AttendanceStatus.ATTENDED: "attended_at",
    AttendanceStatus.NO_SHOW: "no_show_at",
}
# Where an attendance's status may move; any other arrival leaves the status as it is.
STATUS_MOVES: dict[str, frozenset[str]] = {
    AttendanceStatus.REGISTERED: frozenset({AttendanceStatus.ATTENDED, AttendanceStatus.NO_SHOW}),
    AttendanceStatus.NO_SHOW: frozenset({AttendanceStatus.ATTENDED}),
    AttendanceStatus.ATTENDED: frozenset(),
}
PERSON_FIELDS = ("email", "first_name", "last_name", "title", "company_name", "web_domain")


@dataclass
class AttendanceResult:
    attendance: Attendance
    created: bool
    changed: bool


def _refuse_contradiction(attendance: Attendance | None, status: str) -> None:
    if (
        attendance is not None
        and attendance.status == AttendanceStatus.ATTENDED
        and status == AttendanceStatus.NO_SHOW
    ):
        raise ServiceError(
            f"{attendance.lead.email} attended this program's event already: an attendee is not "
            "turned into a no-show.",
            field="status",
        )


@transaction.atomic
def attendance_record(*, tenant: Tenant, actor: Actor, program_id: int, data: Mapping) -> AttendanceResult:
    """Record one person's status on a program's attendee list (see the module for the rules).
    `data`: `email`, `status`, optionally `occurred_at` and the person's `first_name`, `last_name`,
    `title`, `company_name`, `web_domain`."""
    program = Program.objects.filter(tenant=tenant, id=program_id).first()
    if program is None:
        raise ServiceError("No such program.", field="program")
    status = data["status"]
    if status not in AttendanceStatus.values:
        raise ServiceError(f"“{status}” is not an attendance status.", field="status")
    email = str(data.get("email") or "").strip().lower()
    lead = selectors.lead_for_key(tenant=tenant, email=email, lock=True)
    attendance = (
        selectors.attendance_of(tenant=tenant, program=program, lead=lead, lock=True) if lead else None
    )
    _refuse_contradiction(attendance, status)
    time_field = TIME_FIELDS[status]
    # A status reached already keeps its time: its touch then repeats one recorded, adding nothing.
    stored = getattr(attendance, time_field) if attendance is not None else None
    occurred_at = stored or data.get("occurred_at") or timezone.now()
    person = {name: data[name] for name in PERSON_FIELDS if data.get(name)}
    intake = lead_intake(
        tenant=tenant,
        actor=actor,
        data={
            **person,
            "tracking_code": program.tracking_code,
            "touch_kind": TOUCH_KINDS[status],
            "occurred_at": occurred_at,
        },
        source=LeadSource.EVENT,
    )
    if attendance is None:  # a first arrival of a new email raced with this one: it may exist now
        attendance = selectors.attendance_of(tenant=tenant, program=program, lead=intake.lead, lock=True)
        _refuse_contradiction(attendance, status)
    if attendance is None:
        attendance = Attendance.objects.create(
            tenant=tenant,
            program=program,
            lead=intake.lead,
            account=intake.lead.account,
            status=status,
            status_changed_at=occurred_at,
            **{time_field: occurred_at},
        )
        audit(
            tenant=tenant,
            actor=actor,
            action="attendance.recorded",
            target=attendance,
            after={
                "status": status,
                "program": program.id,
                "lead": intake.lead.id,
                "account": attendance.account_id,
                time_field: occurred_at.isoformat(),
            },
        )
        return AttendanceResult(attendance=attendance, created=True, changed=True)
    changed_fields = []
    if getattr(attendance, time_field) is None:
        setattr(attendance, time_field, occurred_at)
        changed_fields.append(time_field)
    if attendance.account_id != intake.lead.account_id:
        attendance.account = intake.lead.account
        changed_fields.append("account")
    before = attendance.status
    if status in STATUS_MOVES[before]:
        attendance.status, attendance.status_changed_at = status, occurred_at
        changed_fields += ["status", "status_changed_at"]
    if changed_fields:
        attendance.save(update_fields=[*changed_fields, "updated_at"])
    if attendance.status != before:
        audit_transition(
            tenant=tenant,
            actor=actor,
            action="attendance.status_changed",
            target=attendance,
            from_state=before,
            to_state=attendance.status,
        )
    return AttendanceResult(
        attendance=attendance, created=False, changed=bool(changed_fields) or intake.changed
    )


def attendances_record(
    *,
    tenant: Tenant,
    actor: Actor,
    program_id: int,
    rows: list[NumberedRow],
    options: ReadOptions | None = None,
) -> UpsertReport:
    """A batch of a program's attendee list (the bulk API, a CSV import's chunk): each row is read by
    AttendanceRow and recorded on its own (`attendance_record`); a bad row is reported with its
    number and field and the others are written. A row repeating an earlier row's email is rejected,
    naming it. Re-sending rows changes nothing: they come back unchanged."""
    report = UpsertReport()
    valid, report.rejected = validate_rows(AttendanceRow, tenant=tenant, rows=rows, options=options)
    for number, data in valid:
        record_row(
            report,
            number,
            lambda data=data: attendance_record(tenant=tenant, actor=actor, program_id=program_id, data=data),
        )
    report.rejected.sort(key=lambda entry: entry["row"])
    return report
