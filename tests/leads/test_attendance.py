"""Event attendance: a program's attendee list through the API (bulk rows with per-row errors and an
Idempotency-Key), a CSV import through the import machinery (the program chosen at upload), a status
moving registered → attended, the program's attendance page with its counts and target-account
attendance ("N of M named accounts attended")."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from leads.models import Attendance, Lead, Touch
from leads.services import attendance_record
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from tests.accounts.test_imports import NEW, T, latest_job, mapping_form, run
from tests.api_cases import DELETE, DETAIL, LIST, REPLACE, STAFF, UPDATE, APIResourceCases, bearer
from tests.conftest import login
from tests.dbstate import changed_tables, fingerprint
from tests.factories import (
    ApiKeyFactory,
    AttendanceFactory,
    LeadFactory,
    PlanAccountFactory,
    ProgramFactory,
    TargetAccountFactory,
)
from tests.test_query_counts import queries_for

ATTENDANCE = "/api/v1/attendance/"
JSON = "application/json"


class TestAttendanceAPI(APIResourceCases):
    url = ATTENDANCE
    model = Attendance
    operations = {LIST, DETAIL}
    readers = STAFF
    list_queries = 5

    def shown(self, row):
        return {"status": row.status, "email": row.lead.email}

    def test_an_operation_it_does_not_have_is_405(self, tenant, partner):
        """POST on the collection is the bulk intake (below); a row is never changed one by one."""
        who = self.as_actor(tenant, partner)
        row = self.actors_row(tenant, partner)
        for operation in (UPDATE, REPLACE, DELETE):
            response = self.call(who.client, operation, row, {"status": "attended"})
            assert (response.status_code, set(response.json())) == (405, {"detail"}), operation


@pytest.fixture
def api(tenant) -> Client:
    return bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))


@pytest.fixture
def program(tenant):
    return ProgramFactory(tenant=tenant, tracking_code="2026Q4-RTB-CONTOSO")


def post(client: Client, body, **headers):
    return client.post(ATTENDANCE, json.dumps(body), content_type=JSON, **headers)


ROWS = [
    {"email": "Dana.Lee@Acme.com", "first_name": "Dana", "company_name": "Acme", "status": "registered"},
    {"email": "sam@globex.example", "status": "Attended", "occurred_at": "2026-11-12T10:05:00Z"},
    {"email": "not an email", "status": "attended"},
    {"email": "kim@initech.example", "status": "no show"},
    {"email": "lee@umbrella.example", "status": "maybe"},
]


@pytest.mark.django_db
def test_bulk_rows_are_each_reported_and_a_resend_changes_nothing(tenant, api, program):
    acme = TargetAccountFactory(tenant=tenant, name="Acme", domain="acme.com")

    response = post(api, {"program": program.id, "rows": ROWS}, HTTP_IDEMPOTENCY_KEY="list-1")

    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["created"], report["updated"], report["unchanged"]) == (3, 0, 0)
    assert [(entry["row"], entry["column"]) for entry in report["rejected"]] == [(3, "email"), (5, "status")]
    with tenant_context(tenant):
        statuses = dict(Attendance.objects.values_list("lead__email", "status"))
        dana = Attendance.objects.get(lead__email="dana.lee@acme.com")
        kinds = sorted(Touch.objects.values_list("kind", flat=True))
    assert statuses == {
        "dana.lee@acme.com": "registered",
        "sam@globex.example": "attended",
        "kim@initech.example": "no_show",
    }
    assert (dana.account_id, dana.lead.source, dana.lead.program_id) == (acme.id, "event", program.id)
    assert kinds == ["event_attended", "event_no_show", "event_registered"]

    before = fingerprint()
    replayed = post(api, {"program": program.id, "rows": ROWS}, HTTP_IDEMPOTENCY_KEY="list-1")
    assert replayed.json() == report and replayed["Idempotent-Replayed"] == "true"
    resent = post(api, {"program": program.id, "rows": ROWS}, HTTP_IDEMPOTENCY_KEY="list-2")
    assert (resent.json()["created"], resent.json()["updated"], resent.json()["unchanged"]) == (0, 0, 3)
    assert changed_tables(before, fingerprint()) == ["tenancy_idempotencyrecord"]


@pytest.mark.django_db
def test_the_list_filters_by_program_and_status(tenant, api, program):
    other = ProgramFactory(tenant=tenant)
    AttendanceFactory(tenant=tenant, program=program, status="attended")
    AttendanceFactory(tenant=tenant, program=program, status="no_show")
    AttendanceFactory(tenant=tenant, program=other, status="attended")

    rows = api.get(ATTENDANCE, {"program": program.id, "status": "attended"}).json()["results"]

    assert [(row["program"], row["status"]) for row in rows] == [(program.id, "attended")]
    assert api.get(ATTENDANCE, {"status": "gone"}).status_code == 400
    refused = post(api, {"program": 999999, "rows": ROWS[:1]})
    assert refused.status_code == 400 and "program" in refused.json()


@pytest.mark.django_db
def test_a_registration_moves_to_attended_and_never_back_to_a_no_show(tenant, manager_user, program):
    with tenant_context(tenant):
        data = {"email": "dana@acme.com", "status": "registered"}
        registered = attendance_record(tenant=tenant, actor=manager_user, program_id=program.id, data=data)
        attended = attendance_record(
            tenant=tenant, actor=manager_user, program_id=program.id, data={**data, "status": "attended"}
        )
        again = attendance_record(
            tenant=tenant, actor=manager_user, program_id=program.id, data={**data, "status": "registered"}
        )
        with pytest.raises(Exception, match="is not turned into a no-show"):
            attendance_record(
                tenant=tenant, actor=manager_user, program_id=program.id, data={**data, "status": "no_show"}
            )
        row = Attendance.objects.get(id=registered.attendance.id)
        events = list(
            AuditEvent.objects.filter(action__startswith="attendance.")
            .order_by("id")
            .values_list("action", "before", "after__status")
        )
        touches = list(Touch.objects.order_by("id").values_list("kind", flat=True))

    assert (registered.created, attended.changed, again.changed) == (True, True, False)
    assert row.status == "attended" and row.registered_at <= row.attended_at == row.status_changed_at
    assert Lead.unscoped.filter(tenant=tenant).count() == 1
    assert touches == ["event_registered", "event_attended"]
    assert events == [
        ("attendance.recorded", None, "registered"),
        ("attendance.status_changed", {"status": "registered"}, "attended"),
    ]


def named_program(tenant):
    """A program whose plan names four accounts; two of them have someone who attended."""
    program = ProgramFactory(tenant=tenant, tracking_code="2026Q4-ACC-FIGURES")
    named = [
        TargetAccountFactory(tenant=tenant, name=f"Named {n}", domain=f"named{n}.example") for n in range(4)
    ]
    for account in named:
        PlanAccountFactory(tenant=tenant, plan=program.plan, account=account)
    elsewhere = TargetAccountFactory(tenant=tenant, name="Not named", domain="elsewhere.example")
    people = [
        (named[0], "attended"),
        (named[0], "attended"),  # two people of one account count it once
        (named[1], "no_show"),
        (named[2], "registered"),
        (named[3], "attended"),
        (elsewhere, "attended"),  # attended, but the plan does not name its account
    ]
    for index, (account, status) in enumerate(people):
        lead = LeadFactory(tenant=tenant, email=f"p{index}@{account.domain}", account=account)
        AttendanceFactory(tenant=tenant, program=program, lead=lead, account=account, status=status)
    return program, named


@pytest.mark.django_db
def test_the_attendance_page_counts_and_names_target_account_attendance(tenant, manager_user):
    program, named = named_program(tenant)
    client = login(manager_user)
    url = f"{T}/leads/programs/{program.id}/attendance/"

    page = client.get(url).content.decode()
    no_shows = client.get(url, {"status": "no_show"}).content.decode()
    at_account = client.get(url, {"account": named[0].id}).content.decode()
    export = client.get(url, {"export": "csv", "status": "attended"})
    detail = client.get(f"{T}/programs/{program.id}/").content.decode()

    assert '<div class="value" id="target-attendance">2 of 4</div>' in page
    assert '<div class="value" id="count-attended">4</div>' in page
    assert '<div class="value" id="count-no-show">1</div>' in page
    assert '<div class="value" id="count-registered">1</div>' in page
    assert "p2@named1.example" in no_shows and "p0@named0.example" not in no_shows
    assert "p0@named0.example" in at_account and "p1@named0.example" in at_account
    assert "p4@named3.example" not in at_account
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(lines) == 1 + 4 and {line[0] for line in lines[1:]} >= {"p0@named0.example"}
    assert url in detail  # the program page links to its attendance


@pytest.mark.django_db
def test_the_attendance_page_runs_as_many_queries_for_50_attendees_as_for_5(tenant, manager_user, program):
    client = login(manager_user)
    url = f"{T}/leads/programs/{program.id}/attendance/"
    AttendanceFactory.create_batch(
        5, tenant=tenant, program=program, account=TargetAccountFactory(tenant=tenant)
    )
    few = queries_for(client, url)
    for _ in range(45):
        AttendanceFactory(tenant=tenant, program=program, account=TargetAccountFactory(tenant=tenant))

    assert queries_for(client, url) == few
    assert queries_for(client, url + "?status=attended&sort=-account") == few


@pytest.mark.django_db
def test_a_program_without_attendees_says_how_they_arrive(tenant, manager_user, program):
    page = login(manager_user).get(f"{T}/leads/programs/{program.id}/attendance/").content.decode()

    assert "No attendees yet" in page and "0 of 0" in page


EVENT_CSV = """\
Email Address,First Name,Last Name,Company,Attended,Join Time
dana.lee@acme.com,Dana,Lee,Acme,Yes,2026-11-12 10:02
sam@globex.example,Sam,Ortiz,Globex,No,
broken-address,Kim,Park,Initech,Yes,2026-11-12 10:04
"""


@pytest.mark.django_db
def test_an_attendee_list_imports_for_the_program_chosen_and_again_changes_nothing(
    tenant, manager_user, program
):
    client = login(manager_user)

    refused = client.post(
        NEW, {"kind": "attendance", "file": SimpleUploadedFile("event.csv", EVENT_CSV.encode(), "text/csv")}
    )
    assert refused.status_code == 200 and "Choose the program" in refused.content.decode()

    def imported():
        upload = SimpleUploadedFile("event.csv", EVENT_CSV.encode(), "text/csv")
        response = client.post(NEW, {"kind": "attendance", "program": program.id, "file": upload})
        assert response.status_code == 302
        job = latest_job()
        confirmed = client.post(f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), "import": "1"})
        assert confirmed.status_code == 302
        return run(job)

    first = imported()
    before = fingerprint()
    second = imported()

    assert dict(zip(first.header, first.columns, strict=True)) == {
        "Email Address": "email",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Company": "company_name",
        "Attended": "status",
        "Join Time": "occurred_at",
    }
    assert (first.created_count, first.rejected_count, first.program_id) == (2, 1, program.id)
    assert [(entry["row"], entry["column"]) for entry in first.errors] == [(4, "email")]
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 2)
    changed = changed_tables(before, fingerprint())
    assert "leads_attendance" not in changed and "leads_touch" not in changed and "leads_lead" not in changed
    with tenant_context(tenant):
        statuses = dict(Attendance.objects.filter(program=program).values_list("lead__email", "status"))
    assert statuses == {"dana.lee@acme.com": "attended", "sam@globex.example": "no_show"}
