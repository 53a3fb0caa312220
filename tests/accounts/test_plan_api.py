"""Plans REST API: a plan walked through its six steps, kickoff, launch, follow-up done and close, by
session and by key; refusals carry the service's message; roles, key scopes, partner scope and
another tenant's ids in input."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Plan, PlanAccount
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import STAFF_ROLES, Role
from plays.services import catalog_install
from tests.api_cases import (
    CREATE,
    DETAIL,
    EVERYONE,
    LIST,
    UPDATE,
    WRITE_KEY,
    APIResourceCases,
    bearer,
    session,
)
from tests.conftest import PLAN_YEAR, make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import (
    AccountMappingFactory,
    AllocationFactory,
    ApiKeyFactory,
    PartnerFactory,
    PlanAccountFactory,
    PlanFactory,
    TargetAccountFactory,
)

JSON = "application/json"
PLANS = "/api/v1/plans/"
TALK_TRACK = "Thank them for coming; offer the architecture review."


def url(plan_id, action="") -> str:
    return f"{PLANS}{plan_id}/{action + '/' if action else ''}"


def post(client, plan_id, action, body=None):
    return client.post(url(plan_id, action), body or {}, content_type=JSON)


def refused(client, plan_id, action, body, status=400):
    """The action is refused with `status` and no table changes; its JSON body is returned."""
    before = fingerprint()
    response = post(client, plan_id, action, body)
    assert response.status_code == status, response.content
    assert changed_tables(before, fingerprint()) == []
    return response.json()


@pytest.fixture
def plays(tenant):
    with tenant_context(tenant):
        return {play.kind: play for play in catalog_install(tenant=tenant)}


@pytest.fixture
def sales_user(tenant):
    return make_member(tenant, Role.SALES, email="sales@northwind.example")


@pytest.fixture
def named(tenant):
    """Six healthcare accounts in North America, named Clinic 0 … Clinic 5."""
    return [
        TargetAccountFactory(tenant=tenant, name=f"Clinic {n}", domain=f"clinic{n}.example") for n in range(6)
    ]


def follow_up_body(owner_email="sales@northwind.example") -> dict:
    return {
        "sales_owner": owner_email,
        "due_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        "talk_track": TALK_TRACK,
    }


TARGETS = {
    "day30_followups": 6,
    "day60_meetings": 3,
    "day90_opportunities": 2,
    "day90_pipeline": "250000.00",
    "currency": "EUR",
}


def create_plan(client, **fields) -> int:
    body = {"year": PLAN_YEAR, "quarter": 4, "name": "Hospitals Q4", **fields}
    created = client.post(PLANS, body, content_type=JSON)
    assert created.status_code == 201, created.content
    return created.json()["id"]


def take_six_steps(client, plan_id, named, partner, plays) -> None:
    steps = [
        ("market", {"market_kind": "vertical", "market_value": "healthcare"}),
        ("accounts", {"account_ids": [account.id for account in named]}),
        ("partner", {"partner_id": partner.id}),
        ("play", {"play_id": plays["vertical_wedge"].id, "note": "Contoso knows hospitals."}),
        ("follow-up", follow_up_body()),
        ("targets", TARGETS),
    ]
    for action, body in steps:
        response = post(client, plan_id, action, body)
        assert response.status_code == 200, (action, response.content)


def walk_to_ready(client, named, partner, plays) -> int:
    """Create a plan and take the six steps through the API; returns the plan's id."""
    plan_id = create_plan(client)
    take_six_steps(client, plan_id, named, partner, plays)
    return plan_id


# --- The generated cases: create, rename, read ---------------------------------------------------


class TestPlanAPI(APIResourceCases):
    """Plans are closed, never deleted; their decisions change through the actions below."""

    url = PLANS
    model = Plan
    operations = {LIST, DETAIL, CREATE, UPDATE}
    readers = EVERYONE  # partner users: the plans their company is the partner of
    writers = STAFF_ROLES | {WRITE_KEY}
    list_queries = 5
    audits = {CREATE: "plan.created", UPDATE: "plan.renamed"}
    invalid = {"quarter": 5}

    def row(self, tenant, partner=None):
        return PlanFactory(tenant=tenant, partner=partner or PartnerFactory(tenant=tenant))

    def create_payload(self, tenant, partner):
        return {"year": PLAN_YEAR, "quarter": 1, "name": "DACH Q1"}

    def update_payload(self, tenant, partner):
        return {"name": "  Hospitals Q4 "}

    def expected(self, operation, payload, partner):
        if operation == UPDATE:
            return {"name": payload["name"].strip()}
        return {**payload, "status": "draft", "quarter_label": f"Q1 {PLAN_YEAR}"}

    def shown(self, row):
        return {"name": row.name, "partner": {"id": row.partner_id, "name": row.partner.name}}


