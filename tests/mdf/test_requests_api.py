"""Fund requests, the catalog and the proposal templates through the API: staff who manage MDF
write the catalog and templates, everyone reads what their scope offers (partners: the active
ones); partners make, fix, submit and cancel their own requests, the vendor decides; each refusal
is a 4xx with the reason, a vendor key that writes is told why it may not."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from mdf.api.requests import KEY_REFUSED
from mdf.models import CatalogItem, EntryKind, FundRequest, LedgerEntry, ProposalTemplate
from mdf.services import catalog_item_set_active, request_rules_set
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import PARTNER_ROLES, Role
from tests.api_cases import (
    CREATE,
    DETAIL,
    EVERYONE,
    LIST,
    REPLACE,
    UPDATE,
    WRITE_KEY,
    APIResourceCases,
    bearer,
    session,
)
from tests.conftest import make_member
from tests.factories import (
    AllocationFactory,
    ApiKeyFactory,
    CatalogItemFactory,
    FundFactory,
    PlanFactory,
    PlayFactory,
    ProposalTemplateFactory,
)

JSON = "application/json"
ITEMS, TEMPLATES, REQUESTS = (
    "/api/v1/mdf-catalog-items/",
    "/api/v1/mdf-proposal-templates/",
    "/api/v1/mdf-requests/",
)
MANAGERS = {Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.CHANNEL}
QUESTIONS = ["Who is the audience?", "What follow-up is planned?"]
ANSWERS = {"Who is the audience?": "Twelve CIOs", "What follow-up is planned?": "Workshops"}


def audited_as(noun: str) -> dict[str, str]:
    return {CREATE: f"{noun}.created", UPDATE: f"{noun}.updated", REPLACE: f"{noun}.updated"}


class MdfCases(APIResourceCases, abstract=True):
    """What the three resources share: nothing deleted, everyone reads (in their scope), a vendor
    key that writes is told why it may not."""

    operations = {LIST, DETAIL, CREATE, UPDATE, REPLACE}
    readers = EVERYONE
    writers = MANAGERS
    refusals = {WRITE_KEY: KEY_REFUSED}
    list_queries = 6


class TestCatalogItemAPI(MdfCases):
    url = ITEMS
    model = CatalogItem
    audits = audited_as("mdf.catalog_item")
    invalid = {"tiers": ["platinum"], "amount": "0"}

    def create_payload(self, tenant, partner):
        return {
            "name": f"Webinar {CatalogItem.unscoped.count()}",
            "activity_type": "webinar",
            "amount": "400.00",
            "currency": "USD",
            "tiers": ["one_to_few"],
            "limit_per_quarter": 2,
        }

    def update_payload(self, tenant, partner):
        return {"amount": "450.00", "limit_per_quarter": None}

    def replace_payload(self, tenant, partner):
        return {
            "name": "Trade show booth",
            "activity_type": "event",
            "amount": "2000.00",
            "description": "A 3x3",
        }

    def shown(self, row):
        return {"name": row.name, "amount": str(row.amount), "is_active": row.is_active}


class TestProposalTemplateAPI(MdfCases):
    url = TEMPLATES
    model = ProposalTemplate
    audits = audited_as("mdf.proposal_template")
    invalid = {"questions": []}

    def create_payload(self, tenant, partner):
        return {
            "play": PlayFactory(tenant=tenant).id,
            "name": f"Executive dinner {ProposalTemplate.unscoped.count()}",
            "questions": QUESTIONS,
        }

    def update_payload(self, tenant, partner):
        return {"name": "Executive dinner, revised"}

    def replace_payload(self, tenant, partner):
        return {"play": PlayFactory(tenant=tenant).id, "name": "Roundtable", "questions": ["Which accounts?"]}

    def shown(self, row):
        return {"play": row.play_id, "name": row.name, "questions": row.questions}


class TestFundRequestAPI(MdfCases):
    url = REQUESTS
    model = FundRequest
    writers = MANAGERS | PARTNER_ROLES
    audits = audited_as("mdf.request")
    list_queries = 8
    invalid = {"starts_on": "next week", "amount_requested": "-5"}

    def create_payload(self, tenant, partner):
        allocation = AllocationFactory(tenant=tenant, partner=partner)
        template = ProposalTemplateFactory(tenant=tenant, questions=QUESTIONS)
        return {
            "partner": partner.id,
            "fund": allocation.fund_id,
            "kind": "proposal",
            "template": template.id,
            "title": "Dinner with hospital CIOs",
            "activity_type": "event",
            "starts_on": "2026-11-02",
            "ends_on": "2026-11-02",
            "format": "in_person",
            "amount_requested": "3000.00",
            "answers": ANSWERS,
        }

    def expected(self, operation, payload, partner):
        if operation == CREATE:
            return {**payload, "state": "draft", "currency": "USD", "amount_approved": None}
        return payload

    def update_payload(self, tenant, partner):
        return {"title": "Joint summit, day one", "expected_meetings": 6}

    def replace_payload(self, tenant, partner):
        return {
            "title": "Joint summit",
            "activity_type": "event",
            "starts_on": "2026-11-09",
            "ends_on": "2026-11-10",
        }

    def shown(self, row):
        return {"title": row.title, "state": row.state, "partner": row.partner_id, "target_accounts": []}


# --- the journeys, through the API ---------------------------------------------------------------------


@pytest.fixture
def fund(in_tenant):
    return FundFactory(tenant=in_tenant, name="Partner marketing")


@pytest.fixture
def allocation(in_tenant, fund, partner):
    return AllocationFactory(tenant=in_tenant, fund=fund, partner=partner, amount=Decimal("5000.00"))


@pytest.fixture
def template(in_tenant):
    return ProposalTemplateFactory(tenant=in_tenant, name="Executive dinner", questions=QUESTIONS)


@pytest.fixture
def plan(in_tenant, partner):
    return PlanFactory(tenant=in_tenant, partner=partner)


@pytest.fixture
def as_partner(partner_user):
    return session(partner_user)


@pytest.fixture
def as_manager(manager_user):
    return session(manager_user)


def post(client, url, body=None):
    return client.post(url, body or {}, content_type=JSON)


def draft(client, fund, template, plan, **fields):
    body = {
        "fund": fund.id,
        "kind": "proposal",
        "template": template.id,
        "title": "Dinner with hospital CIOs",
        "activity_type": "event",
        "starts_on": "2026-11-02",
        "ends_on": "2026-11-02",
        "plan": plan.id,
        "amount_requested": "3000.00",
        "answers": ANSWERS,
        **fields,
    }
    response = post(client, REQUESTS, body)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_partner_reads_the_active_catalog_serving_its_tier(in_tenant, as_partner, manager_user):
    CatalogItemFactory(tenant=in_tenant, name="Webinar", tiers=["one_to_few"])
    CatalogItemFactory(tenant=in_tenant, name="Summit", tiers=["one_to_one"])
    retired = CatalogItemFactory(tenant=in_tenant, name="Old booth")
    catalog_item_set_active(tenant=in_tenant, actor=manager_user, item_id=retired.id, active=False)

    names = [row["name"] for row in as_partner.get(ITEMS).json()["results"]]

    assert names == ["Webinar"]
    assert as_partner.get(f"{ITEMS}{retired.id}/").status_code == 404
    staff = session(manager_user).get(f"{ITEMS}?is_active=false").json()["results"]
    assert [row["name"] for row in staff] == ["Old booth"]


def test_a_catalog_request_in_a_few_clicks_is_approved_at_once(in_tenant, as_partner, manager_user, fund):
    pool = AllocationFactory(
        tenant=in_tenant, fund=fund, partner=None, tier=Partner.Tier.ONE_TO_FEW, amount=Decimal("1000")
    )
    item = CatalogItemFactory(tenant=in_tenant, name="Co-branded webinar", amount=Decimal("400.00"))

    created = post(
        as_partner,
        REQUESTS,
        {
            "fund": fund.id,
            "kind": "catalog",
            "catalog_item": item.id,
            "starts_on": "2026-11-05",
            "ends_on": "2026-11-05",
        },
    )
    assert created.status_code == 201, created.content
    submitted = post(as_partner, f"{REQUESTS}{created.json()['id']}/submit/")

    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert (body["state"], body["title"], body["amount_approved"], body["missing"]) == (
        "approved",
        "Co-branded webinar",
        "400.00",
        [],
    )
    assert body["allocation"] is None  # the tier's pool is the vendor's
    assert session(manager_user).get(f"{REQUESTS}{body['id']}/").json()["allocation"] == pool.id


def test_a_proposal_approved_in_part_reserves_the_approved_amount(
    in_tenant, as_partner, as_manager, fund, allocation, template, plan
):
    request = draft(as_partner, fund, template, plan)
    assert post(as_partner, f"{REQUESTS}{request['id']}/submit/").json()["state"] == "submitted"

    approved = post(as_manager, f"{REQUESTS}{request['id']}/approve/", {"amount": "2500.00"})

    assert approved.status_code == 200, approved.content
    assert (approved.json()["state"], approved.json()["amount_approved"]) == ("approved", "2500.00")
    assert LedgerEntry.objects.get(kind=EntryKind.RESERVE).amount == Decimal("2500.00")


def test_refusals_are_4xx_with_the_reason(
    in_tenant, as_partner, as_manager, fund, allocation, template, plan
):
    request = draft(as_partner, fund, template, plan, amount_requested="6000.00")
    url = f"{REQUESTS}{request['id']}"
    post(as_partner, f"{url}/submit/")

    overspend = post(as_manager, f"{url}/approve/")
    assert (overspend.status_code, overspend.json()) == (
        400,
        {"amount": ["Only 5000.00 USD is available in the allocation of Contoso Consulting."]},
    )
    no_note = post(as_manager, f"{url}/request-info/")
    assert (no_note.status_code, list(no_note.json())) == (400, ["note"])
    by_partner = post(as_partner, f"{url}/approve/")
    assert (by_partner.status_code, by_partner.json()) == (403, {"detail": "Your role does not allow this."})
    key = bearer(ApiKeyFactory(tenant=in_tenant, scopes=["read", "write"]))
    assert (post(key, f"{url}/approve/").status_code, post(key, f"{url}/approve/").json()) == (
        403,
        {"detail": KEY_REFUSED},
    )
    too_late = as_partner.patch(f"{url}/", {"title": "Changed"}, content_type=JSON)
    assert (too_late.status_code, too_late.json()) == (
        400,
        {"detail": "A request that is submitted cannot be changed."},
    )
    assert FundRequest.objects.get().state == "submitted"


def test_information_requested_then_resubmitted_and_rejected_then_declined(
    in_tenant, as_partner, as_manager, fund, allocation, template, plan
):
    url = f"{REQUESTS}{draft(as_partner, fund, template, plan)['id']}"
    post(as_partner, f"{url}/submit/")

    asked = post(as_manager, f"{url}/request-info/", {"note": "Which hospitals?"})
    assert (asked.json()["state"], asked.json()["review_note"]) == ("info_requested", "Which hospitals?")
    as_partner.patch(f"{url}/", {"description": "Mercy and St Luke's"}, content_type=JSON)
    assert post(as_partner, f"{url}/resubmit/").json()["state"] == "resubmitted"
    assert post(as_manager, f"{url}/reject/", {"note": "Too much."}).json()["state"] == "rejected"
    assert post(as_partner, f"{url}/resubmit/").json()["state"] == "resubmitted"
    assert post(as_manager, f"{url}/decline/", {"note": "Not this quarter."}).json()["state"] == "declined"
    final = post(as_partner, f"{url}/cancel/")
    assert (final.status_code, final.json()) == (400, {"detail": "This request is already declined."})


def test_a_partner_names_no_fund_it_draws_nothing_from(in_tenant, as_partner, allocation, template, plan):
    elsewhere = FundFactory(tenant=in_tenant, name="Strategic alliances")

    response = post(
        as_partner,
        REQUESTS,
        {
            "fund": elsewhere.id,
            "kind": "proposal",
            "template": template.id,
            "title": "Dinner",
            "activity_type": "event",
            "starts_on": "2026-11-02",
            "ends_on": "2026-11-02",
            "amount_requested": "10.00",
        },
    )

    assert (response.status_code, response.json()) == (400, {"fund": ["Select a valid fund."]})
    assert "Strategic alliances" not in response.content.decode()


def test_the_review_queue_filters_by_state_partner_and_aging(
    in_tenant, tenant, as_partner, as_manager, manager_user, fund, allocation, template, plan, other_partner
):
    tenant.timezone = "UTC"
    tenant.save(update_fields=["timezone"])
    request_rules_set(tenant=in_tenant, actor=manager_user, second_approval_above=None, aging_business_days=1)
    old = draft(as_partner, fund, template, plan, title="Old")
    post(as_partner, f"{REQUESTS}{old['id']}/submit/")
    FundRequest.objects.filter(id=old["id"]).update(
        in_review_since=datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    )
    draft(as_partner, fund, template, plan, title="Fresh")
    theirs = AllocationFactory(tenant=in_tenant, fund=fund, partner=other_partner)
    FundRequest.objects.create(
        tenant=in_tenant,
        partner=other_partner,
        fund=fund,
        allocation=theirs,
        kind="strategic",
        title="Fabrikam line",
        activity_type="event",
        starts_on=datetime.date(2026, 11, 2),
        ends_on=datetime.date(2026, 11, 2),
        amount_requested=Decimal("100"),
        currency="USD",
    )

    def titles(client, query):
        response = client.get(f"{REQUESTS}?{query}")
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert titles(as_manager, "aging=true") == ["Old"]
    assert titles(as_manager, "in_review=true") == ["Old"]
    assert titles(as_manager, "state=draft&sort=title") == ["Fabrikam line", "Fresh"]
    assert titles(as_manager, f"partner={other_partner.id}") == ["Fabrikam line"]
    assert titles(as_partner, "sort=title") == ["Fresh", "Old"]
    refused = as_partner.get(f"{REQUESTS}?partner={other_partner.id}")
    assert (refused.status_code, list(refused.json())) == (400, ["partner"])


def test_a_sales_rep_reads_requests_and_does_not_decide(
    in_tenant, as_partner, fund, allocation, template, plan
):
    url = f"{REQUESTS}{draft(as_partner, fund, template, plan)['id']}"
    post(as_partner, f"{url}/submit/")
    sales = session(make_member(in_tenant, Role.SALES, email="sam@northwind.example"))

    assert sales.get(f"{url}/").json()["state"] == "submitted"
    refused = post(sales, f"{url}/approve/")
    assert (refused.status_code, refused.json()) == (403, {"detail": "Your role does not allow this."})


@pytest.mark.django_db
def test_a_partner_names_only_the_plays_of_published_templates_in_the_template_filter(tenant, partner_user):
    published = ProposalTemplateFactory(
        tenant=tenant, play=PlayFactory(tenant=tenant, kind="roundtable")
    ).play
    hidden = PlayFactory(tenant=tenant, kind="expansion")
    client = Client(HTTP_X_TENANT=tenant.slug)
    client.force_login(partner_user)
    url = "/api/v1/mdf-proposal-templates/"
    assert client.get(url, {"play": published.id}).status_code == 200
    # A play no published template shows is "not a valid choice", exactly like one that does not exist.
    assert client.get(url, {"play": hidden.id}).json() == client.get(url, {"play": 999999}).json()
    assert client.get(url, {"play": hidden.id}).status_code == 400
