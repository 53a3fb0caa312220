"""Fund requests through the services: the catalog approved by itself within the pool and the
partner's limit, proposals approved for what was asked or less, a strategic line agreed with the
vendor, information asked and given, rejected and fixed, declined for good, two approvers above the
threshold, cancelling releasing what was reserved; the books balanced after every step."""

import datetime
import re
from decimal import Decimal

import pytest

from mdf.models import EFFECTS, EntryKind, FundRequest, LedgerEntry, RequestState
from mdf.selectors import (
    aging_cutoff,
    allocation_balances,
    allocation_last_entry,
    fund_balances,
    fund_last_entry,
    request_list,
)
from mdf.services import (
    catalog_item_create,
    catalog_item_set_active,
    proposal_template_create,
    request_approve,
    request_cancel,
    request_create,
    request_decline,
    request_info,
    request_missing,
    request_reject,
    request_resubmit,
    request_rules_set,
    request_submit,
    request_update,
)
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Notification, Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import (
    AllocationFactory,
    FundFactory,
    PartnerFactory,
    PlanAccountFactory,
    PlanFactory,
    PlayFactory,
    TargetAccountFactory,
)

pytestmark = pytest.mark.django_db

NOV = {"starts_on": datetime.date(2026, 11, 2), "ends_on": datetime.date(2026, 11, 3)}


def assert_books_balanced(tenant, fund):
    """Each bucket three ways: the signed sum of the entries, the balance selectors, the last
    entry's running totals (the fund's, and each allocation's)."""
    entries = list(LedgerEntry.objects.filter(tenant=tenant, fund=fund))
    fund_row = fund_balances(tenant=tenant, fund_ids=[fund.id]).get()
    last = fund_last_entry(tenant=tenant, fund_id=fund.id)
    for bucket in ("allocated", "reserved", "claimed", "paid", "expired"):
        summed = sum((e.amount * EFFECTS[e.kind].get(bucket, 0) for e in entries), Decimal("0"))
        assert summed == getattr(fund_row, bucket) == getattr(last, f"fund_{bucket}"), bucket
    assert fund_row.available == last.fund_available
    for row in allocation_balances(tenant=tenant, fund_ids=[fund.id]):
        mine = [e for e in entries if e.allocation_id == row.id]
        last_of = allocation_last_entry(tenant=tenant, allocation_id=row.id)
        for bucket in ("allocated", "reserved"):
            summed = sum((e.amount * EFFECTS[e.kind].get(bucket, 0) for e in mine), Decimal("0"))
            assert summed == getattr(row, bucket) == getattr(last_of, f"allocation_{bucket}"), bucket
        assert row.available == last_of.allocation_available


def reserved_for(tenant, request):
    return sum(
        (
            e.amount * EFFECTS[e.kind].get("reserved", 0)
            for e in LedgerEntry.objects.filter(tenant=tenant, concerns_id=request.id)
        ),
        Decimal("0"),
    )


@pytest.fixture
def fund(in_tenant):
    return FundFactory(tenant=in_tenant, name="Partner marketing", amount=Decimal("100000.00"))


@pytest.fixture
def allocation(in_tenant, fund, partner):
    return AllocationFactory(tenant=in_tenant, fund=fund, partner=partner, amount=Decimal("5000.00"))


@pytest.fixture
def pool(in_tenant, fund):
    return AllocationFactory(
        tenant=in_tenant, fund=fund, partner=None, tier=Partner.Tier.ONE_TO_FEW, amount=Decimal("1000.00")
    )


@pytest.fixture
def plan(in_tenant, partner):
    return PlanFactory(tenant=in_tenant, partner=partner, name="Contoso Q4 plan")


@pytest.fixture
def second_manager(tenant):
    return make_member(tenant, Role.PARTNER_MANAGER, email="lee@northwind.example")


@pytest.fixture
def webinar(in_tenant, manager_user):
    return catalog_item_create(
        tenant=in_tenant,
        actor=manager_user,
        name="Co-branded webinar",
        activity_type="webinar",
        amount=Decimal("400.00"),
        limit_per_quarter=2,
    )


