"""Tranches in the portal and the API: a partner manager sets a request's schedule on its page (a
refusal is said on the field at fault), a missed checkpoint's tranche waits in the held list and is
released after a confirmation; the partner reads its request's tranches and decides nothing; the
API lists a partner's own tranches only and releases or cancels for staff."""

from decimal import Decimal

import pytest

from mdf.models import FundTranche, TrancheState
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import FundTrancheFactory, PartnerFactory
from tests.mdf.test_tranches import funded_plan
from tests.reporting.journey import DAY, LAUNCH_DAY, sweep_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tenant):
    return {
        "manager": make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example"),
        "sales": make_member(tenant, Role.SALES, email="sales@northwind.example"),
    }


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_manager_schedules_on_the_request_page_and_releases_a_held_tranche(
    in_tenant, people, partner, partner_user
):
    tenant, manager = in_tenant, people["manager"]
    given = funded_plan(tenant, people, partner, partner_user, approved="4000.00")
    request = given.request
    staff, own = login(manager), login(partner_user)
    detail = f"/t/northwind/mdf/requests/{request.id}/"
    schedule = f"{detail}tranches/"

    assert "Pay in tranches…" in page(staff, detail)
    assert "Pay in tranches…" not in page(own, detail)
    assert own.get(schedule).status_code == 403

    refused = staff.post(schedule, {"on_approval": "50", "day90": "40"})
    assert refused.status_code == 200
    assert "The percentages add up to 90 %, not 100 %." in refused.content.decode()
    assert not FundTranche.objects.exists()

    done = staff.post(schedule, {"on_approval": "50", "day90": "50"}, follow=True)
    assert "Tranches set: 2000.00 USD paid now" in done.content.decode()
    shown = page(own, detail)
    assert "On approval" in shown and "Day 90 checkpoint met" in shown and "Claim…" not in shown
    assert "Release…" not in shown

    sweep_on(tenant, LAUNCH_DAY + 90 * DAY)  # no opportunities: day 90 missed
    held = FundTranche.objects.get(request=request, day=90)
    assert held.state == TrancheState.HELD
    listed = page(staff, "/t/northwind/mdf/tranches/held/")
    assert request.title in listed and "Day 90 missed" in listed
    assert own.get("/t/northwind/mdf/tranches/held/").status_code == 403
    csv = staff.get("/t/northwind/mdf/tranches/held/?export=csv")
    assert request.title in b"".join(csv.streaming_content).decode()

    release = f"/t/northwind/mdf/tranches/{held.id}/release/"
    assert "Releasing pays 2000.00 USD" in page(staff, release)
    assert own.post(release).status_code == 403
    staff.post(release)
    held.refresh_from_db()
    assert (held.state, held.decided_by) == (TrancheState.RELEASED, manager)
    assert AuditEvent.objects.filter(action="mdf.tranche.released", actor=manager).exists()
    assert "it is not held" in page(staff, release)
    assert request.title not in page(staff, "/t/northwind/mdf/tranches/held/")


def test_the_api_lists_own_tranches_and_lets_staff_decide(in_tenant, people, partner, partner_user):
    tenant, manager = in_tenant, people["manager"]
    given = funded_plan(tenant, people, partner, partner_user, approved="1000.00")
    someone_elses = FundTrancheFactory.for_partner(tenant=tenant, partner=PartnerFactory(tenant=tenant))
    staff, own = login(manager), login(partner_user)
    for client in (staff, own):
        client.defaults["HTTP_X_TENANT"] = "northwind"

    made = staff.post(
        f"/api/v1/mdf-requests/{given.request.id}/tranches/",
        {"day60": "60", "day90": "40.5"},
        content_type="application/json",
    )
    assert made.status_code == 400 and "day90" in made.json()
    url = f"/api/v1/mdf-requests/{given.request.id}/tranches/"
    short = staff.post(url, {"day60": "60", "day90": "30"}, content_type="application/json")
    assert short.json() == {"day90": ["The percentages add up to 90 %, not 100 %."]}
    assert own.post(url, {"day60": "100"}, content_type="application/json").status_code == 403
    made = staff.post(url, {"on_approval": "25", "day60": "75"}, content_type="application/json")
    assert made.status_code == 201
    assert [(row["day"], row["amount"], row["state"]) for row in made.json()] == [
        (None, "250.00", "paid"),
        (60, "750.00", "scheduled"),
    ]

    listed = own.get("/api/v1/mdf/tranches/").json()["results"]
    assert {row["request"] for row in listed} == {given.request.id}  # not the other partner's
    assert own.get(f"/api/v1/mdf/tranches/{someone_elses.id}/").status_code == 404
    assert staff.get("/api/v1/mdf/tranches/?state=held").json()["results"][0]["id"] == someone_elses.id

    sweep_on(tenant, LAUNCH_DAY + 60 * DAY)  # no meetings: day 60 missed
    held = FundTranche.objects.get(request=given.request, day=60)
    decide = f"/api/v1/mdf/tranches/{held.id}/"
    assert own.post(f"{decide}cancel/", {}, content_type="application/json").status_code in (403, 404)
    cancelled = staff.post(f"{decide}cancel/", {"note": "Not run."}, content_type="application/json")
    assert (cancelled.status_code, cancelled.json()["state"], cancelled.json()["note"]) == (
        200,
        "cancelled",
        "Not run.",
    )
    again = staff.post(f"{decide}release/", {}, content_type="application/json")
    assert again.status_code == 400 and "it is not held" in again.json()["detail"]
    assert Decimal(cancelled.json()["amount"]) == Decimal("750.00")
