"""CSV imports through the portal: a file is checked as a whole at upload, a worker upserts its rows
in chunks, the job page shows progress and a report of each rejected row by row and column, and
importing the same file again changes nothing. Partner users upload only their own accounts."""

import csv
import datetime
import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.importing.reading import MAX_IMPORT_BYTES
from accounts.models import AccountMapping, ImportJob, Opportunity, OpportunityStageChange, TargetAccount
from accounts.services.imports import CHUNK_ROWS
from accounts.tasks import run_import_task, sweep_queued_imports_task
from partnerhub.celery import app
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.dbstate import changed_tables, fingerprint, update_rows
from tests.factories import ImportJobFactory, PartnerFactory, TargetAccountFactory

T = "/t/northwind"
NEW = f"{T}/imports/new/"
MAPPING = f"{T}/imports/mapping/"

ACCOUNTS_CSV = """\
Name,Domain,Industry,Segment,Senior buyers engaged,External ID
Acme,acme.com,Healthcare,Enterprise,yes,A-1
Bad domain,not a domain,Retail,,no,A-2
Globex,https://www.globex.example/,retail,Mid-market,no,A-3
Bad segment,initech.example,Retail,galactic,maybe,A-4
Umbrella,umbrella.example,,smb,,A-5
"""


def upload(client, content, *, kind="accounts", name="accounts.csv", url=NEW, confirm=True, **data):
    """Upload a file and, if it was accepted, confirm the mapping step as suggested (the page's
    defaults); the answer is the upload's when it was refused, else the confirmation's."""
    body = content.encode() if isinstance(content, str) else content
    response = client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, body, "text/csv"), **data})
    if not confirm or response.status_code != 302:
        return response
    return confirm_mapping(client, latest_job())


def mapping_form(job: ImportJob, **changes) -> dict:
    """The mapping step's form as the page fills it in for this job."""
    data = {f"column_{index}": column for index, column in enumerate(job.columns)}
    data.update({name: job.options.get(name, "") for name in ("date_order", "decimal_mark", "currency")})
    if job.options.get("replace_external_ids"):
        data["replace_external_ids"] = "on"
    data.update(changes)
    return data


def confirm_mapping(client, job: ImportJob, **changes):
    return client.post(f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), "import": "1", **changes})


def latest_job() -> ImportJob:
    return ImportJob.unscoped.latest("id")


def run(job: ImportJob) -> ImportJob:
    """What the worker does with the task the upload sent."""
    run_import_task(tenant_id=job.tenant_id, job_id=job.id)
    return ImportJob.unscoped.get(id=job.id)


def imported(client, content, **options) -> ImportJob:
    """Upload a file and run its job as the worker would."""
    upload(client, content, **options)
    return run(latest_job())


def rejected(job: ImportJob) -> list[tuple[int, str]]:
    return [(entry["row"], entry["column"]) for entry in job.errors]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def client(manager_user):
    return login(manager_user)


# --- The must-show ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_good_rows_are_kept_and_each_bad_row_is_reported_by_row_and_column(tenant, client):
    response = upload(client, ACCOUNTS_CSV)

    job = latest_job()
    assert response.status_code == 302
    assert response["Location"] == f"{T}/imports/{job.id}/"
    assert (job.status, job.total_rows) == ("queued", 5)
    job = run(job)
    assert job.status == "done"
    assert (job.created_count, job.updated_count, job.unchanged_count, job.rejected_count) == (3, 0, 0, 2)
    assert rejected(job) == [(3, "domain"), (5, "segment"), (5, "senior_buyers_engaged")]
    with tenant_context(tenant):
        assert sorted(TargetAccount.objects.values_list("domain", flat=True)) == [
            "acme.com",
            "globex.example",
            "umbrella.example",
        ]
    page = client.get(f"{T}/imports/{job.id}/")
    assert page.status_code == 200
    assert "galactic" in page.content.decode()
    assert csv_rows(client.get(f"{T}/imports/{job.id}/?export=csv"))[:2] == [
        ["Row", "Column", "Reason"],
        ["3", "domain", "“not a domain” is not a web domain (for example acme.com)."],
    ]


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(tenant, client):
    imported(client, ACCOUNTS_CSV)
    before = fingerprint()

    upload(client, ACCOUNTS_CSV)
    again = run(latest_job())

    assert (again.created_count, again.updated_count, again.unchanged_count, again.rejected_count) == (
        0,
        0,
        3,
        2,
    )
    assert changed_tables(before, fingerprint()) == ["accounts_importjob"]  # only the new job itself