# --- The walk -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_walks_a_plan_through_every_action(
    tenant, manager_user, sales_user, partner, other_partner, plays, named
):
    client = session(manager_user)
    AccountMappingFactory(tenant=tenant, partner=partner, account=named[0], relationship="customer")
    AccountMappingFactory(tenant=tenant, partner=partner, account=named[1])
    AllocationFactory(tenant=tenant, partner=other_partner, fund__year=PLAN_YEAR, amount=Decimal("10000.00"))

    created = client.post(PLANS, {"year": PLAN_YEAR, "quarter": 4, "name": "Hospitals Q4"}, content_type=JSON)
    assert created.status_code == 201
    plan_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["created_by"] == "pm@northwind.example"
    assert [(s["step"], s["name"], s["taken"]) for s in created.json()["steps"]] == [
        (1, "Market", False),
        (2, "Accounts", False),
        (3, "Partner", False),
        (4, "Play", False),
        (5, "Follow-up", False),
        (6, "Measurement", False),
    ]

    market = post(client, plan_id, "market", {"market_kind": "vertical", "market_value": "healthcare"})
    assert market.status_code == 200
    assert (market.json()["market_kind"], market.json()["market_label"]) == ("vertical", "Healthcare")
    accounts = post(client, plan_id, "accounts", {"account_ids": [a.id for a in named]})
    assert accounts.status_code == 200
    assert accounts.json()["account_count"] == 6
    assert accounts.json()["accounts"][0] == {
        "id": named[0].id,
        "name": "Clinic 0",
        "domain": "clinic0.example",
        "stage": "net_new",
    }

    ranking = client.get(url(plan_id, "ranking"))
    assert ranking.status_code == 200
    first, second = ranking.json()
    assert (first["partner"], first["access"], first["score"]) == (
        {"id": partner.id, "name": "Contoso Consulting"},
        2,
        2 * 10 + 4 + 3,  # access, depth in healthcare, covers North America
    )
    assert first["access_accounts"] == [
        {"name": "Clinic 0", "relationship": "customer"},
        {"name": "Clinic 1", "relationship": "relationship"},
    ]
    assert first["reasons"][0] == "Works with 2 of the 6 named accounts: Clinic 0, Clinic 1."
    assert (first["mdf_available"], first["mdf_currency"]) == ("0.00", "")
    # The partner with MDF and no access ranks below: money is shown, never ranked.
    assert (second["partner"]["name"], second["mdf_available"], second["mdf_currency"]) == (
        "Fabrikam Systems",
        "10000.00",
        "USD",
    )
    assert len(client.get(url(plan_id, "ranking") + "?limit=1").json()) == 1

    assert post(client, plan_id, "partner", {"partner_id": partner.id}).status_code == 200
    recommendation = client.get(url(plan_id, "recommendation"))
    assert recommendation.status_code == 200
    assert recommendation.json()["kind"] == "vertical_wedge"
    assert recommendation.json()["play"]["id"] == plays["vertical_wedge"].id
    assert recommendation.json()["reason"].startswith("Contoso Consulting has depth in Healthcare")
    play = post(
        client,
        plan_id,
        "play",
        {"play_id": plays["vertical_wedge"].id},
    )
    assert play.json()["play"] == {
        "id": plays["vertical_wedge"].id,
        "name": plays["vertical_wedge"].name,
        "kind": "vertical_wedge",
        "reason": recommendation.json()["reason"],
    }
    follow_up = post(client, plan_id, "follow-up", follow_up_body())
    assert follow_up.json()["follow_up"] == {
        "sales_owner": "sales@northwind.example",
        "due_on": follow_up_body()["due_on"],
        "talk_track": TALK_TRACK,
        "done_at": None,
    }
    assert follow_up.json()["status"] == "draft"
    targets = post(client, plan_id, "targets", TARGETS)
    assert targets.json()["targets"] == TARGETS
    assert targets.json()["status"] == "ready"
    assert all(step["complete"] for step in targets.json()["steps"])

    kickoff = post(
        client,
        plan_id,
        "kickoff",
        {
            "owner_sales": "SALES@northwind.example",
            "owner_partner_marketing": "pm@northwind.example",
            "kickoff_decision_maker": "Dana (VP Marketing)",
            "meeting_cadence": "biweekly",
        },
    )
    assert kickoff.status_code == 200
    assert kickoff.json()["owners"]["owner_sales"] == "sales@northwind.example"
    assert kickoff.json()["owners"]["owner_partner_marketing"] == "pm@northwind.example"
    assert kickoff.json()["owners"]["owner_revops"] is None
    assert kickoff.json()["kickoff"]["kickoff_decision_maker"] == "Dana (VP Marketing)"
    assert kickoff.json()["kickoff"]["meeting_cadence"] == "biweekly"
    # Only the fields sent change.
    again = post(client, plan_id, "kickoff", {"owner_partner_marketing": None})
    assert again.json()["owners"]["owner_sales"] == "sales@northwind.example"
    assert again.json()["owners"]["owner_partner_marketing"] is None
    assert again.json()["kickoff"]["kickoff_decision_maker"] == "Dana (VP Marketing)"

    launched = post(client, plan_id, "launch")
    assert launched.status_code == 200
    body = launched.json()
    assert body["status"] == "launched"
    assert body["launched_at"] is not None
    assert body["program"]["tracking_code"].startswith(f"{PLAN_YEAR}Q4-")
    assert body["program"]["utm_campaign"] == body["program"]["tracking_code"].lower()
    assert body["program"]["utm_query"].startswith("utm_source=")
    launch_day = timezone.localdate()
    assert body["checkpoints"] == [
        {"day": day, "due_on": (launch_day + datetime.timedelta(days=day)).isoformat(), "frozen_at": None}
        for day in (30, 60, 90)
    ]

    done = post(client, plan_id, "follow-up-done")
    assert done.status_code == 200
    assert done.json()["follow_up"]["done_at"] is not None
    closed = post(client, plan_id, "close")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["program"]["status"] == "completed"
    assert client.get(url(plan_id)).json() == closed.json()


