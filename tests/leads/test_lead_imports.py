"""The leads CSV door: a HubSpot contacts export (tests/fixtures/crm/hubspot_contacts.csv) goes in
through the portal's import pages and a real worker taking the job from the broker: the mapping step
reads HubSpot's column labels, the report counts each row and names the bad one, the rejected row
downloads as the file had it, the mapping saved is applied to the next upload, and importing the
file again changes nothing."""

import csv
import io
import pathlib
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.importing.columns import REASON_COLUMN
from accounts.models import ImportJob
from leads.models import Lead
from partnerhub.celery import app
from partnerhub.tenancy.models import AuditEvent
from tests.accounts.test_imports import NEW, T, latest_job, mapping_form
from tests.conftest import login, make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import TargetAccountFactory

CONTACTS = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "crm" / "hubspot_contacts.csv"
# How the mapping step reads HubSpot's labels: by the fields' names and aliases, no preset needed.
SUGGESTED = {
    "Record ID": "external_id",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email": "email",
    "Phone Number": "phone",
    "Job Title": "title",
    "Company Name": "company_name",
    "Website URL": "web_domain",
    "Country/Region": "country",
    "Lifecycle Stage": "",
    "Create Date": "",
    "Contact owner": "",
}


def upload_contacts(client) -> ImportJob:
    body = CONTACTS.read_bytes()
    response = client.post(
        NEW, {"kind": "leads", "file": SimpleUploadedFile(CONTACTS.name, body, "text/csv")}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    job = latest_job()
    assert response["Location"] == f"{T}/imports/{job.id}/mapping/"
    return job


def import_through_worker(client, job: ImportJob, **changes) -> ImportJob:
    """Press Import on the mapping page as filled in; the worker takes the task from the broker."""
    response = client.post(f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), "import": "1", **changes})
    assert response.status_code == 302, response.context and response.context["form"].errors
    deadline = time.monotonic() + 30
    while not ImportJob.unscoped.get(id=job.id).is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
    return ImportJob.unscoped.get(id=job.id)


def report_of(job: ImportJob) -> tuple:
    return (job.status, job.created_count, job.updated_count, job.unchanged_count, job.rejected_count)


@pytest.mark.django_db(transaction=True)
def test_a_hubspot_contacts_export_imports_as_leads_and_again_changes_nothing(tenant, broker_queue):
    manager = make_member(tenant, email="morgan@northwind.example")
    client = login(manager)
    orbital = TargetAccountFactory(tenant=tenant, name="Orbital Robotics", domain="orbitalrobotics.com")
    kestrel = TargetAccountFactory(tenant=tenant, name="Kestrel Health", domain="kestrelhealth.com")
    assert "Leads" in client.get(NEW).content.decode()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        job = upload_contacts(client)
        assert dict(zip(job.header, job.columns, strict=True)) == SUGGESTED
        page = client.get(f"{T}/imports/{job.id}/mapping/").content.decode()
        assert "maya.okafor@orbitalrobotics.com" in page  # the preview
        first = import_through_worker(client, job, save_as="HubSpot contacts export")

        assert report_of(first) == ("done", 12, 0, 0, 1)
        assert [(entry["row"], entry["column"]) for entry in first.errors] == [(13, "email")]
        leads = Lead.unscoped.filter(tenant=tenant)
        assert leads.count() == 12
        assert set(leads.values_list("source", flat=True)) == {"csv"}
        maya = leads.get(email="maya.okafor@orbitalrobotics.com")
        assert (maya.external_id, maya.title, maya.phone, maya.country, maya.account_id) == (
            "51203344101",
            "VP Engineering",
            "+1 408 555 0142",
            "United States",
            orbital.id,
        )
        assert leads.get(email="d.reyes@orbitalrobotics.com").account_id == orbital.id
        # No Website URL: the email's domain matches the account.
        assert leads.get(email="omar.haddad@kestrelhealth.com").account_id == kestrel.id
        assert leads.get(email="priya.n@gmail.com").account_id is None
        detail = client.get(f"{T}/imports/{first.id}/").content.decode()
        assert "Leads" in detail and "chloe.martin@lumiere-retail" not in detail
        download = client.get(f"{T}/imports/{first.id}/?export=rows")
        rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
        assert rows[0] == [*first.header, REASON_COLUMN]
        assert [row[3] for row in rows[1:]] == ["chloe.martin@lumiere-retail"]
        assert rows[1][-1].startswith("email: ")
        audits = AuditEvent.unscoped.filter(tenant=tenant, action="lead.imported")
        assert list(audits.values_list("after__created", flat=True)) == [12]

        before = fingerprint()
        again = upload_contacts(client)
        assert again.saved_mapping is not None and again.saved_mapping.name == "HubSpot contacts export"
        second = import_through_worker(client, again)

    assert report_of(second) == ("done", 0, 0, 12, 1)
    changed = changed_tables(before, fingerprint())
    assert "leads_lead" not in changed and "leads_touch" not in changed
    assert set(changed) <= {"accounts_importjob", "accounts_importmapping", "tenancy_auditevent"}
    events = AuditEvent.unscoped.filter(tenant=tenant, action__startswith="lead.")
    # The first import created and scored 12 leads; the second changed none of them.
    assert events.filter(action="lead.created").count() == 12
    assert not events.filter(action="lead.merged").exists()
    assert events.filter(action="lead.stage_changed").count() == 12  # new -> nurture, once each
