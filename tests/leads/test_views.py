"""The staff portal's lead pages: the list (filters, sort, pagination, CSV, empty state, the htmx
partial), a lead's page with its touches timeline, the nav entry; partner users see none of it."""

import csv
import io

import pytest

from leads.models import LeadSource
from leads.services import lead_intake
from partnerhub.tenancy.context import tenant_context
from tests.conftest import login
from tests.factories import LeadFactory, ProgramFactory, TargetAccountFactory, TouchFactory

pytestmark = pytest.mark.django_db

T = "/t/northwind"


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_lead_list_filters_sorts_and_pages(tenant, manager_user):
    program = ProgramFactory(tenant=tenant, tracking_code="2026Q4-HC")
    LeadFactory(tenant=tenant, email="zoe@acme.com", last_name="Zed", stage="mql", program=program)
    LeadFactory(tenant=tenant, email="al@acme.com", last_name="Ames", stage="nurture")
    client = login(manager_user)

    page = client.get(f"{T}/leads/").content.decode()
    assert "zoe@acme.com" in page and "al@acme.com" in page
    assert 'href="/t/northwind/leads/"' in page  # the nav entry
    filtered = client.get(f"{T}/leads/?stage=mql").content.decode()
    assert "zoe@acme.com" in filtered and "al@acme.com" not in filtered
    assert "2026Q4-HC" in filtered
    by_name = client.get(f"{T}/leads/?sort=name").content.decode()
    assert by_name.index("al@acme.com") < by_name.index("zoe@acme.com")
    partial = client.get(f"{T}/leads/?stage=nurture", HTTP_HX_REQUEST="true").content.decode()
    assert "al@acme.com" in partial and "<html" not in partial

    LeadFactory.create_batch(30, tenant=tenant)
    first_page = client.get(f"{T}/leads/")
    assert (len(first_page.context["rows"]), first_page.context["page"].paginator.count) == (25, 32)


def test_the_empty_list_says_how_leads_arrive_and_a_filter_that_matches_nothing_says_so(tenant, manager_user):
    client = login(manager_user)
    assert "No leads yet" in client.get(f"{T}/leads/").content.decode()
    LeadFactory(tenant=tenant)
    assert "No lead matches these filters" in client.get(f"{T}/leads/?stage=sql").content.decode()


def test_the_csv_export_has_the_filtered_leads(tenant, manager_user):
    account = TargetAccountFactory(tenant=tenant, name="Acme")
    LeadFactory(tenant=tenant, email="li@acme.com", account=account, consent=True)
    LeadFactory(tenant=tenant, email="=cmd@evil.example", stage="sql")

    header, *rows = csv_rows(login(manager_user).get(f"{T}/leads/?stage=new&export=csv"))
    assert header[:2] == ["Email", "First name"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["Email"], row["Target account"], row["Consent"]) == ("li@acme.com", "Acme", "yes")
    _, *sql = csv_rows(login(manager_user).get(f"{T}/leads/?stage=sql&export=csv"))
    assert sql[0][0] == "'=cmd@evil.example"  # never a formula


def test_a_leads_page_shows_its_touches_and_what_an_arrival_did_not_apply(tenant, manager_user):
    with tenant_context(tenant):
        lead = lead_intake(
            tenant=tenant, actor=manager_user, data={"email": "dana@acme.com", "title": "CIO"}, source="api"
        ).lead
        lead_intake(
            tenant=tenant,
            actor=manager_user,
            data={"email": "dana@acme.com", "title": "CTO", "touch_kind": "event_attended"},
            source=LeadSource.EVENT,
        )
    TouchFactory(tenant=tenant, lead=lead, kind="asset_downloaded")

    page = login(manager_user).get(f"{T}/leads/{lead.id}/").content.decode()
    assert "Attended an event" in page and "Downloaded an asset" in page
    assert "title “CTO”" in page  # the differing title, kept out of the lead
    assert "Arrived again: merged" in page  # its history


def test_partner_users_see_no_lead_pages(tenant, partner_user):
    lead = LeadFactory(tenant=tenant)
    client = login(partner_user)
    assert client.get(f"{T}/leads/").status_code == 403
    assert client.get(f"{T}/leads/{lead.id}/").status_code == 404
    assert 'href="/t/northwind/leads/"' not in client.get(f"{T}/").content.decode()