@pytest.fixture
def template(in_tenant, manager_user):
    return proposal_template_create(
        tenant=in_tenant,
        actor=manager_user,
        play=PlayFactory(tenant=in_tenant),
        name="Executive dinner",
        questions=["Who is the audience?", "What follow-up is planned?"],
    )


def catalog_item(tenant, actor, name, amount, **fields):
    return catalog_item_create(
        tenant=tenant, actor=actor, name=name, activity_type="event", amount=Decimal(amount), **fields
    )


def catalog_draft(tenant, actor, fund, item):
    return request_create(
        tenant=tenant, actor=actor, fund_id=fund.id, kind="catalog", catalog_item_id=item.id, **NOV
    )


def catalog_request(tenant, actor, fund, item):
    request = catalog_draft(tenant, actor, fund, item)
    return request_submit(tenant=tenant, actor=actor, request_id=request.id)


def proposal(tenant, actor, fund, template, plan, amount="3000.00", **fields):
    fields.setdefault(
        "answers", {"Who is the audience?": "Twelve CIOs", "What follow-up is planned?": "Workshops"}
    )
    return request_create(
        tenant=tenant,
        actor=actor,
        fund_id=fund.id,
        kind="proposal",
        template_id=template.id,
        title="Dinner with hospital CIOs",
        activity_type="event",
        format="in_person",
        plan=plan,
        amount_requested=Decimal(amount),
        **NOV,
        **fields,
    )


def submitted_proposal(tenant, actor, fund, template, plan, **fields):
    request = proposal(tenant, actor, fund, template, plan, **fields)
    return request_submit(tenant=tenant, actor=actor, request_id=request.id)


# --- the catalog ------------------------------------------------------------------------------------


def test_a_catalog_request_within_the_pool_is_approved_by_the_system_on_submit(
    in_tenant, partner_user, manager_user, fund, pool, webinar
):
    request = catalog_request(in_tenant, partner_user, fund, webinar)

    request.refresh_from_db()
    assert (request.state, request.amount_approved, request.allocation_id) == (
        RequestState.APPROVED,
        Decimal("400.00"),
        pool.id,
    )
    assert (request.title, request.activity_type, request.amount_requested) == (
        "Co-branded webinar",
        "webinar",
        Decimal("400.00"),
    )
    assert reserved_for(in_tenant, request) == Decimal("400.00")
    approved = AuditEvent.objects.get(action="mdf.request.approved")
    assert (approved.before["status"], approved.after["status"], approved.actor_label) == (
        "submitted",
        "approved",
        "System",
    )
    assert Notification.objects.filter(
        user=partner_user, title="Fund request approved: Co-branded webinar"
    ).exists()
    assert_books_balanced(in_tenant, fund)


def test_a_catalog_request_past_the_partners_limit_waits_for_review_saying_why(
    in_tenant, partner_user, manager_user, fund, pool, webinar
):
    first = catalog_request(in_tenant, partner_user, fund, webinar)
    second = catalog_request(in_tenant, partner_user, fund, webinar)
    third = catalog_request(in_tenant, partner_user, fund, webinar)

    assert [first.state, second.state, third.state] == ["approved", "approved", "submitted"]
    assert third.review_note == (
        "Contoso Consulting already has 2 of Co-branded webinar approved in Q4 2026 (the limit is 2): "
        "it waits for review."
    )
    assert Notification.objects.filter(
        user=manager_user, title="Fund request from Contoso Consulting: Co-branded webinar"
    ).exists()
    assert reserved_for(in_tenant, third) == 0
    assert_books_balanced(in_tenant, fund)


def test_a_catalog_request_the_pool_cannot_cover_waits_for_review_with_the_money_told_to_reviewers_only(
    in_tenant, partner_user, manager_user, fund, pool
):
    big = catalog_item(in_tenant, manager_user, "Trade show booth", "800")
    catalog_request(in_tenant, partner_user, fund, big)

    second = catalog_request(in_tenant, partner_user, fund, big)

    assert second.state == RequestState.SUBMITTED
    # The pool is the tier's, shared with other partners: the partner is not told what it holds.
    assert (
        second.review_note
        == "The pool of one-to-few (growing) partners cannot cover it now: it waits for review."
    )
    notice = Notification.objects.filter(user=manager_user).order_by("-id").first()
    assert "Only 200.00 USD is available in the allocation of its pool." in notice.body
    assert_books_balanced(in_tenant, fund)