@pytest.mark.django_db
def test_an_import_writes_one_summary_audit_event(tenant, client, manager_user):
    job = imported(client, ACCOUNTS_CSV)

    with tenant_context(tenant):
        events = list(AuditEvent.objects.values_list("action", "actor", "after"))
    assert events == [
        ("account.imported", manager_user.id, {"created": 3, "updated": 0, "unchanged": 0, "rejected": 2})
    ]
    assert job.content == ""  # the upload is not kept once its rows are in


@pytest.mark.django_db
def test_opportunities_import_keeps_stage_changes_in_the_history(tenant, client):
    with tenant_context(tenant):
        TargetAccountFactory(tenant=tenant, domain="acme.com", external_id="A-1")
    first = (
        "external_id,name,account_external_id,stage,amount,close_date\n"
        'O-1,Acme deal,A-1,prospecting,"25,000",2026-03-31\n'
    )
    second = "external_id,name,account_domain,stage,amount\nO-1,Acme deal,acme.com,Negotiation,25000.00\n"

    imported(client, first, kind="opportunities")
    job = imported(client, second, kind="opportunities")

    assert (job.created_count, job.updated_count) == (0, 1)
    with tenant_context(tenant):
        opportunity = Opportunity.objects.get(external_id="O-1")
        history = OpportunityStageChange.objects.filter(opportunity=opportunity).order_by("id")
        assert [(change.from_stage, change.to_stage) for change in history] == [
            ("", "prospecting"),
            ("prospecting", "negotiation"),
        ]


# --- The file as a whole ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mapping_without_a_required_field_is_refused_naming_it(tenant, client):
    response = upload(client, "Organisation,Industry\nAcme,retail\n")

    assert response.status_code == 200
    assert response.context["problems"] == ["No column goes to name, domain."]
    assert "No column goes to name, domain." in response.content.decode()
    assert latest_job().status == ImportJob.Status.MAPPING  # nothing started, nothing written

    # Choosing the column for the name is not enough: the domain has none.
    response = confirm_mapping(client, latest_job(), column_0="name")
    assert "No column goes to domain." in response.content.decode()
    assert latest_job().status == ImportJob.Status.MAPPING
    with tenant_context(tenant):
        assert not TargetAccount.objects.exists()


@pytest.mark.django_db
def test_an_opportunities_file_needs_a_column_naming_the_account(tenant, client):
    response = upload(client, "external_id,name,amount\nO-1,Deal,100\n", kind="opportunities")

    assert response.context["problems"] == [
        "No column goes to account_external_id or account_domain or account_name."
    ]


@pytest.mark.django_db
def test_a_second_column_for_the_same_field_is_ignored_and_choosing_it_twice_is_refused(tenant, client):
    response = upload(client, "name,name,domain\nA,B,a.example\n", confirm=False)
    job = latest_job()
    assert job.columns == ["name", "", "domain"]

    response = confirm_mapping(client, job, column_1="name")
    assert "The columns “name” and “name” both go to name; keep one." in response.content.decode()

    job = run(ImportJob.unscoped.get(id=confirm_mapping(client, job) and job.id))
    with tenant_context(tenant):
        assert list(TargetAccount.objects.values_list("name", flat=True)) == ["A"]


@pytest.mark.django_db
def test_headers_match_loosely_and_semicolons_and_a_byte_order_mark_are_understood(tenant, client):
    content = "\ufeff  NAME ;Website;Account-Owner\r\nAcme;acme.com;\r\n\r\nGlobex;globex.example;\r\n"

    job = imported(client, content.encode("utf-8"))

    assert (job.total_rows, job.created_count) == (2, 2)