@pytest.mark.django_db
def test_targets_are_kept_in_any_iso_4217_currency(tenant, manager_user, sales_user, partner, plays, named):
    client = session(manager_user)
    plan_id = walk_to_ready(client, named, partner, plays)

    nordic = post(client, plan_id, "targets", {**TARGETS, "currency": "nok"})
    unknown = post(client, plan_id, "targets", {**TARGETS, "currency": "NOX"})

    assert nordic.status_code == 200
    assert nordic.json()["targets"]["currency"] == "NOK"
    assert unknown.status_code == 400
    assert list(unknown.json()) == ["currency"]
    assert Plan.unscoped.get(id=plan_id).target_currency == "NOK"


@pytest.mark.django_db
def test_a_write_key_walks_a_plan_and_launches_it(tenant, manager_user, sales_user, partner, plays, named):
    plan_id = create_plan(session(manager_user))
    client = bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))

    take_six_steps(client, plan_id, named, partner, plays)
    kickoff = post(client, plan_id, "kickoff", {"owner_sales": "sales@northwind.example"})
    launched = post(client, plan_id, "launch")

    assert kickoff.json()["owners"]["owner_sales"] == "sales@northwind.example"
    assert launched.status_code == 200
    assert launched.json()["status"] == "launched"
    plan = Plan.unscoped.get(id=plan_id)
    assert plan.status == Plan.Status.LAUNCHED
    assert plan.program.partner == partner
    assert post(client, plan_id, "follow-up-done").json()["follow_up"]["done_at"] is not None
    assert post(client, plan_id, "close").json()["status"] == "closed"


@pytest.mark.django_db
def test_a_plan_without_a_creating_user_is_created_renamed_and_kicked_off(tenant):
    client = bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))
    orphan = PlanFactory(tenant=tenant, created_by=None)

    created = client.post(PLANS, {"year": PLAN_YEAR, "quarter": 4}, content_type=JSON)
    renamed = client.patch(url(orphan.id), {"name": "Renamed"}, content_type=JSON)
    kickoff = post(client, orphan.id, "kickoff", {"kickoff_tools": "Shared drive"})

    assert created.status_code == 201, created.content
    assert created.json()["created_by"] is None  # a key is not a user
    assert renamed.status_code == 200, renamed.content
    assert kickoff.status_code == 200, kickoff.content


