"""Event attendance: a program's attendee list, from the API's bulk rows and CSV imports alike.

The rules:
- One attendance per person per program. The person is a lead: found by email or created through
  the lead intake (door `event`; set-based through leads.services.bulk_intake, which keeps
  `lead_intake`'s rules), so an attendee list never makes a duplicate lead and fills the lead's
  empty fields like any arrival.
- The status moves forward only: registered → attended or no-show, and no-show → attended (a late
  check-in). A registration arriving after the person attended keeps the attendance as it is (and
  fills its registration time if it had none); an attended person is never turned into a no-show
  (the row is refused, saying so).
- Each status keeps the time it was first reached (`occurred_at`, else now) and is recorded once as
  the lead's touch (event_registered / event_attended / event_no_show) at that time, so re-sending
  a list changes nothing.
- The account is the lead's target account, refreshed at each arrival.
- Audited: `attendance.recorded` (a new attendance), `attendance.status_changed` (before → after).

A list is recorded in chunks, each in a fixed number of statements whatever its rows: the program
once per list; per chunk the people's leads and attendances (locked), the intake, one INSERT of the
new attendances, one UPDATE of the moved ones, one insert of their audit events. A person named twice
in a chunk (in another case) is recorded in a second round, after their first row. When a concurrent
list records one of the chunk's people first, the chunk is recorded again row by row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.importing.options import ReadOptions
from accounts.models import Program
from accounts.rows import NumberedRow, rejection, validate_rows
from accounts.services.upserts import UpsertReport
from leads import selectors
from leads.import_rows import AttendanceRow
from leads.models import Attendance, AttendanceStatus, LeadSource, TouchKind
from leads.selectors.intake import leads_for_keys
from leads.services.bulk_intake import CHUNK_ROWS, Arrival, arrivals_intake, tally
from leads.services.leads import Intake
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit_many
from partnerhub.tenancy.bulk_sql import update_rows
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


def _refuse_contradiction(attendance: Attendance | None, status: str, email: str) -> None:
    if (
        attendance is not None
        and attendance.status == AttendanceStatus.ATTENDED
        and status == AttendanceStatus.NO_SHOW
    ):
        raise ServiceError(
            f"{email} attended this program's event already: an attendee is not turned into a no-show.",
            field="status",
        )


def _program(tenant: Tenant, program_id: int) -> Program:
    program = Program.objects.filter(tenant=tenant, id=program_id).first()
    if program is None:
        raise ServiceError("No such program.", field="program")
    return program


@transaction.atomic
def attendance_record(*, tenant: Tenant, actor: Actor, program_id: int, data: Mapping) -> AttendanceResult:
    """Record one person's status on a program's attendee list (see the module for the rules).
    `data`: `email`, `status`, optionally `occurred_at` and the person's `first_name`, `last_name`,
    `title`, `company_name`, `web_domain`."""
    program = _program(tenant, program_id)
    if data["status"] not in AttendanceStatus.values:
        raise ServiceError(f"“{data['status']}” is not an attendance status.", field="status")
    (outcome,) = _record(tenant, actor, program, [(1, data)])
    if isinstance(outcome, list):
        raise ServiceError(outcome[0]["reason"], field=outcome[0]["column"] or None)
    return outcome


def attendances_record(
    *,
    tenant: Tenant,
    actor: Actor,
    program_id: int,
    rows: list[NumberedRow],
    options: ReadOptions | None = None,
) -> UpsertReport:
    """A batch of a program's attendee list (the bulk API, a CSV import's chunk): each row is read by
    AttendanceRow and recorded with the rules of `attendance_record`; a bad row is reported with its
    number and field and the others are written. A row repeating an earlier row's email is rejected,
    naming it. Re-sending rows changes nothing: they come back unchanged. Set-based: the program is
    read once, and each chunk of CHUNK_ROWS costs a fixed number of statements, whatever its rows."""
    report = UpsertReport()
    valid, report.rejected = validate_rows(AttendanceRow, tenant=tenant, rows=rows, options=options)
    try:
        program = _program(tenant, program_id)
    except ServiceError as exc:
        report.rejected.extend(rejection(number, exc.field or "", exc.message) for number, _ in valid)
        valid = []
    for start in range(0, len(valid), CHUNK_ROWS):
        for people in _rounds(valid[start : start + CHUNK_ROWS]):
            tally(report, _record(tenant, actor, program, people))
    report.rejected.sort(key=lambda entry: entry["row"])
    return report


def _email(data: Mapping) -> str:
    return str(data.get("email") or "").strip().lower()


def _rounds(rows: list[tuple[int, Mapping]]) -> list[list[tuple[int, Mapping]]]:
    """The rows in rounds of distinct emails, in order: the second row of a person (an email in
    another case) is recorded after the first, as row after row would."""
    rounds: list[list[tuple[int, Mapping]]] = []
    seen: dict[str, int] = {}
    for number, data in rows:
        times = seen[_email(data)] = seen.get(_email(data), 0) + 1
        if times > len(rounds):
            rounds.append([])
        rounds[times - 1].append((number, data))
    return rounds


Outcome = AttendanceResult | list[dict]


def _record(tenant: Tenant, actor: Actor, program: Program, rows: list[tuple[int, Mapping]]) -> list[Outcome]:
    """Record these rows (of distinct people) in one savepoint. When a concurrent list recorded one
    of the people first (the unique attendance per program and lead), the rows are recorded one by
    one, each then seeing what the other committed."""
    try:
        with transaction.atomic():
            return _Chunk(tenant, actor, program, rows).run()
    except IntegrityError:
        if len(rows) == 1:
            raise
        return [outcome for row in rows for outcome in _record(tenant, actor, program, [row])]


class _Chunk:
    """One chunk's rows, judged in memory against the attendances and leads read for all of them
    (one query each), the leads' arrivals through the bulk intake (set-based, the single intake's
    rules), then the attendances written in one INSERT, one UPDATE and one audit insert."""

    def __init__(self, tenant: Tenant, actor: Actor, program: Program, rows: list[tuple[int, Mapping]]):
        self.tenant, self.actor, self.program, self.rows = tenant, actor, program, rows
        self.outcomes: dict[int, Outcome] = {}
        self.now = timezone.now()

    def run(self) -> list[Outcome]:
        leads = leads_for_keys(
            tenant=self.tenant, emails={_email(data) for _, data in self.rows}, external_ids=(), lock=True
        )
        lead_by_email = {lead.email: lead for lead in leads}
        known = selectors.attendances_by_lead(
            tenant=self.tenant, program=self.program, lead_ids=[lead.id for lead in leads], lock=True
        )
        arrivals = []
        for number, data in self.rows:
            lead = lead_by_email.get(_email(data))
            attendance = known.get(lead.id) if lead is not None else None
            arrival = self._arrival(number, data, attendance)
            if arrival is not None:
                arrivals.append((arrival, data, attendance))
        intakes = arrivals_intake(self.tenant, self.actor, [arrival for arrival, _, _ in arrivals])
        self._write(arrivals, intakes)
        return [self.outcomes[number] for number, _ in self.rows]

    def _arrival(self, number: int, data: Mapping, attendance: Attendance | None) -> Arrival | None:
        """The row's arrival of its person (the lead intake's data), or None when the row is refused."""
        status = data["status"]
        try:
            _refuse_contradiction(attendance, status, _email(data))
        except ServiceError as exc:
            self.outcomes[number] = [rejection(number, exc.field or "", exc.message)]
            return None
        # A status reached already keeps its time: its touch then repeats one recorded, adding nothing.
        stored = getattr(attendance, TIME_FIELDS[status]) if attendance is not None else None
        person = {name: data[name] for name in PERSON_FIELDS if data.get(name)}
        intake_data = {
            **person,
            "tracking_code": self.program.tracking_code,
            "touch_kind": TOUCH_KINDS[status],
            "occurred_at": stored or data.get("occurred_at") or self.now,
        }
        return Arrival(number=number, data=intake_data, source=LeadSource.EVENT)

    def _write(self, arrivals: list[tuple[Arrival, Mapping, Attendance | None]], intakes: list) -> None:
        # A person whose lead another arrival created meanwhile (this intake merged into it) may have
        # had their attendance recorded by that arrival too: read those, locked.
        unseen = [
            intake.lead.id
            for (_, _, attendance), intake in zip(arrivals, intakes, strict=True)
            if isinstance(intake, Intake) and attendance is None and not intake.created
        ]
        late = selectors.attendances_by_lead(
            tenant=self.tenant, program=self.program, lead_ids=unseen, lock=True
        )
        created, updated, fields, events = [], [], set(), []
        for (arrival, data, attendance), intake in zip(arrivals, intakes, strict=True):
            number = arrival.number
            if isinstance(intake, list):
                self.outcomes[number] = intake
                continue
            attendance = attendance or late.get(intake.lead.id)
            status, occurred_at = data["status"], arrival.data["occurred_at"]
            try:
                _refuse_contradiction(attendance, status, intake.lead.email)
            except ServiceError as exc:
                self.outcomes[number] = [rejection(number, exc.field or "", exc.message)]
                continue
            if attendance is None:
                attendance = self._new(intake, status, occurred_at)
                created.append(attendance)
                self.outcomes[number] = AttendanceResult(attendance=attendance, created=True, changed=True)
                continue
            before = attendance.status
            changed_fields = _move(attendance, intake, status, occurred_at)
            if changed_fields:
                attendance.updated_at = self.now
                updated.append(attendance)
                fields.update(changed_fields)
            if attendance.status != before:
                events.append(
                    (
                        "attendance.status_changed",
                        attendance,
                        {"status": before},
                        {"status": attendance.status},
                    )
                )
            self.outcomes[number] = AttendanceResult(
                attendance=attendance, created=False, changed=bool(changed_fields) or intake.changed
            )
        Attendance.objects.bulk_create(created)
        update_rows(updated, [*sorted(fields), "updated_at"])
        recorded = [
            ("attendance.recorded", attendance, None, _recorded(attendance)) for attendance in created
        ]
        audit_many(tenant=self.tenant, actor=self.actor, events=recorded + events)

    def _new(self, intake: Intake, status: str, occurred_at) -> Attendance:
        return Attendance(
            tenant=self.tenant,
            program=self.program,
            lead=intake.lead,
            account=intake.lead.account,
            status=status,
            status_changed_at=occurred_at,
            created_at=self.now,
            updated_at=self.now,
            **{TIME_FIELDS[status]: occurred_at},
        )


def _move(attendance: Attendance, intake: Intake, status: str, occurred_at) -> list[str]:
    """Apply an arrival to a recorded attendance: fill the status's time, refresh the account, move
    the status forward (STATUS_MOVES). Returns the fields it changed."""
    changed = []
    time_field = TIME_FIELDS[status]
    if getattr(attendance, time_field) is None:
        setattr(attendance, time_field, occurred_at)
        changed.append(time_field)
    if attendance.account_id != intake.lead.account_id:
        attendance.account = intake.lead.account
        changed.append("account")
    if status in STATUS_MOVES[attendance.status]:
        attendance.status, attendance.status_changed_at = status, occurred_at
        changed += ["status", "status_changed_at"]
    return changed


def _recorded(attendance: Attendance) -> dict:
    """The `after` of an attendance.recorded event."""
    time_field = TIME_FIELDS[attendance.status]
    return {
        "status": attendance.status,
        "program": attendance.program_id,
        "lead": attendance.lead_id,
        "account": attendance.account_id,
        time_field: getattr(attendance, time_field).isoformat(),
    }
