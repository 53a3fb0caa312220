"""Fund requests as people use them in the portal: a partner asks from the catalog in a few clicks,
with a proposal or for a strategic line, follows "my fund requests" and fixes what the vendor asks;
the vendor reviews the queue, the request beside the plan and accounts it serves, and decides."""

import datetime
from decimal import Decimal

import pytest

from mdf.models import CatalogItem, FundRequest, ProposalTemplate, RequestState
from mdf.selectors import allocation_balances
from mdf.services import request_rules, request_rules_set
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Notification, Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import (
    AllocationFactory,
    CatalogItemFactory,
    FundFactory,
    PartnerFactory,
    PlanAccountFactory,
    PlanFactory,
    PlayFactory,
    ProposalTemplateFactory,
    TargetAccountFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/t/northwind/mdf/requests/"
DATES = {"starts_on": "2026-12-10", "ends_on": "2026-12-11", "format": "virtual"}
ZERO_EXPECTED = {
    "expected_accounts_in_room": "0",
    "expected_meetings": "0",
    "expected_pipeline": "0",
    "partner_contribution": "0",
}


@pytest.fixture
def fund(tenant):
    return FundFactory(tenant=tenant, name="Q4 partner marketing", amount=Decimal("100000.00"))


@pytest.fixture
def pool(tenant, fund):
    return AllocationFactory(
        tenant=tenant, fund=fund, partner=None, tier=Partner.Tier.ONE_TO_MANY, amount=Decimal("1000.00")
    )


@pytest.fixture
def long_tail(tenant):
    return PartnerFactory(tenant=tenant, name="Tailspin Toys", tier=Partner.Tier.ONE_TO_MANY)


@pytest.fixture
def long_tail_user(tenant, long_tail):
    return make_member(tenant, Role.PARTNER_USER, partner=long_tail, email="tia@tailspin.example")


@pytest.fixture
def allocation(tenant, fund, partner):
    return AllocationFactory(tenant=tenant, fund=fund, partner=partner, amount=Decimal("20000.00"))


@pytest.fixture
def plan(tenant, partner):
    plan = PlanFactory(tenant=tenant, partner=partner, name="Healthcare Q4")
    for name in ("Acme Health", "Bravo Clinics"):
        PlanAccountFactory(tenant=tenant, plan=plan, account=TargetAccountFactory(tenant=tenant, name=name))
    return plan


def set_fields(tenant, model, row_id, **fields):
    with tenant_context(tenant):
        model.objects.filter(id=row_id).update(**fields)


def fresh(row):
    with tenant_context(row.tenant):
        row.refresh_from_db()


def request_of(title) -> FundRequest:
    return FundRequest.unscoped.get(title=title)


def reserved(tenant, allocation) -> Decimal:
    with tenant_context(tenant):
        return (
            allocation_balances(tenant=tenant, fund_ids=[allocation.fund_id]).get(id=allocation.id).reserved
        )


def test_a_long_tail_partner_requests_from_the_catalog_in_a_few_clicks_and_it_is_approved_at_once(
    tenant, pool, long_tail_user
):
    item = CatalogItemFactory(
        tenant=tenant, name="Webinar kit", amount=Decimal("400.00"), tiers=["one_to_many"]
    )
    CatalogItemFactory(tenant=tenant, name="Strategic summit", tiers=["one_to_one"])
    client = login(long_tail_user)
    choose = client.get(f"{BASE}new/").content.decode()
    assert "Webinar kit" in choose and "Strategic summit" not in choose  # only what its tier is offered
    summit = CatalogItem.unscoped.get(name="Strategic summit")
    assert client.get(f"{BASE}new/catalog/?item={summit.id}").status_code == 404
    assert client.get(f"{BASE}new/catalog/?item=x").status_code == 404

    form = client.get(f"{BASE}new/catalog/?item={item.id}")
    assert "Q4 partner marketing" in form.content.decode() and "Amount asked" not in form.content.decode()
    response = client.post(
        f"{BASE}new/catalog/?item={item.id}",
        {"fund": pool.fund_id, "title": "Webinar kit", "activity_type": "webinar", **DATES, **ZERO_EXPECTED},
    )
    fund_request = request_of("Webinar kit")
    assert response.status_code == 302 and response["Location"] == f"{BASE}{fund_request.id}/"
    assert fund_request.state == RequestState.DRAFT and fund_request.amount_requested == Decimal("400.00")

    response = client.post(f"{BASE}{fund_request.id}/submit/", follow=True)
    assert "Approved at once from the catalog" in response.content.decode()
    fresh(fund_request)
    assert fund_request.state == RequestState.APPROVED and fund_request.amount_approved == Decimal("400.00")
    assert reserved(tenant, pool) == Decimal("400.00")
    listing = client.get(BASE).content.decode()
    assert "Webinar kit" in listing and "Approved" in listing


def test_a_catalog_request_the_pool_cannot_cover_waits_for_review_saying_why(tenant, pool, long_tail_user):
    item = CatalogItemFactory(
        tenant=tenant, name="Trade show booth", amount=Decimal("1500.00"), tiers=["one_to_many"]
    )
    client = login(long_tail_user)
    client.post(
        f"{BASE}new/catalog/?item={item.id}",
        {
            "fund": pool.fund_id,
            "title": "Trade show booth",
            "activity_type": "event",
            **DATES,
            **ZERO_EXPECTED,
        },
    )
    fund_request = request_of("Trade show booth")
    page = client.post(f"{BASE}{fund_request.id}/submit/", follow=True).content.decode()
    fresh(fund_request)
    assert fund_request.state == RequestState.SUBMITTED
    assert "Sent for review" in page and "waits for review" in page
    assert reserved(tenant, pool) == Decimal("0")


def proposal_post(plan, fund, template, **changes):
    with tenant_context(plan.tenant):
        accounts = [row.account_id for row in plan.plan_accounts.all()]
    data = {
        "fund": fund.id,
        "title": "Healthcare roundtable",
        "activity_type": "event",
        **DATES,
        "format": "in_person",
        "plan": plan.id,
        "target_accounts": accounts,
        **ZERO_EXPECTED,
        "expected_accounts_in_room": "2",
        "amount_requested": "8000.00",
        "answer_0": "CIOs of the plan's health systems",
    }
    return data | changes


def test_a_proposal_is_reviewed_beside_its_plan_and_accounts_and_approved_for_less(
    tenant, allocation, plan, partner_user, manager_user
):
    template = ProposalTemplateFactory(
        tenant=tenant, name="Roundtable proposal", questions=["Who is the audience?"]
    )
    client = login(partner_user)
    response = client.post(
        f"{BASE}new/proposal/?template={template.id}", proposal_post(plan, allocation.fund, template)
    )
    assert response.status_code == 302, response.content.decode()
    fund_request = request_of("Healthcare roundtable")
    assert fund_request.answers == {"Who is the audience?": "CIOs of the plan's health systems"}
    client.post(f"{BASE}{fund_request.id}/submit/")

    vendor = login(manager_user)
    queue = vendor.get(f"{BASE}review/").content.decode()
    assert "Healthcare roundtable" in queue and "Contoso Consulting" in queue
    page = vendor.get(f"{BASE}{fund_request.id}/").content.decode()
    assert "Healthcare Q4" in page and "Acme Health" in page and "Bravo Clinics" in page
    assert "CIOs of the plan&#x27;s health systems" in page

    response = vendor.post(f"{BASE}{fund_request.id}/approve/", {"amount": "6000.00"}, follow=True)
    assert "Approved: 6000.00 USD reserved." in response.content.decode()
    fresh(fund_request)
    assert fund_request.state == RequestState.APPROVED and fund_request.amount_approved == Decimal("6000.00")
    assert reserved(tenant, allocation) == Decimal("6000.00")
    assert "partially" in client.get(f"{BASE}{fund_request.id}/").content.decode()
    assert Notification.unscoped.filter(user=partner_user, title__contains="approved").exists()
    assert "Healthcare roundtable" not in vendor.get(f"{BASE}review/").content.decode()  # decided: out


def test_a_proposal_with_an_unanswered_question_cannot_be_submitted_and_says_what_is_missing(
    tenant, allocation, plan, partner_user
):
    template = ProposalTemplateFactory(tenant=tenant, questions=["Who is the audience?"])
    client = login(partner_user)
    response = client.post(
        f"{BASE}new/proposal/?template={template.id}",
        proposal_post(plan, allocation.fund, template, answer_0=""),
    )
    assert "This field is required." in response.content.decode()  # the form asks for the answer
    assert not FundRequest.unscoped.exists()


def test_the_activity_cannot_end_before_it_starts(tenant, allocation, plan, partner_user):
    template = ProposalTemplateFactory(tenant=tenant)
    client = login(partner_user)
    response = client.post(
        f"{BASE}new/proposal/?template={template.id}",
        proposal_post(plan, allocation.fund, template, ends_on="2026-12-01"),
    )
    assert "The activity ends on or after the day it starts." in response.content.decode()
    assert not FundRequest.unscoped.exists()


def test_accounts_of_another_plan_are_refused_on_the_field(tenant, allocation, plan, partner, partner_user):
    other_plan = PlanFactory(tenant=tenant, partner=partner, name="Finance Q4")
    outsider = PlanAccountFactory(tenant=tenant, plan=other_plan).account_id
    template = ProposalTemplateFactory(tenant=tenant)
    client = login(partner_user)
    response = client.post(
        f"{BASE}new/proposal/?template={template.id}",
        proposal_post(plan, allocation.fund, template, target_accounts=[outsider]),
    )
    assert "Choose target accounts of the request&#x27;s plan." in response.content.decode()
    assert not FundRequest.unscoped.exists()


@pytest.fixture
def submitted_line(tenant, allocation, plan, partner_user):
    """A strategic line Contoso (made one-to-one) asked for and submitted."""
    set_fields(tenant, Partner, allocation.partner_id, tier=Partner.Tier.ONE_TO_ONE)
    client = login(partner_user)
    data = proposal_post(plan, allocation.fund, None, title="Joint Q4 budget", amount_requested="12000.00")
    del data["answer_0"]
    response = client.post(f"{BASE}new/strategic/", data)
    assert response.status_code == 302, response.content.decode()
    fund_request = request_of("Joint Q4 budget")
    client.post(f"{BASE}{fund_request.id}/submit/")
    fresh(fund_request)
    assert fund_request.state == RequestState.SUBMITTED
    return fund_request


def test_information_requested_then_fixed_and_resubmitted(
    submitted_line, plan, allocation, partner_user, manager_user
):
    vendor, client = login(manager_user), login(partner_user)
    vendor.post(f"{BASE}{submitted_line.id}/request-info/", {"note": "Which venue, and the agenda?"})
    page = client.get(f"{BASE}{submitted_line.id}/").content.decode()
    assert "The vendor asks:" in page and "Which venue, and the agenda?" in page and "Resubmit" in page

    edit = client.get(f"{BASE}{submitted_line.id}/edit/").content.decode()
    assert 'value="Joint Q4 budget"' in edit
    data = proposal_post(
        plan,
        allocation.fund,
        None,
        title="Joint Q4 budget",
        description="Venue: the Lodge",
    )
    del data["answer_0"], data["fund"]
    data["amount_requested"] = "12000.00"
    assert client.post(f"{BASE}{submitted_line.id}/edit/", data).status_code == 302
    client.post(f"{BASE}{submitted_line.id}/resubmit/")
    fresh(submitted_line)
    assert (
        submitted_line.state == RequestState.RESUBMITTED and submitted_line.description == "Venue: the Lodge"
    )
    assert "Joint Q4 budget" in vendor.get(f"{BASE}review/").content.decode()


def test_rejected_may_be_resubmitted_but_declined_is_final(submitted_line, partner_user, manager_user):
    vendor, client = login(manager_user), login(partner_user)
    vendor.post(f"{BASE}{submitted_line.id}/reject/", {"note": "Too early in the quarter"})
    assert "Resubmit" in client.get(f"{BASE}{submitted_line.id}/").content.decode()
    client.post(f"{BASE}{submitted_line.id}/resubmit/")
    response = vendor.post(f"{BASE}{submitted_line.id}/decline/", {"note": ""})
    assert "This field is required." in response.content.decode()  # a reason is always given
    vendor.post(f"{BASE}{submitted_line.id}/decline/", {"note": "No budget for this line"})
    fresh(submitted_line)
    assert submitted_line.state == RequestState.DECLINED
    page = client.get(f"{BASE}{submitted_line.id}/").content.decode()
    assert "No budget for this line" in page and "Resubmit" not in page and "Edit" not in page
    refusal = client.get(f"{BASE}{submitted_line.id}/resubmit/").content.decode()
    assert "Not possible" in refusal


def test_above_the_threshold_a_second_different_approver_reserves(
    tenant, submitted_line, manager_user, admin_user, allocation
):
    with tenant_context(tenant):
        request_rules_set(
            tenant=tenant, actor=admin_user, second_approval_above=Decimal("5000.00"), aging_business_days=5
        )
    first = login(manager_user)
    response = first.post(f"{BASE}{submitted_line.id}/approve/", {"amount": ""}, follow=True)
    assert "First approval recorded for 12000.00 USD" in response.content.decode()
    assert reserved(tenant, allocation) == Decimal("0")
    again = first.post(f"{BASE}{submitted_line.id}/approve/", {"amount": ""})
    assert "a second, different person approves" in again.content.decode()
    login(admin_user).post(f"{BASE}{submitted_line.id}/approve/", {"amount": ""})
    fresh(submitted_line)
    assert submitted_line.state == RequestState.APPROVED and reserved(tenant, allocation) == Decimal(
        "12000.00"
    )


def test_approving_more_than_the_allocation_holds_is_refused_on_the_form(
    tenant, submitted_line, manager_user, allocation
):
    set_fields(tenant, FundRequest, submitted_line.id, amount_requested=Decimal("30000.00"))
    response = login(manager_user).post(f"{BASE}{submitted_line.id}/approve/", {"amount": "25000.00"})
    page = response.content.decode()
    assert (
        response.status_code == 200 and "Only 20000.00 USD is available in the allocation of Contoso" in page
    )
    fresh(submitted_line)
    assert submitted_line.state == RequestState.SUBMITTED and reserved(tenant, allocation) == Decimal("0")


def test_cancelling_an_approved_request_gives_its_money_back(
    tenant, submitted_line, manager_user, partner_user, allocation
):
    login(manager_user).post(f"{BASE}{submitted_line.id}/approve/", {"amount": ""})
    client = login(partner_user)
    assert "go back to its allocation" in client.get(f"{BASE}{submitted_line.id}/cancel/").content.decode()
    client.post(f"{BASE}{submitted_line.id}/cancel/")
    fresh(submitted_line)
    assert submitted_line.state == RequestState.CANCELLED and reserved(tenant, allocation) == Decimal("0")


def test_the_vendor_adds_a_strategic_line_for_a_one_to_one_partner(tenant, fund, manager_user):
    strategic = PartnerFactory(tenant=tenant, name="Woodgrove", tier=Partner.Tier.ONE_TO_ONE)
    AllocationFactory(tenant=tenant, fund=fund, partner=strategic, amount=Decimal("50000.00"))
    plan = PlanFactory(tenant=tenant, partner=strategic)
    vendor = login(manager_user)
    form = vendor.get(f"{BASE}new/strategic/").content.decode()
    assert "Woodgrove" in form
    response = vendor.post(
        f"{BASE}new/strategic/",
        {
            "fund": fund.id,
            "partner": strategic.id,
            "title": "Woodgrove joint plan",
            "activity_type": "campaign",
            **DATES,
            "plan": plan.id,
            **ZERO_EXPECTED,
            "amount_requested": "30000.00",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert request_of("Woodgrove joint plan").partner_id == strategic.id


def test_aging_requests_are_marked_and_filtered_in_the_queue(tenant, submitted_line, manager_user):
    set_fields(
        tenant,
        FundRequest,
        submitted_line.id,
        in_review_since=datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC),
    )
    vendor = login(manager_user)
    assert "Aging" in vendor.get(f"{BASE}review/?aging=true").content.decode()
    set_fields(tenant, FundRequest, submitted_line.id, in_review_since=datetime.datetime.now(datetime.UTC))
    assert "Joint Q4 budget" not in vendor.get(f"{BASE}review/?aging=true").content.decode()


def test_a_partner_sees_only_its_own_requests_and_never_the_review_side(
    tenant, submitted_line, other_partner, partner_user
):
    outsider = make_member(tenant, Role.PARTNER_ADMIN, partner=other_partner, email="fran@fabrikam.example")
    client = login(outsider)
    assert client.get(f"{BASE}{submitted_line.id}/").status_code == 404
    assert client.get(f"{BASE}{submitted_line.id}/cancel/").status_code == 404
    assert "Joint Q4 budget" not in client.get(BASE).content.decode()
    own = login(partner_user)
    assert own.get(f"{BASE}review/").status_code == 403
    assert own.get(f"{BASE}{submitted_line.id}/approve/").status_code == 403
    assert "Recent changes" not in own.get(f"{BASE}{submitted_line.id}/").content.decode()


def test_staff_without_fund_rights_read_requests_but_do_not_decide(tenant, submitted_line):
    sales = make_member(tenant, Role.SALES, email="sam@northwind.example")
    client = login(sales)
    page = client.get(f"{BASE}{submitted_line.id}/").content.decode()
    assert "Joint Q4 budget" in page and "Approve…" not in page and "Decline…" not in page
    assert client.get(f"{BASE}{submitted_line.id}/approve/").status_code == 403
    assert client.get(f"{BASE}review/").status_code == 403


def test_the_list_exports_csv(tenant, submitted_line, manager_user):
    response = login(manager_user).get(f"{BASE}?export=csv")
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].lstrip("\ufeff").startswith("Partner,Title,Kind,Fund")
    assert "Joint Q4 budget" in body and "Contoso Consulting" in body


# --- the catalog, the templates and the rules ----------------------------------------------------

CATALOG = "/t/northwind/mdf/catalog/"


def test_a_fund_manager_publishes_changes_and_withdraws_a_catalog_item(tenant, manager_user, long_tail_user):
    vendor = login(manager_user)
    data = {
        "name": "Webinar kit",
        "activity_type": "webinar",
        "amount": "400.00",
        "currency": "USD",
        "tiers": ["one_to_many"],
        "limit_per_quarter": "2",
    }
    response = vendor.post(f"{CATALOG}new/", data, follow=True)
    assert "Webinar kit is in the catalog" in response.content.decode()
    again = vendor.post(f"{CATALOG}new/", data | {"name": "webinar KIT"})
    assert "This name is already taken." in again.content.decode()
    item = CatalogItem.unscoped.get(name="Webinar kit")
    vendor.post(f"{CATALOG}{item.id}/edit/", data | {"amount": "450.00"})
    fresh(item)
    assert item.amount == Decimal("450.00")
    assert "Webinar kit" in login(long_tail_user).get(f"{BASE}new/").content.decode()

    assert "no longer make new requests" in vendor.get(f"{CATALOG}{item.id}/deactivate/").content.decode()
    vendor.post(f"{CATALOG}{item.id}/deactivate/")
    assert "Webinar kit" not in login(long_tail_user).get(f"{BASE}new/").content.decode()
    assert login(long_tail_user).get(f"{BASE}new/catalog/?item={item.id}").status_code == 404
    assert "Deactivated" in vendor.get(CATALOG).content.decode()


def test_a_catalog_item_needs_a_positive_amount_and_a_tier(tenant, manager_user):
    response = login(manager_user).post(
        f"{CATALOG}new/", {"name": "Free lunch", "activity_type": "event", "amount": "0", "currency": "USD"}
    )
    page = response.content.decode()
    assert "Ensure this value is greater than or equal to 0.01." in page and "This field is required." in page
    assert not CatalogItem.unscoped.exists()


def test_a_proposal_template_is_published_for_a_play_with_one_question_per_line(tenant, manager_user):
    some_play = PlayFactory(tenant=tenant, kind="event", name="Executive roundtable")
    vendor = login(manager_user)
    response = vendor.post(
        "/t/northwind/mdf/proposal-templates/new/",
        {
            "play": some_play.id,
            "name": "Roundtable",
            "questions": "Who is the audience?\n\n  What follows up?  ",
        },
        follow=True,
    )
    assert "Roundtable is published" in response.content.decode()
    template = ProposalTemplate.unscoped.get(name="Roundtable")
    assert template.questions == ["Who is the audience?", "What follows up?"]
    empty = vendor.post(
        f"/t/northwind/mdf/proposal-templates/{template.id}/edit/",
        {"play": some_play.id, "name": "Roundtable", "questions": "   \n"},
    )
    assert "This field is required." in empty.content.decode()  # blank lines are no question


def test_the_approval_rules_are_set_by_a_fund_manager_only(tenant, manager_user, partner_user):
    vendor = login(manager_user)
    vendor.post(
        "/t/northwind/mdf/request-rules/", {"second_approval_above": "5000", "aging_business_days": "3"}
    )
    with tenant_context(tenant):
        rules = request_rules(tenant=tenant)
    assert rules.second_approval_above == Decimal("5000.00") and rules.aging_business_days == 3
    bad = vendor.post("/t/northwind/mdf/request-rules/", {"aging_business_days": "0"})
    assert "Ensure this value is greater than or equal to 1." in bad.content.decode()
    assert login(partner_user).get("/t/northwind/mdf/request-rules/").status_code == 403
    assert login(partner_user).get(CATALOG).status_code == 403