@pytest.mark.django_db
def test_a_windows_1252_file_is_read(tenant, client):
    job = imported(client, "name,domain\nSociété Générale,socgen.example\n".encode("cp1252"))

    assert job.created_count == 1
    with tenant_context(tenant):
        assert TargetAccount.objects.get().name == "Société Générale"


@pytest.mark.django_db
def test_files_that_cannot_be_imported_at_all_are_refused(tenant, client):
    too_big = b"name,domain\n" + b"x" * MAX_IMPORT_BYTES
    cases = {
        too_big: "larger than 10 MB",
        b"": "empty",
        b"name,domain\n": "header but no rows",
        b"\x89PNG\r\n\x1a\n\x00\x00": "not a CSV file",
        # A NUL character in an otherwise readable file: PostgreSQL could store no row of it.
        b"name,domain\nAcme,acme.com\nIni\x00tech,initech.example\n": "holds binary data",
    }
    for content, message in cases.items():
        response = upload(client, content)
        assert message in response.context["form"].errors["file"][0], message
    assert not ImportJob.unscoped.exists()


@pytest.mark.django_db
def test_a_row_with_more_values_than_columns_is_rejected_not_shifted(tenant, client):
    job = imported(client, "name,domain\nAcme, Inc,acme.com\nGlobex,globex.example\n")

    assert job.created_count == 1
    assert job.errors[0]["row"] == 2
    assert "quote values" in job.errors[0]["reason"]
    # The rejected-rows download keeps the file's columns and loses no value of the row.
    rows = csv_rows(client.get(f"{T}/imports/{job.id}/?export=rows"))
    assert rows[0] == ["name", "domain", "Rejection reason"]
    assert rows[1][:2] == ["Acme", " Inc"] and rows[1][2].endswith("Values beyond the last column: acme.com")


@pytest.mark.django_db
def test_a_duplicate_key_in_one_file_the_first_row_wins_even_across_chunks(tenant, client):
    rows = [f"Company {n},company{n}.example,A-{n}" for n in range(CHUNK_ROWS + 50)]
    rows.append("Late duplicate,late.example,A-1")
    content = "name,domain,external_id\n" + "\n".join(rows) + "\n"

    job = imported(client, content)

    assert (job.created_count, job.rejected_count) == (CHUNK_ROWS + 50, 1)
    assert job.errors == [
        {
            "row": CHUNK_ROWS + 52,
            "column": "external_id",
            "reason": "Row 3 has the same external_id (A-1); only the first row with it is imported.",
        }
    ]
    with tenant_context(tenant):
        assert TargetAccount.objects.get(external_id="A-1").name == "Company 1"


# --- Running a job ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_counts_add_up_over_chunks(tenant, client):
    content = "name,domain\n" + "".join(
        f"Company {n},company{n}.example\n" for n in range(2 * CHUNK_ROWS + 10)
    )

    job = imported(client, content)

    assert (job.total_rows, job.processed_rows, job.created_count, job.percent) == (1010, 1010, 1010, 100)


@pytest.mark.django_db
def test_a_job_whose_worker_died_resumes_after_its_last_committed_chunk(tenant, client):
    content = "name,domain\n" + "".join(f"Company {n},company{n}.example\n" for n in range(CHUNK_ROWS + 10))
    upload(client, content)
    # A worker committed the first chunk's progress, then died (its rows are as if imported elsewhere).
    update_rows(ImportJob.unscoped.filter(id=latest_job().id), status="running", processed_rows=CHUNK_ROWS)

    job = run(latest_job())

    assert (job.status, job.processed_rows, job.created_count) == ("done", CHUNK_ROWS + 10, 10)


