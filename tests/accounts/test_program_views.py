"""The program pages: list, filters, detail, CSV, partner scope."""

import csv
import io

import pytest

from tests.conftest import login
from tests.factories import ProgramFactory

T = "/t/northwind"


@pytest.fixture
def programs(tenant, partner, other_partner):
    return [
        ProgramFactory(tenant=tenant, partner=partner, tracking_code="2026Q4-ACC-DACH-CONTOSO-1"),
        ProgramFactory(tenant=tenant, partner=other_partner, tracking_code="2026Q4-EXP-NORDICS-FABRIKAM-2"),
    ]


@pytest.mark.django_db
def test_staff_list_every_program_and_filter_them(programs, manager_user, other_partner):
    client = login(manager_user)
    everything = client.get(f"{T}/programs/")
    fabrikam = client.get(f"{T}/programs/?partner={other_partner.id}")
    searched = client.get(f"{T}/programs/?q=nordics")
    assert {p.tracking_code for p in everything.context["rows"]} == {
        "2026Q4-ACC-DACH-CONTOSO-1",
        "2026Q4-EXP-NORDICS-FABRIKAM-2",
    }
    assert [p.tracking_code for p in fabrikam.context["rows"]] == ["2026Q4-EXP-NORDICS-FABRIKAM-2"]
    assert [p.tracking_code for p in searched.context["rows"]] == ["2026Q4-EXP-NORDICS-FABRIKAM-2"]


@pytest.mark.django_db
def test_partner_users_see_only_their_own_programs(programs, partner_user):
    client = login(partner_user)
    listing = client.get(f"{T}/programs/")
    assert [p.tracking_code for p in listing.context["rows"]] == ["2026Q4-ACC-DACH-CONTOSO-1"]
    assert client.get(f"{T}/programs/{programs[0].id}/").status_code == 200
    assert client.get(f"{T}/programs/{programs[1].id}/").status_code == 404


@pytest.mark.django_db
def test_the_program_page_shows_tracking_utm_and_pinned_components(tenant, partner, manager_user):
    program = ProgramFactory(
        tenant=tenant,
        partner=partner,
        tracking_code="2026Q4-ACC-DACH-CONTOSO-7",
        utm_source="contoso",
        utm_campaign="2026q4-acc-dach-contoso-7",
        components={"landing_page": "Briefing page", "tracking": "One code"},
    )
    response = login(manager_user).get(f"{T}/programs/{program.id}/")
    html = response.content.decode()
    assert response.context["components"] == [
        ("Landing page", "Briefing page"),
        ("Tracking (UTM and campaign naming)", "One code"),
    ]
    assert "utm_source=contoso&amp;utm_medium=partner&amp;utm_campaign=2026q4-acc-dach-contoso-7" in html
    assert "2026Q4-ACC-DACH-CONTOSO-7" in html


@pytest.mark.django_db
def test_programs_export_as_csv(programs, manager_user):
    response = login(manager_user).get(f"{T}/programs/?export=csv&sort=tracking_code")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Tracking code", "Play", "Partner"]
    assert [row[0] for row in rows[1:]] == ["2026Q4-ACC-DACH-CONTOSO-1", "2026Q4-EXP-NORDICS-FABRIKAM-2"]


@pytest.mark.django_db
def test_htmx_asks_for_the_program_table_only(programs, manager_user):
    response = login(manager_user).get(f"{T}/programs/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
