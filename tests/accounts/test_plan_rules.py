"""Rules of the plan that portal and API share: each is decided once, in a service or selector, so
both interfaces record and show the same thing."""

import pytest

from accounts import services
from accounts.models import Plan
from partnerhub.tenancy.context import tenant_context
from plays.models import Play
from plays.services import catalog_install
from tests.conftest import PLAN_YEAR, login
from tests.factories import TargetAccountFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan_at_step_4(tenant, manager_user, partner):
    """A plan whose five named accounts all have open opportunities: the recommendation is
    acceleration."""
    with tenant_context(tenant):
        catalog_install(tenant=tenant)
        plan = services.plan_create(tenant=tenant, actor=manager_user, year=PLAN_YEAR, quarter=4)
        services.plan_set_market(
            tenant=tenant, actor=manager_user, plan_id=plan.id, market_kind="region", market_value="dach"
        )
        accounts = [TargetAccountFactory(tenant=tenant, stage="open_opportunity") for _ in range(5)]
        services.plan_set_accounts(
            tenant=tenant, actor=manager_user, plan_id=plan.id, account_ids=[a.id for a in accounts]
        )
        services.plan_set_partner(tenant=tenant, actor=manager_user, plan_id=plan.id, partner_id=partner.id)
    return plan


def play_id(tenant, kind) -> int:
    return Play.unscoped.get(tenant=tenant, kind=kind).id


def recorded_reason(plan) -> str:
    return Plan.unscoped.get(id=plan.id).play_reason


@pytest.mark.django_db
def test_the_play_reason_is_the_services_whichever_interface_chooses(tenant, manager_user, plan_at_step_4):
    plan, portal, api = plan_at_step_4, login(manager_user), login(manager_user)
    recommended = "5 of 5 named accounts have open or stalled opportunities."

    portal.post(f"/t/northwind/plans/{plan.id}/play/", {"play": play_id(tenant, "acceleration")}, **HTMX)
    assert recorded_reason(plan) == recommended

    api.post(
        f"/api/v1/plans/{plan.id}/play/",
        {"play_id": play_id(tenant, "acceleration")},
        content_type="application/json",
        HTTP_X_TENANT="northwind",
    )
    assert recorded_reason(plan) == recommended

    portal.post(f"/t/northwind/plans/{plan.id}/play/", {"play": play_id(tenant, "expansion")}, **HTMX)
    acceleration = Play.unscoped.get(tenant=tenant, kind="acceleration").name
    through_portal = f"Chosen over the recommendation ({acceleration}: {recommended})"
    assert recorded_reason(plan) == through_portal

    response = api.post(
        f"/api/v1/plans/{plan.id}/play/",
        {
            "play_id": play_id(tenant, "expansion"),
            "note": "  The renewals team asked.  ",
            "reason": "ignored",
        },
        content_type="application/json",
        HTTP_X_TENANT="northwind",
    )
    assert response.status_code == 200, response.content
    assert recorded_reason(plan) == f"{through_portal} Note: The renewals team asked."
    assert response.json()["play"]["reason"] == recorded_reason(plan)


@pytest.mark.django_db
def test_portal_and_api_show_the_same_step_states(tenant, manager_user, plan_at_step_4):
    plan, client = plan_at_step_4, login(manager_user)
    body = client.get(f"/api/v1/plans/{plan.id}/", HTTP_X_TENANT="northwind").json()
    reachable = [state["step"] for state in body["steps"] if state["reachable"]]
    complete = [state["step"] for state in body["steps"] if state["complete"]]
    assert (complete, reachable) == ([1, 2, 3], [1, 2, 3, 4])

    page = client.get(f"/t/northwind/plans/{plan.id}/")
    steps = {state["number"]: state for state in page.context["steps"]}
    assert [n for n, state in steps.items() if state["reachable"]] == reachable
    assert [n for n, state in steps.items() if state["complete"]] == complete
    html = page.content.decode()
    assert 'id="step-5"' in html and "Waiting for step 4" in html


@pytest.mark.django_db
def test_step_1_warns_when_another_plan_holds_the_market_and_names_it(
    tenant, manager_user, partner, plan_at_step_4
):
    holder = plan_at_step_4
    with tenant_context(tenant):
        services.plan_rename(tenant=tenant, actor=manager_user, plan_id=holder.id, name="DACH push")
        services.plan_set_play(
            tenant=tenant, actor=manager_user, plan_id=holder.id, play_id=play_id(tenant, "acceleration")
        )
        second = services.plan_create(tenant=tenant, actor=manager_user, year=PLAN_YEAR, quarter=4)
    client = login(manager_user)

    page = client.post(f"/t/northwind/plans/{second.id}/market/", {"market": "region:dach"}, **HTMX)

    warning = (
        f"DACH already has a play in Q4 {PLAN_YEAR}: Regional account acceleration in “DACH push”. This plan "
        "cannot pick a play for it: choose another market, or close that plan first."
    )
    assert warning in page.content.decode().replace("&#x27;", "'")
    body = client.get(f"/api/v1/plans/{second.id}/", HTTP_X_TENANT="northwind").json()
    assert body["market_held_by"] == {
        "id": holder.id,
        "name": "DACH push",
        "play": "Regional account acceleration",
        "message": warning,
    }
    assert (
        client.get(f"/api/v1/plans/{holder.id}/", HTTP_X_TENANT="northwind").json()["market_held_by"] is None
    )
    other_market = client.post(
        f"/t/northwind/plans/{second.id}/market/", {"market": "region:nordics"}, **HTMX
    )
    assert other_market.status_code == 200
    assert "already has a play" not in other_market.content.decode()