@pytest.mark.django_db
def test_a_finished_job_is_not_run_twice(tenant, client):
    job = imported(client, ACCOUNTS_CSV)
    before = fingerprint()

    assert run_import_task(tenant_id=tenant.id, job_id=job.id) is None
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_a_job_whose_file_cannot_be_read_fails_with_the_reason(tenant):
    job = ImportJobFactory(tenant=tenant, content="name,domain\n")

    job = run(job)

    assert (job.status, job.failure) == ("failed", "The file has a header but no rows.")
    assert job.finished_at is not None


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_job_keeping_the_chunks_already_done(tenant):
    # A mapping job without a partner (only a bug could leave one): the database refuses its rows.
    TargetAccountFactory(tenant=tenant, domain="acme.com")
    job = ImportJobFactory(
        tenant=tenant, kind="mappings", partner=None, content="domain\nacme.com\n", total_rows=1
    )

    job = run(job)

    assert (job.status, job.processed_rows) == ("failed", 0)
    assert job.failure.startswith("An unexpected error (IntegrityError) stopped the import after 0 rows")
    with tenant_context(tenant):
        assert not AccountMapping.objects.exists()


@pytest.mark.django_db
def test_the_sweep_resumes_a_job_left_running_by_a_dead_worker(tenant, client):
    upload(client, ACCOUNTS_CSV)
    job = latest_job()
    started = timezone.now() - datetime.timedelta(hours=1)
    update_rows(ImportJob.unscoped.filter(id=job.id), status="running", started_at=started)

    assert sweep_queued_imports_task() == 1

    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 3)


@pytest.mark.django_db
def test_an_upload_is_sent_to_the_broker_after_commit(
    tenant, client, broker_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, ACCOUNTS_CSV)

    assert broker_queue() == 1


@pytest.mark.django_db
def test_a_broker_outage_keeps_the_upload_queued_and_the_sweep_runs_it(
    tenant, client, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ACCOUNTS_CSV)

    assert response.status_code == 302
    job = latest_job()
    assert job.status == "queued"
    assert sweep_queued_imports_task() == 0  # a fresh upload is left to its own task
    update_rows(
        ImportJob.unscoped.filter(id=job.id), created_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    assert sweep_queued_imports_task() == 1
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 3)
    assert sweep_queued_imports_task() == 0


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_the_job_from_the_broker_and_runs_it(tenant, manager_user, broker_queue):
    client = login(manager_user)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        upload(client, ACCOUNTS_CSV)
        job = latest_job()
        deadline = time.monotonic() + 20
        while not ImportJob.unscoped.get(id=job.id).is_finished and time.monotonic() < deadline:
            time.sleep(0.2)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.rejected_count) == ("done", 3, 2)


def test_the_import_tasks_are_registered_and_the_sweep_is_scheduled():
    assert {"accounts.run_import", "accounts.sweep_queued_imports"} <= set(app.tasks)
    assert "accounts.sweep_queued_imports" in {entry["task"] for entry in app.conf.beat_schedule.values()}


# --- Partners' account mapping ------------------------------------------------------------------

MAPPING_CSV = "Company name,Website,Relationship\nAcme,https://acme.com,customer\nInitech,initech.example,\n"


@pytest.fixture
def acme(tenant):
    return TargetAccountFactory(tenant=tenant, name="Acme", domain="acme.com")


@pytest.mark.django_db
def test_a_partner_user_sees_only_their_own_companys_imports(tenant, partner, partner_user, other_partner):
    own = ImportJobFactory(tenant=tenant, kind="mappings", partner=partner, filename="ours.csv")
    theirs = ImportJobFactory(tenant=tenant, kind="mappings", partner=other_partner, filename="theirs.csv")
    staff = ImportJobFactory(tenant=tenant, kind="accounts", filename="crm.csv")
    client = login(partner_user)

    listing = client.get(f"{T}/imports/")

    assert [job.id for job in listing.context["rows"]] == [own.id]
    assert client.get(f"{T}/imports/{own.id}/").status_code == 200
    assert client.get(f"{T}/imports/{theirs.id}/").status_code == 404
    assert client.get(f"{T}/imports/{staff.id}/").status_code == 404