# --- Refusals carry the service's message -------------------------------------------------------


@pytest.mark.django_db
def test_refusals_are_400_with_the_services_message_and_change_nothing(
    tenant, manager_user, sales_user, partner, plays, named
):
    client = session(manager_user)
    plan_id = client.post(PLANS, {"year": PLAN_YEAR, "quarter": 4}, content_type=JSON).json()["id"]

    assert refused(client, plan_id, "partner", {"partner_id": partner.id}) == {
        "detail": "Complete step 1 (market) before step 3 (partner)."
    }
    assert refused(client, plan_id, "market", {"market_kind": "region", "market_value": "healthcare"}) == {
        "market_value": ["Choose one region as the market priority."]
    }
    post(client, plan_id, "market", {"market_kind": "vertical", "market_value": "healthcare"})
    assert refused(client, plan_id, "accounts", {"account_ids": [a.id for a in named[:4]]}) == {
        "account_ids": ["A plan names 5 to 20 target accounts; you chose 4."]
    }
    post(client, plan_id, "accounts", {"account_ids": [a.id for a in named[:5]]})
    post(client, plan_id, "partner", {"partner_id": partner.id})
    post(client, plan_id, "play", {"play_id": plays["vertical_wedge"].id})
    assert refused(client, plan_id, "launch", {}) == {
        "detail": "No follow-up commitment, no launch: complete step 5 (follow-up) first."
    }
    past = {**follow_up_body(), "due_on": "2020-01-01"}
    assert refused(client, plan_id, "follow-up", past) == {"due_on": ["The follow-up date is in the past."]}
    post(client, plan_id, "follow-up", follow_up_body())
    # The service names the model field; the API names the input field the caller sent.
    assert refused(client, plan_id, "targets", TARGETS) == {
        "day30_followups": ["The day-30 target cannot exceed the 5 named accounts."]
    }
    assert refused(client, plan_id, "follow-up-done", {}) == {"detail": "The follow-up is done after launch."}


@pytest.mark.django_db
def test_one_play_per_market_per_quarter_is_a_400_on_the_play(
    tenant, manager_user, sales_user, partner, other_partner, plays, named
):
    client = session(manager_user)
    walk_to_ready(client, named, partner, plays)
    second_plan = {"year": PLAN_YEAR, "quarter": 4, "name": "Second"}
    second = client.post(PLANS, second_plan, content_type=JSON).json()["id"]
    post(client, second, "market", {"market_kind": "vertical", "market_value": "healthcare"})
    post(client, second, "accounts", {"account_ids": [a.id for a in named[:5]]})
    post(client, second, "partner", {"partner_id": other_partner.id})

    body = refused(client, second, "play", {"play_id": plays["acceleration"].id})

    assert body == {
        "play_id": [
            f"Healthcare already has a play in Q4 {PLAN_YEAR}: Vertical wedge in “Hospitals Q4”. "
            "One play per market per quarter."
        ]
    }


@pytest.mark.django_db
def test_changing_an_earlier_step_shows_later_steps_for_review(
    tenant, manager_user, sales_user, partner, other_partner, plays, named
):
    client = session(manager_user)
    plan_id = walk_to_ready(client, named, partner, plays)

    response = post(client, plan_id, "partner", {"partner_id": other_partner.id})

    body = response.json()
    assert body["status"] == "draft"
    assert body["review_steps"] == [4, 5, 6]
    assert [(s["step"], s["taken"], s["complete"], s["review"]) for s in body["steps"]] == [
        (1, True, True, False),
        (2, True, True, False),
        (3, True, True, False),
        (4, True, False, True),
        (5, True, False, True),
        (6, True, False, True),
    ]
    assert refused(client, plan_id, "launch", {})["detail"].startswith("Launch needs all six steps complete")


# --- Another tenant's ids in input --------------------------------------------------------------


