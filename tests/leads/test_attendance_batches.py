"""Attendee lists in batches: a fixed number of queries per chunk whatever its number of rows (the
program read once, the people's leads and attendances set-based), the per-row report by row and
column, and the rules row by row kept (the same person twice, an attendee never made a no-show, two
imports of one list at once)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Attendance, Lead, Touch
from leads.services import attendances_record
from partnerhub.tenancy.context import tenant_context
from tests.factories import ProgramFactory, TargetAccountFactory
from tests.threads import run_at_once

CHECK_IN = "2026-11-12T10:00:00Z"


@pytest.fixture
def program(tenant):
    return ProgramFactory(tenant=tenant, tracking_code="2026Q4-RTB-CONTOSO")


def attendees(count: int, status: str, *, start: int = 0) -> list[tuple[int, dict]]:
    """`count` people as numbered rows; one in three works at a target account (acme.example)."""
    return [
        (
            number + 1,
            {
                "email": f"person{number}@{'acme' if number % 3 == 0 else f'company{number}'}.example",
                "first_name": "Person",
                "last_name": str(number),
                "status": status,
                "occurred_at": CHECK_IN,
            },
        )
        for number in range(start, start + count)
    ]


def record(tenant, actor, program, rows):
    """The report of one batch, and how many queries it ran."""
    ContentType.objects.clear_cache()  # the audit's content types are read once per process: count them
    with tenant_context(tenant), CaptureQueriesContext(connection) as captured:
        report = attendances_record(tenant=tenant, actor=actor, program_id=program.id, rows=rows)
    return report, len(captured)


@pytest.mark.django_db
def test_a_list_of_200_people_runs_as_many_queries_as_one_of_20(tenant, manager_user, program):
    acme = TargetAccountFactory(tenant=tenant, name="Acme", domain="acme.example")

    few, new_few = record(tenant, manager_user, program, attendees(20, "registered"))
    many, new_many = record(tenant, manager_user, program, attendees(200, "registered", start=20))
    # The same people again, now checked in: their leads merge and their attendances move.
    moved_few, moving_few = record(tenant, manager_user, program, attendees(20, "attended"))
    moved_many, moving_many = record(tenant, manager_user, program, attendees(200, "attended", start=20))

    assert (few.created, many.created, moved_few.updated, moved_many.updated) == (20, 200, 20, 200)
    assert new_many == new_few
    assert moving_many == moving_few
    with tenant_context(tenant):
        assert Attendance.objects.filter(status="attended").count() == 220
        assert Attendance.objects.filter(account=acme).count() == 74  # person0, person3, … person219
        assert Touch.objects.count() == 440  # each person registered, then attended


@pytest.mark.django_db
def test_each_refused_row_is_reported_by_row_and_column_and_the_others_are_recorded(
    tenant, manager_user, program
):
    record(tenant, manager_user, program, [(1, {"email": "kim@initech.example", "status": "attended"})])
    rows = [
        (2, {"email": "Dana@Acme.com", "status": "registered", "occurred_at": CHECK_IN}),
        (3, {"email": "not an email", "status": "attended"}),
        (4, {"email": "kim@initech.example", "status": "no show"}),
        (5, {"email": "dana@acme.com", "status": "attended"}),  # the same person, recorded after row 2
        (6, {"email": "lee@umbrella.example", "status": "registered", "web_domain": "not a domain!"}),
    ]

    report, _ = record(tenant, manager_user, program, rows)

    assert [(entry["row"], entry["column"]) for entry in report.rejected] == [
        (3, "email"),
        (4, "status"),
        (6, "web_domain"),
    ]
    assert "kim@initech.example attended this program's event already" in report.rejected[1]["reason"]
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    with tenant_context(tenant):
        statuses = dict(Attendance.objects.values_list("lead__email", "status"))
        dana_touches = sorted(
            Touch.objects.filter(lead__email="dana@acme.com").values_list("kind", flat=True)
        )
    assert statuses == {"kim@initech.example": "attended", "dana@acme.com": "attended"}
    assert dana_touches == ["event_attended", "event_registered"]
    assert Lead.unscoped.filter(tenant=tenant).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_list_at_once_record_each_person_once(tenant, manager_user, program):
    rows = attendees(30, "attended")

    reports = run_at_once(lambda: record(tenant, manager_user, program, rows)[0])

    assert sorted(report.created for report in reports) == [0, 30]
    assert sum(len(report.rejected) for report in reports) == 0
    with tenant_context(tenant):
        assert (Lead.objects.count(), Attendance.objects.count(), Touch.objects.count()) == (30, 30, 30)
