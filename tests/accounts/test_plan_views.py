"""The plan pages: the board, and the six steps taken in place on the plan page (htmx), up to launch."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Plan, PlanAccount
from partnerhub.tenancy.roles import Role
from plays.services import catalog_install
from tests.conftest import PLAN_YEAR, login, make_member
from tests.factories import AccountMappingFactory, PlanAccountFactory, PlanFactory, TargetAccountFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plays(tenant):
    from partnerhub.tenancy.context import tenant_context

    with tenant_context(tenant):
        return {play.kind: play for play in catalog_install(tenant=tenant)}


def url(plan, step=""):
    return f"/t/northwind/plans/{plan.id}/{step}"


@pytest.mark.django_db
def test_a_partner_manager_walks_the_plan_page_to_launch(tenant, manager_user, partner, plays):
    sales = make_member(tenant, Role.SALES, full_name="Sam Sales")
    accounts = [
        TargetAccountFactory(tenant=tenant, industry="healthcare", name=f"Clinic {n}") for n in range(6)
    ]
    AccountMappingFactory(tenant=tenant, partner=partner, account=accounts[0])
    client = login(manager_user)

    new_plan = {"year": PLAN_YEAR, "quarter": 4, "name": "Hospitals Q4"}
    response = client.post("/t/northwind/plans/new/", new_plan)
    plan = Plan.unscoped.get(tenant=tenant, name="Hospitals Q4")
    assert response.status_code == 302 and response["Location"] == url(plan)

    page = client.get(url(plan))
    assert page.status_code == 200
    assert "Decide" in page.content.decode()

    step1 = client.post(url(plan, "market/"), {"market": "vertical:healthcare"}, **HTMX)
    assert step1.status_code == 200
    # Step 2 opens with accounts of the market to tick.
    assert "Clinic 0" in step1.content.decode()

    refused = client.post(url(plan, "accounts/"), {"accounts": [a.id for a in accounts[:4]]}, **HTMX)
    assert "A plan names 5 to 20 target accounts; you chose 4." in refused.content.decode()
    assert PlanAccount.unscoped.filter(plan=plan).count() == 0

    step2 = client.post(url(plan, "accounts/"), {"accounts": [a.id for a in accounts]}, **HTMX)
    body = step2.content.decode()
    assert "6 named accounts" in body
    # The ranking shows why: the partner works with one of the named accounts.
    assert "Works with 1 of the 6 named accounts: Clinic 0." in body

    client.post(url(plan, "partner/"), {"partner": partner.id}, **HTMX)
    step4 = client.get(url(plan))
    assert "Recommended" in step4.content.decode()
    client.post(url(plan, "play/"), {"play": plays["acceleration"].id}, **HTMX)
    client.post(
        url(plan, "follow-up/"),
        {
            "sales_owner": sales.id,
            "due_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "talk_track": "Offer the roadmap session.",
        },
        **HTMX,
    )
    step6 = client.post(
        url(plan, "targets/"),
        {"day30_followups": 6, "day60_meetings": 3, "day90_opportunities": 2, "currency": "USD"},
        **HTMX,
    )
    assert step6.status_code == 200
    plan.refresh_from_db()
    assert plan.status == "ready"

    launched = client.post(url(plan, "launch/"))
    assert launched.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "launched"
    page = client.get(url(plan)).content.decode()
    assert plan.program.tracking_code in page
    assert "Day 90: pipeline" in page


@pytest.mark.django_db
def test_a_step_out_of_order_shows_why_and_saves_nothing(tenant, manager_user, partner):
    plan = PlanFactory(tenant=tenant)
    response = login(manager_user).post(url(plan, "partner/"), {"partner": partner.id}, **HTMX)
    assert response.status_code == 200
    assert "Complete step 1 (market) before step 3 (partner)." in response.content.decode()
    plan.refresh_from_db()
    assert plan.partner is None


@pytest.mark.django_db
def test_partner_users_see_only_their_plans_read_only(tenant, partner, other_partner, partner_user):
    own = PlanFactory(tenant=tenant, partner=partner, name="Ours")
    PlanFactory(tenant=tenant, partner=other_partner, name="Theirs")
    PlanFactory(tenant=tenant, name="No partner yet")
    client = login(partner_user)

    board = client.get("/t/northwind/plans/").content.decode()
    assert "Ours" in board and "Theirs" not in board and "No partner yet" not in board
    page = client.get(url(own))
    assert page.status_code == 200
    assert "Decide" not in page.content.decode() and "Launch" not in page.content.decode()
    assert client.post(url(own, "market/"), {"market": "region:dach"}).status_code == 403


@pytest.mark.django_db
def test_the_plan_page_query_count_does_not_grow_with_accounts_or_partners(tenant, manager_user, plays):
    plan = PlanFactory(tenant=tenant, market_kind="vertical", market_value="healthcare")
    client = login(manager_user)

    def add(count):
        for _ in range(count):
            account = TargetAccountFactory(tenant=tenant)
            PlanAccountFactory(tenant=tenant, plan=plan, account=account)
            AccountMappingFactory(tenant=tenant, account=account)

    add(5)
    client.get(url(plan))
    with CaptureQueriesContext(connection) as five:
        client.get(url(plan))
    add(15)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(url(plan)).status_code == 200
    assert len(twenty) == len(five)