@pytest.mark.django_db
def test_another_tenants_ids_in_input_are_400_field_errors(
    tenant, other_tenant, manager_user, sales_user, partner, plays, named
):
    foreign_accounts = [TargetAccountFactory(tenant=other_tenant) for _ in range(5)]
    foreign_partner = PartnerFactory(tenant=other_tenant)
    with tenant_context(other_tenant):
        foreign_play = catalog_install(tenant=other_tenant)[0]
    foreign_staff = make_member(other_tenant, Role.SALES, email="sales@globex.example")
    client = session(manager_user)
    plan_id = client.post(PLANS, {"year": PLAN_YEAR, "quarter": 4}, content_type=JSON).json()["id"]
    post(client, plan_id, "market", {"market_kind": "vertical", "market_value": "healthcare"})

    mixed = [named[0].id, *[account.id for account in foreign_accounts]]
    accounts = refused(client, plan_id, "accounts", {"account_ids": mixed})
    post(client, plan_id, "accounts", {"account_ids": [a.id for a in named]})
    partner_error = refused(client, plan_id, "partner", {"partner_id": foreign_partner.id})
    post(client, plan_id, "partner", {"partner_id": partner.id})
    play_error = refused(client, plan_id, "play", {"play_id": foreign_play.id})
    post(client, plan_id, "play", {"play_id": plays["vertical_wedge"].id})
    follow_up = refused(client, plan_id, "follow-up", follow_up_body("sales@globex.example"))
    kickoff = refused(client, plan_id, "kickoff", {"owner_revops": foreign_staff.email})

    # Each foreign id is named by its place in the list (the first, at [0], is the tenant's own).
    assert set(accounts) == {f"account_ids[{index}]" for index in range(1, len(mixed))}
    assert accounts["account_ids[1]"] == [f"Object with id={foreign_accounts[0].id} does not exist."]
    assert partner_error == {"partner_id": [f"Object with id={foreign_partner.id} does not exist."]}
    assert play_error == {"play_id": [f"Object with id={foreign_play.id} does not exist."]}
    assert follow_up == {"sales_owner": ["Object with email=sales@globex.example does not exist."]}
    assert kickoff == {"owner_revops": ["Object with email=sales@globex.example does not exist."]}
    assert PlanAccount.unscoped.filter(plan_id=plan_id).count() == 6


@pytest.mark.django_db
def test_a_partner_users_email_is_refused_as_an_owner(tenant, manager_user, partner, partner_user):
    client = session(manager_user)
    plan_id = client.post(PLANS, {"year": PLAN_YEAR, "quarter": 4}, content_type=JSON).json()["id"]

    body = refused(client, plan_id, "kickoff", {"owner_channel": "casey@contoso.example"})

    assert body == {"owner_channel": ["Object with email=casey@contoso.example does not exist."]}


# --- Roles, key scopes and partner scope --------------------------------------------------------


@pytest.mark.django_db
def test_a_read_key_reads_plans_but_cannot_act(tenant, partner, named):
    plan = PlanFactory(tenant=tenant, name="Hospitals Q4")
    client = bearer(ApiKeyFactory(tenant=tenant, scopes=["read"]))

    assert client.get(url(plan.id)).status_code == 200
    assert client.get(url(plan.id, "ranking")).status_code == 200
    for action in ["market", "accounts", "partner", "play", "follow-up", "targets", "kickoff", "launch"]:
        body = refused(client, plan.id, action, {"market_kind": "region", "market_value": "dach"}, 403)
        assert body == {"detail": "This API key has no “write” scope."}


@pytest.mark.django_db
def test_a_partner_user_sees_only_their_companys_plans_and_cannot_plan(
    tenant, partner, other_partner, partner_user
):
    own = PlanFactory(tenant=tenant, name="Ours", partner=partner)
    PlanAccountFactory(tenant=tenant, plan=own)
    theirs = PlanFactory(tenant=tenant, name="Theirs", partner=other_partner)
    PlanFactory(tenant=tenant, name="Not chosen yet")
    client = session(partner_user)

    listing = client.get(PLANS)
    assert [row["name"] for row in listing.json()["results"]] == ["Ours"]
    assert client.get(url(own.id)).json()["partner"] == {"id": partner.id, "name": "Contoso Consulting"}
    assert client.get(url(theirs.id)).status_code == 404
    # Ranking shows every partner's access and MDF; the recommendation is the vendor's planning aid.
    assert client.get(url(own.id, "ranking")).status_code == 403
    assert client.get(url(own.id, "recommendation")).status_code == 403
    assert client.get(url(theirs.id, "ranking")).status_code == 404
    for action in ["market", "partner", "kickoff", "launch", "close", "follow-up-done"]:
        assert refused(client, own.id, action, {}, 403) == {"detail": "Your role does not allow this."}
        refused(client, theirs.id, action, {}, 404)