def test_catalog_items_serve_their_tiers_and_a_deactivated_one_is_not_offered(
    in_tenant, partner_user, manager_user, fund, pool, webinar
):
    for_many = catalog_item(in_tenant, manager_user, "Social campaign", "100", tiers=["one_to_many"])
    # Another tier's item is "not in the catalog", as one that does not exist: its name is not said.
    with pytest.raises(ServiceError, match=r"^Select an item of the catalog\.$"):
        catalog_draft(in_tenant, partner_user, fund, for_many)
    catalog_item_set_active(tenant=in_tenant, actor=manager_user, item_id=webinar.id, active=False)
    with pytest.raises(ServiceError, match="Select an item of the catalog") as error:
        catalog_draft(in_tenant, partner_user, fund, webinar)
    assert error.value.field == "catalog_item"


def test_partners_cannot_write_the_catalog(in_tenant, partner_user):
    with pytest.raises(ServiceError, match="cannot manage market development funds"):
        catalog_item(in_tenant, partner_user, "Mine", "1")


# --- proposals and strategic lines --------------------------------------------------------------------


def test_a_proposal_approved_for_less_than_asked_reserves_what_was_approved(
    in_tenant, partner_user, manager_user, fund, allocation, template, plan
):
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan)
    assert Notification.objects.filter(
        user=manager_user, title="Fund request from Contoso Consulting: Dinner with hospital CIOs"
    ).exists()
    assert_books_balanced(in_tenant, fund)

    request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id, amount=Decimal("2500.00"))

    request.refresh_from_db()
    assert (request.state, request.amount_requested, request.amount_approved) == (
        RequestState.APPROVED,
        Decimal("3000.00"),
        Decimal("2500.00"),
    )
    assert reserved_for(in_tenant, request) == Decimal("2500.00")
    balance = allocation_balances(tenant=in_tenant, fund_ids=[fund.id]).get(id=allocation.id)
    assert (balance.reserved, balance.available) == (Decimal("2500.00"), Decimal("2500.00"))
    notice = Notification.objects.get(
        user=partner_user, title="Fund request approved: Dinner with hospital CIOs"
    )
    assert notice.body == "2500.00 USD approved of the 3000.00 asked."
    assert_books_balanced(in_tenant, fund)


def test_a_submitted_request_is_told_to_the_partners_account_manager(
    in_tenant, partner, partner_user, manager_user, second_manager, fund, allocation, template, plan
):
    partner.account_manager = second_manager
    partner.save(update_fields=["account_manager"])

    submitted_proposal(in_tenant, partner_user, fund, template, plan)

    assert list(Notification.objects.values_list("user", flat=True)) == [second_manager.id]


def test_no_more_than_asked_is_approved(
    in_tenant, partner_user, manager_user, fund, allocation, template, plan
):
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan)

    with pytest.raises(ServiceError, match=r"At most 3000\.00 USD can be approved") as error:
        request_approve(
            tenant=in_tenant, actor=manager_user, request_id=request.id, amount=Decimal("3000.01")
        )

    assert error.value.field == "amount"
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED


def test_an_approval_beyond_the_allocation_is_refused_with_the_money_there(
    in_tenant, partner_user, manager_user, fund, allocation, template, plan
):
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan, amount="6000.00")

    with pytest.raises(
        ServiceError, match=r"Only 5000\.00 USD is available in the allocation of Contoso Consulting"
    ):
        request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id)

    request.refresh_from_db()
    assert (request.state, request.amount_approved) == (RequestState.SUBMITTED, None)
    assert not LedgerEntry.objects.filter(kind=EntryKind.RESERVE).exists()


