"""The account-first scorecard: per plan, partner and quarter, counted from what the services wrote;
MDF paid for a program becomes the cost per engaged account; registrations, leads and MDF spent are
signals, kept apart from the score."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from accounts.services.accounts import opportunity_create
from mdf.services import (
    claim_approve,
    claim_create,
    claim_pay,
    claim_submit,
    claim_upload_proof,
    proof_accept,
)
from mdf.services.claims import required_proof_kinds
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import (
    AllocationFactory,
    ApiKeyFactory,
    CheckpointFactory,
    FundFactory,
    TargetAccountFactory,
)
from tests.mdf.proof_files import pdf, png, proof_dir, xlsx
from tests.mdf.test_claims import AFTER, approved_request
from tests.reporting.journey import DAY, LAUNCH_DAY, at, attend, launched_plan, touch

pytestmark = pytest.mark.django_db
__all__ = ["proof_dir"]  # the fixture, used by name


@pytest.fixture
def people(tenant):
    return {
        "manager": make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example"),
        "sales": make_member(tenant, Role.SALES, email="sales@northwind.example"),
    }


def paid_mdf(tenant, plan, partner, partner_user, reviewer, amount):
    Partner.objects.filter(id=partner.id).update(tier=Partner.Tier.ONE_TO_ONE)  # a strategic line
    fund = FundFactory(tenant=tenant, name="Q4 MDF", amount=Decimal("100000.00"), claim_window_days=30)
    AllocationFactory(tenant=tenant, fund=fund, partner=partner, amount=Decimal("50000.00"))
    request = approved_request(tenant, partner_user, reviewer, fund, asked=amount, program=plan.program.id)
    claim = claim_create(
        tenant=tenant, actor=partner_user, request_id=request.id, amount_claimed=Decimal(amount), now=AFTER
    )
    files = {"attendee_list": xlsx, "photos": png}
    proofs = [
        claim_upload_proof(
            tenant=tenant, actor=partner_user, claim_id=claim.id, file=files.get(kind, pdf)(), kind=kind
        )
        for kind in required_proof_kinds(request)
    ]
    claim_submit(tenant=tenant, actor=partner_user, claim_id=claim.id, now=AFTER)
    for proof in proofs:
        proof_accept(tenant=tenant, actor=reviewer, proof_id=proof.id)
    claim_approve(tenant=tenant, actor=reviewer, claim_id=claim.id, now=AFTER)
    claim_pay(
        tenant=tenant,
        actor=reviewer,
        claim_id=claim.id,
        payment_reference="P-1",
        paid_on=AFTER.date(),
        now=AFTER,
    )


@pytest.fixture
def scored(in_tenant, people, partner, partner_user, proof_dir):
    """One plan: 6 named accounts; named0 and named1 attend (named1 twice), someone from named4
    registers but does not come, named2 meets; an opportunity of 20,000 USD opens on named0 (in the
    room) and one of 9,000 USD inside named3, a customer since a deal won before launch; 3,000 USD
    of MDF is paid for the program. A second plan of the same partner on other accounts, with one
    attendee."""
    tenant, manager, sales = in_tenant, people["manager"], people["sales"]
    plan, named = launched_plan(tenant, manager, sales, partner)
    attend(tenant, manager, plan.program, named[0], at(tenant, LAUNCH_DAY + 5 * DAY))
    attend(tenant, manager, plan.program, named[1], at(tenant, LAUNCH_DAY + 5 * DAY))
    attend(tenant, manager, plan.program, named[1], at(tenant, LAUNCH_DAY + 5 * DAY), who="second")
    attend(
        tenant,
        manager,
        plan.program,
        named[4],
        at(tenant, LAUNCH_DAY + 5 * DAY),
        who="signed-up",
        status="registered",
    )  # never came
    touch(tenant, sales, named[2], "meeting", at(tenant, LAUNCH_DAY + 9 * DAY))
    with time_machine.travel(at(tenant, LAUNCH_DAY - 60 * DAY), tick=False):  # named3: a customer since
        opportunity_create(
            tenant=tenant,
            actor=sales,
            account=named[3],
            name="First deal",
            stage="closed_won",
            amount=Decimal("5000.00"),
            currency="USD",
        )
    with time_machine.travel(at(tenant, LAUNCH_DAY + 20 * DAY), tick=False):
        for account, amount in ((named[0], "20000.00"), (named[3], "9000.00")):
            opportunity_create(
                tenant=tenant,
                actor=sales,
                account=account,
                name="Deal",
                stage="prospecting",
                amount=Decimal(amount),
                currency="USD",
            )
    paid_mdf(tenant, plan, partner, partner_user, manager, "3000.00")
    second = second_plan(tenant, manager, sales, partner)
    return plan, second


def second_plan(tenant, manager, sales, partner):
    accounts = [TargetAccountFactory(tenant=tenant, domain=f"other{i}.example") for i in range(5)]
    plan, _ = launched_plan(
        tenant,
        manager,
        sales,
        partner,
        name="Retail Q3",
        market="retail",
        play="roundtable",
        launch_day=LAUNCH_DAY + 37 * DAY,
        accounts=accounts,
        targets={
            "day30_followups": 1,
            "day60_meetings": 1,
            "day90_opportunities": 1,
            "day90_pipeline": Decimal("1000.00"),
        },
    )
    attend(tenant, manager, plan.program, accounts[0], at(tenant, LAUNCH_DAY + 40 * DAY))
    return plan


def rows_of(client, **query):
    response = client.get("/t/northwind/reporting/scorecard/", query)
    assert response.status_code == 200
    return response


def api_rows(user, **query):
    client = login(user)
    client.defaults["HTTP_X_TENANT"] = "northwind"
    response = client.get("/api/v1/reporting/scorecards/", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_plans_score_is_account_movement_and_its_signals_are_apart(scored, people):
    plan, _ = scored
    (row,) = [row for row in api_rows(people["manager"]) if row["key"] == str(plan.id)]
    assert row["currency"] == "USD"
    score = row["score"]
    assert (score["named_accounts"], score["accounts_attended"], score["attendance_rate"]) == (6, 2, "0.333")
    assert (score["meetings"], score["accounts_met"], score["accounts_engaged"]) == (1, 1, 3)
    assert (score["opportunities_progressed"], score["pipeline_progressed"]) == (2, "29000.00")
    assert (score["opportunities_in_room"], score["pipeline_in_room"]) == (1, "20000.00")
    assert (score["expansion_opportunities"], score["expansion_pipeline"]) == (1, "9000.00")
    assert score["cost_per_engagement"] == "1000.00"  # 3,000 paid ÷ 3 engaged accounts
    assert row["signals"] == {"registrations": 1, "attendees": 3, "leads": 0, "mdf_paid": "3000.00"}
    assert "mdf_paid" not in score and "registrations" not in score


def test_a_partners_and_a_quarters_scorecard_add_up_their_plans(scored, people, partner):
    by_partner = api_rows(people["manager"], by="partner")
    assert [(row["key"], row["plans"]) for row in by_partner] == [(str(partner.id), 2)]
    assert by_partner[0]["score"]["named_accounts"] == 11
    assert by_partner[0]["score"]["accounts_attended"] == 3
    assert by_partner[0]["score"]["attendance_rate"] == "0.273"
    by_quarter = {row["key"]: row for row in api_rows(people["manager"], by="quarter")}
    assert set(by_quarter) == {"2026-Q2", "2026-Q3"}
    assert by_quarter["2026-Q3"]["score"]["accounts_attended"] == 1
    only_q3 = api_rows(people["manager"], by="partner", period="2026-Q3")
    assert only_q3[0]["plans"] == 1


def test_the_scorecard_page_shows_the_score_and_the_signals_and_exports_csv(scored, people):
    client = login(people["manager"])
    page = rows_of(client).content.decode()
    assert "Score: account movement" in page and "Signals (not the score)" in page
    assert "Healthcare Q2" in page and "Retail Q3" in page
    assert "$29,000.00" in page and "33.3%" in page
    csv_text = b"".join(rows_of(client, by="partner", export="csv").streaming_content).decode()
    header, row = csv_text.lstrip("\ufeff").splitlines()[:2]
    assert header.startswith("Partner,Plans,Named accounts,Accounts attended,Attendance rate")
    assert row.startswith("Contoso Consulting,2,11,3,0.273")


def test_partner_users_and_keys_get_no_scorecard_and_only_their_own_checkpoints(
    tenant, partner, partner_user, other_partner
):
    own = CheckpointFactory.for_partner(tenant=tenant, partner=partner)
    CheckpointFactory.for_partner(tenant=tenant, partner=other_partner)
    assert login(partner_user).get("/t/northwind/reporting/scorecard/").status_code == 403
    key = ApiKeyFactory(tenant=tenant, partner=partner, scopes=["read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    assert client.get("/api/v1/reporting/scorecards/").status_code == 403
    body = client.get("/api/v1/reporting/checkpoints/").json()
    assert [row["id"] for row in body["results"]] == [own.id]
    assert body["results"][0]["state"] == "open" and body["results"][0]["snapshot"] is None


def test_the_checkpoint_api_filters_by_state_and_carries_the_snapshot(in_tenant, people, partner):
    from tests.reporting.journey import sweep_on

    launched_plan(in_tenant, people["manager"], people["sales"], partner)
    sweep_on(in_tenant, LAUNCH_DAY + 61 * DAY)
    client = login(people["manager"])
    client.defaults["HTTP_X_TENANT"] = "northwind"
    missed = client.get("/api/v1/reporting/checkpoints/", {"state": "missed"}).json()["results"]
    assert [(row["day"], row["state"]) for row in missed] == [(30, "missed"), (60, "missed")]
    assert missed[1]["snapshot"]["measures"][0] == {
        "key": "meetings",
        "label": "Meetings booked from named accounts",
        "target": 3,
        "actual": 0,
        "met": False,
        "gap": 3,
    }
    assert missed[1]["live"][0]["actual"] == 0
    still_open = client.get("/api/v1/reporting/checkpoints/", {"state": "open"}).json()["results"]
    assert [row["day"] for row in still_open] == [90]
    assert client.get("/api/v1/reporting/checkpoints/", {"state": "sideways"}).status_code == 400
    assert datetime.date.fromisoformat(still_open[0]["due_on"]) == LAUNCH_DAY + 90 * DAY