@pytest.mark.django_db
def test_staff_take_steps_but_only_launchers_launch_and_close(
    tenant, manager_user, sales_user, partner, plays, named
):
    plan_id = walk_to_ready(session(manager_user), named, partner, plays)
    sales = session(sales_user)

    assert post(sales, plan_id, "kickoff", {"kickoff_tools": "Shared drive"}).status_code == 200
    assert refused(sales, plan_id, "launch", {}, 403) == {"detail": "Your role does not allow this."}
    assert refused(sales, plan_id, "close", {}, 403) == {"detail": "Your role does not allow this."}
    assert post(session(manager_user), plan_id, "launch").status_code == 200


# --- Create, rename, list -----------------------------------------------------------------------


@pytest.mark.django_db
def test_create_is_idempotent_with_a_key(tenant, manager_user):
    client = session(manager_user)
    body = {"year": PLAN_YEAR, "quarter": 2, "name": "DACH Q2"}

    first = client.post(PLANS, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="plan-1")
    second = client.post(PLANS, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="plan-1")

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Plan.unscoped.filter(tenant=tenant, name="DACH Q2").count() == 1


@pytest.mark.django_db
def test_patch_refuses_the_plans_decisions(tenant, manager_user):
    client = session(manager_user)
    plan = Plan.unscoped.get(id=create_plan(client, name="Draft"))

    response = client.patch(url(plan.id), {"name": "X", "status": "launched"}, content_type=JSON)

    assert response.status_code == 400
    assert response.json()["status"][0].startswith("Only the name is changed here")
    plan.refresh_from_db()
    assert (plan.name, plan.status) == ("Draft", "draft")


@pytest.fixture
def board(tenant, partner, other_partner):
    PlanFactory(tenant=tenant, name="A", year=2026, quarter=3, market_kind="region", market_value="dach")
    PlanFactory(
        tenant=tenant,
        name="B",
        year=2026,
        quarter=4,
        market_kind="vertical",
        market_value="healthcare",
        partner=partner,
    )
    PlanFactory(tenant=tenant, name="C", year=2027, quarter=1, status="closed", partner=other_partner)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("year=2026", ["B", "A"]),
        ("quarter=3", ["A"]),
        ("status=closed", ["C"]),
        ("market_kind=vertical", ["B"]),
        ("market_value=dach", ["A"]),
        ("q=b", ["B"]),
        ("sort=name", ["A", "B", "C"]),
        ("sort=-year,-quarter", ["C", "B", "A"]),
        ("sort=accounts,name", ["A", "B", "C"]),
    ],
)
def test_plan_filters_and_ordering(board, manager_user, query, expected):
    response = session(manager_user).get(f"{PLANS}?{query}")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == expected


@pytest.mark.django_db
def test_filtering_by_partner_names_a_partner_of_the_tenant(board, other_tenant, manager_user, partner):
    client = session(manager_user)
    foreign = PartnerFactory(tenant=other_tenant)

    assert [row["name"] for row in client.get(f"{PLANS}?partner={partner.id}").json()["results"]] == ["B"]
    response = client.get(f"{PLANS}?partner={foreign.id}")
    assert response.status_code == 400
    assert set(response.json()) == {"partner"}


@pytest.mark.django_db
def test_ranking_limit_is_validated(tenant, manager_user):
    plan = PlanFactory(tenant=tenant)
    response = session(manager_user).get(url(plan.id, "ranking") + "?limit=0")
    assert response.status_code == 400
    assert set(response.json()) == {"limit"}


@pytest.mark.django_db
def test_detail_query_count_does_not_grow_with_named_accounts(
    tenant, manager_user, sales_user, partner, plays
):
    client = session(manager_user)

    def plan_with(count):
        plan_id = client.post(PLANS, {"year": PLAN_YEAR, "quarter": 4}, content_type=JSON).json()["id"]
        ids = [TargetAccountFactory(tenant=tenant).id for _ in range(count)]
        post(client, plan_id, "market", {"market_kind": "segment", "market_value": "enterprise"})
        assert post(client, plan_id, "accounts", {"account_ids": ids}).status_code == 200
        return plan_id

    def queries(plan_id):
        client.get(url(plan_id))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(plan_id)).status_code == 200
        return len(captured)

    assert queries(plan_with(5)) == queries(plan_with(20))