def test_a_proposal_answers_its_template_and_names_accounts_of_its_plan(
    in_tenant, partner_user, fund, allocation, template, plan
):
    mine = PlanAccountFactory(tenant=in_tenant, plan=plan).account
    elsewhere = TargetAccountFactory(tenant=in_tenant)
    request = proposal(
        in_tenant, partner_user, fund, template, plan, answers={"Who is the audience?": "CIOs"}
    )

    assert request_missing(request) == ["An answer to “What follow-up is planned?”."]
    with pytest.raises(
        ServiceError, match=re.escape("Before it is sent: An answer to “What follow-up is planned?”.")
    ):
        request_submit(tenant=in_tenant, actor=partner_user, request_id=request.id)
    with pytest.raises(ServiceError, match="target accounts of the request's plan") as error:
        request_update(
            tenant=in_tenant, actor=partner_user, request_id=request.id, target_accounts=[elsewhere.id]
        )
    assert error.value.field == "target_accounts"

    request_update(
        tenant=in_tenant,
        actor=partner_user,
        request_id=request.id,
        target_accounts=[mine.id],
        expected_accounts_in_room=8,
        answers={"Who is the audience?": "CIOs", "What follow-up is planned?": "Workshops"},
    )

    assert list(request.request_accounts.values_list("account_id", flat=True)) == [mine.id]
    assert request_submit(tenant=in_tenant, actor=partner_user, request_id=request.id).state == "submitted"


def test_a_partner_names_only_its_own_plan(
    in_tenant, partner_user, other_partner, fund, allocation, template
):
    theirs = PlanFactory(tenant=in_tenant, partner=other_partner)

    with pytest.raises(ServiceError, match="Select a valid plan of this partner") as error:
        proposal(in_tenant, partner_user, fund, template, theirs)

    assert error.value.field == "plan"
    assert not FundRequest.objects.exists()


def test_a_strategic_line_agreed_in_planning_is_approved(in_tenant, manager_user, second_manager, fund):
    contoso = PartnerFactory(tenant=in_tenant, name="Contoso", tier=Partner.Tier.ONE_TO_ONE)
    AllocationFactory(tenant=in_tenant, fund=fund, partner=contoso, amount=Decimal("20000.00"))
    plan = PlanFactory(tenant=in_tenant, partner=contoso)

    line = request_create(
        tenant=in_tenant,
        actor=manager_user,
        partner_id=contoso.id,
        fund_id=fund.id,
        kind="strategic",
        title="Joint healthcare summit",
        activity_type="event",
        plan=plan,
        partner_contribution=Decimal("5000.00"),
        expected_pipeline=Decimal("250000.00"),
        amount_requested=Decimal("15000.00"),
        **NOV,
    )
    request_submit(tenant=in_tenant, actor=manager_user, request_id=line.id)
    request_approve(tenant=in_tenant, actor=second_manager, request_id=line.id)

    line.refresh_from_db()
    assert (line.state, line.amount_approved, line.partner_contribution) == (
        "approved",
        Decimal("15000.00"),
        Decimal("5000.00"),
    )
    assert reserved_for(in_tenant, line) == Decimal("15000.00")
    assert_books_balanced(in_tenant, fund)


def test_partners_ask_strategic_lines_only_as_one_to_one(in_tenant, partner_user, fund, allocation, plan):
    with pytest.raises(ServiceError, match="Strategic budget lines are for one-to-one partners"):
        request_create(
            tenant=in_tenant,
            actor=partner_user,
            fund_id=fund.id,
            kind="strategic",
            title="Summit",
            activity_type="event",
            plan=plan,
            amount_requested=Decimal("100"),
            **NOV,
        )


# --- review: information, rejection, decline, cancel ----------------------------------------------------