@pytest.mark.django_db
def test_a_partner_user_cannot_import_accounts_or_opportunities(tenant, partner_user):
    client = login(partner_user)

    assert client.get(NEW).status_code == 403
    assert upload(client, ACCOUNTS_CSV).status_code == 403
    assert client.get(f"{T}/imports/template/?kind=accounts").status_code == 403
    assert not ImportJob.unscoped.exists()


@pytest.mark.django_db
def test_staff_upload_the_account_mapping_of_a_partner_they_choose(tenant, client, partner, acme):
    missing = upload(client, MAPPING_CSV, url=MAPPING)
    assert "This field is required." in missing.context["form"].errors["partner"]

    upload(client, MAPPING_CSV, url=MAPPING, partner=partner.id)
    job = run(latest_job())

    assert (job.partner, job.created_count) == (partner, 1)
    with tenant_context(tenant):
        assert AccountMapping.objects.get().source == "staff"


@pytest.mark.django_db
def test_staff_cannot_upload_for_another_tenants_partner(tenant, client, other_tenant):
    foreign = PartnerFactory(tenant=other_tenant)

    response = upload(client, MAPPING_CSV, url=MAPPING, partner=foreign.id)

    assert "Select a valid choice" in response.context["form"].errors["partner"][0]
    assert not ImportJob.unscoped.exists()


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_pages_render(tenant, client, partner):
    done = ImportJobFactory(
        tenant=tenant,
        status="done",
        total_rows=2,
        processed_rows=2,
        created_count=1,
        rejected_count=1,
        errors=[{"row": 3, "column": "domain", "reason": "No target account has the domain x.example."}],
    )

    assert "accounts.csv" in client.get(f"{T}/imports/").content.decode()
    assert client.get(f"{T}/imports/?kind=accounts&status=done&sort=-created").status_code == 200
    assert 'enctype="multipart/form-data"' in client.get(NEW).content.decode()
    assert client.get(MAPPING).status_code == 200
    page = client.get(f"{T}/imports/{done.id}/").content.decode()
    assert "No target account has the domain x.example." in page
    assert 'hx-trigger="every 1s"' not in page  # finished: nothing to poll


@pytest.mark.django_db
def test_a_running_job_page_polls_its_progress_partial(tenant, client):
    job = ImportJobFactory(tenant=tenant, status="running", total_rows=1000, processed_rows=500)

    page = client.get(f"{T}/imports/{job.id}/")
    partial = client.get(f"{T}/imports/{job.id}/", HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 1s"' in page.content.decode()
    assert partial.templates[0].name == "accounts/partials/_import_progress.html"
    body = partial.content.decode()
    assert '<progress max="100" value="50"' in body
    assert "500 of 1000 rows" in body
    assert "<html" not in body
    assert "HX-Request" in partial["Vary"]


@pytest.mark.django_db
def test_the_history_exports_as_csv(tenant, client):
    ImportJobFactory(tenant=tenant, filename="crm.csv", status="done", total_rows=3, created_count=3)

    rows = csv_rows(client.get(f"{T}/imports/?export=csv"))

    assert rows[0][:3] == ["Uploaded", "File", "Kind"]
    assert rows[1][1:3] == ["crm.csv", "Accounts"]


@pytest.mark.django_db
def test_templates_name_the_columns_of_each_kind(tenant, client):
    accounts = client.get(f"{T}/imports/template/?kind=accounts")
    mappings = client.get(f"{T}/imports/template/?kind=mappings")

    assert csv_rows(accounts)[0][:2] == ["name", "domain"]
    assert csv_rows(mappings)[0] == ["company", "domain", "relationship", "notes"]
    assert client.get(f"{T}/imports/template/?kind=nothing").status_code == 404


@pytest.mark.django_db
def test_a_role_that_cannot_change_accounts_cannot_import_them(tenant):
    client = login(make_member(tenant, Role.PRODUCT_MARKETING))

    assert client.get(NEW).status_code == 403
    assert client.get(f"{T}/imports/").status_code == 200