def test_information_requested_and_given_goes_back_for_review(
    in_tenant, partner_user, manager_user, fund, allocation, template, plan
):
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan)

    request_info(tenant=in_tenant, actor=manager_user, request_id=request.id, note="Which hospitals?")
    request.refresh_from_db()
    assert (request.state, request.review_note) == (RequestState.INFO_REQUESTED, "Which hospitals?")
    notice = Notification.objects.get(
        user=partner_user, title="Information requested: Dinner with hospital CIOs"
    )
    assert notice.body == "Which hospitals?"
    with pytest.raises(ServiceError, match="not waiting for a decision"):
        request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id)

    request_update(
        tenant=in_tenant, actor=partner_user, request_id=request.id, description="Mercy and St Luke's"
    )
    request_resubmit(tenant=in_tenant, actor=partner_user, request_id=request.id)

    request.refresh_from_db()
    assert (request.state, request.review_note, request.description) == (
        RequestState.RESUBMITTED,
        "",
        "Mercy and St Luke's",
    )
    assert list(
        AuditEvent.objects.filter(target_id=str(request.id), action__startswith="mdf.request.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "mdf.request.created",
        "mdf.request.submitted",
        "mdf.request.info_requested",
        "mdf.request.updated",
        "mdf.request.resubmitted",
    ]
    request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id)
    assert_books_balanced(in_tenant, fund)


def test_a_rejected_request_is_fixed_and_resubmitted(
    in_tenant, partner_user, manager_user, fund, allocation, template, plan
):
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan, amount="4800.00")

    with pytest.raises(ServiceError, match="Say why") as error:
        request_reject(tenant=in_tenant, actor=manager_user, request_id=request.id, note=" ")
    assert error.value.field == "note"
    request_reject(tenant=in_tenant, actor=manager_user, request_id=request.id, note="Too much for a dinner.")
    request_update(
        tenant=in_tenant, actor=partner_user, request_id=request.id, amount_requested=Decimal("2000")
    )
    request_resubmit(tenant=in_tenant, actor=partner_user, request_id=request.id)
    request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id)

    request.refresh_from_db()
    assert (request.state, request.amount_approved) == (RequestState.APPROVED, Decimal("2000.00"))
    assert reserved_for(in_tenant, request) == Decimal("2000.00")
    assert_books_balanced(in_tenant, fund)


def test_a_declined_request_is_final(in_tenant, partner_user, manager_user, fund, allocation, template, plan):
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan)

    request_decline(
        tenant=in_tenant, actor=manager_user, request_id=request.id, note="Not a fit this quarter."
    )

    with pytest.raises(ServiceError, match="cannot be changed"):
        request_update(tenant=in_tenant, actor=partner_user, request_id=request.id, title="Again")
    with pytest.raises(ServiceError, match="cannot be resubmitted"):
        request_resubmit(tenant=in_tenant, actor=partner_user, request_id=request.id)
    with pytest.raises(ServiceError, match="not waiting for a decision"):
        request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id)
    with pytest.raises(ServiceError, match="already declined"):
        request_cancel(tenant=in_tenant, actor=partner_user, request_id=request.id)
    request.refresh_from_db()
    assert (request.state, request.review_note) == ("declined", "Not a fit this quarter.")
    assert Notification.objects.filter(user=partner_user, title__startswith="Fund request declined").exists()


def test_cancelling_an_approved_request_releases_what_it_reserved(
    in_tenant, partner_user, manager_user, fund, allocation, template, plan
):
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan)
    request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id, amount=Decimal("1200"))

    request_cancel(tenant=in_tenant, actor=partner_user, request_id=request.id)

    request.refresh_from_db()
    assert request.state == RequestState.CANCELLED
    assert reserved_for(in_tenant, request) == 0
    release = LedgerEntry.objects.get(kind=EntryKind.RELEASE)
    assert (release.amount, release.allocation_id) == (Decimal("1200.00"), allocation.id)
    balance = allocation_balances(tenant=in_tenant, fund_ids=[fund.id]).get(id=allocation.id)
    assert balance.available == Decimal("5000.00")
    assert_books_balanced(in_tenant, fund)


def test_partners_do_not_decide_and_do_not_touch_other_partners_requests(
    in_tenant, partner_user, other_partner, fund, allocation, template, plan
):
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan)
    other_user = make_member(
        in_tenant, Role.PARTNER_USER, partner=other_partner, email="fab@fabrikam.example"
    )

    with pytest.raises(ServiceError, match="Only the vendor's staff decide"):
        request_approve(tenant=in_tenant, actor=partner_user, request_id=request.id)
    for call in (request_cancel, request_resubmit):
        with pytest.raises(ServiceError, match=r"^No such request\.$"):
            call(tenant=in_tenant, actor=other_user, request_id=request.id)
    with pytest.raises(ServiceError, match=r"^No such request\.$"):
        request_update(tenant=in_tenant, actor=other_user, request_id=request.id, title="Mine now")


# --- two approvers ---------------------------------------------------------------------------------------


def test_above_the_threshold_a_second_different_approver_reserves(
    in_tenant, partner_user, manager_user, second_manager, fund, allocation, template, plan
):
    request_rules_set(
        tenant=in_tenant, actor=manager_user, second_approval_above=Decimal("1000.00"), aging_business_days=5
    )
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan)

    request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id, amount=Decimal("2800"))

    request.refresh_from_db()
    assert (request.state, request.first_approved_by, request.first_approved_amount) == (
        RequestState.SUBMITTED,
        manager_user,
        Decimal("2800.00"),
    )
    assert not LedgerEntry.objects.filter(kind=EntryKind.RESERVE).exists()
    assert AuditEvent.objects.get(action="mdf.request.approval_step_1").after == {
        "amount": "2800.00",
        "step": 1,
    }
    assert list(
        Notification.objects.filter(title__startswith="Second approval needed").values_list("user", flat=True)
    ) == [second_manager.id]
    with pytest.raises(ServiceError, match="a second, different person approves"):
        request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id)
    with pytest.raises(ServiceError, match=r"At most 2800\.00 USD"):
        request_approve(tenant=in_tenant, actor=second_manager, request_id=request.id, amount=Decimal("2900"))

    request_approve(tenant=in_tenant, actor=second_manager, request_id=request.id)

    request.refresh_from_db()
    assert (request.state, request.amount_approved) == (RequestState.APPROVED, Decimal("2800.00"))
    assert reserved_for(in_tenant, request) == Decimal("2800.00")
    assert_books_balanced(in_tenant, fund)


def test_at_or_below_the_threshold_one_approver_is_enough(
    in_tenant, partner_user, manager_user, fund, allocation, template, plan
):
    request_rules_set(
        tenant=in_tenant, actor=manager_user, second_approval_above=Decimal("1000.00"), aging_business_days=5
    )
    request = submitted_proposal(in_tenant, partner_user, fund, template, plan)

    request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id, amount=Decimal("1000"))

    request.refresh_from_db()
    assert (request.state, request.amount_approved) == (RequestState.APPROVED, Decimal("1000.00"))


# --- aging --------------------------------------------------------------------------------------------------


def test_a_request_in_review_longer_than_the_business_days_is_aging(
    in_tenant, partner_user, manager_user, fund, allocation, template, plan
):
    in_tenant.timezone = "UTC"
    in_tenant.save(update_fields=["timezone"])
    friday = datetime.datetime(2026, 11, 6, 15, 0, tzinfo=datetime.UTC)
    request = proposal(in_tenant, partner_user, fund, template, plan)
    request_submit(tenant=in_tenant, actor=partner_user, request_id=request.id, now=friday)
    request_rules_set(tenant=in_tenant, actor=manager_user, second_approval_above=None, aging_business_days=2)

    tuesday_morning = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)
    tuesday_evening = datetime.datetime(2026, 11, 10, 16, 0, tzinfo=datetime.UTC)

    assert aging_cutoff(tenant=in_tenant, days=2, now=tuesday_evening) == datetime.datetime(
        2026, 11, 6, 16, 0, tzinfo=datetime.UTC
    )
    assert request_list(tenant=in_tenant, now=tuesday_morning).get().is_aging is False
    assert request_list(tenant=in_tenant, now=tuesday_evening).get().is_aging is True
    request_approve(tenant=in_tenant, actor=manager_user, request_id=request.id)
    assert request_list(tenant=in_tenant, now=tuesday_evening).get().is_aging is False
