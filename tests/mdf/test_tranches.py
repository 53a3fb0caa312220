"""MDF tranches tied to checkpoints (issue 11): an approved request for a launched plan is paid 50 %
on approval, 25 % when day 60 meets its engagement target and 25 % when day 90 meets its pipeline
target. The met checkpoint pays through the ledger, the missed one holds its tranche until a partner
manager releases or cancels it; the amounts add up to the cent; two sweeps at once pay once; a
request paid in tranches is not claimed as well."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts.models import Checkpoint
from mdf.models import FundTranche, LedgerEntry, TrancheState
from mdf.selectors import allocation_balances
from mdf.services import (
    claim_create,
    request_cancel,
    tranche_cancel,
    tranche_release,
    tranche_schedule_set,
)
from mdf.services.tranches import tranche_amounts
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Notification, Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import AllocationFactory, FundFactory, PlanFactory
from tests.mdf.test_claims import AFTER, approved_request
from tests.reporting.journey import DAY, LAUNCH_DAY, at, launched_plan, sweep_on, touch
from tests.threads import run_at_once

HALF_AND_QUARTERS = {"on_approval": "50", "day60": "25", "day90": "25"}


@pytest.fixture
def people(tenant):
    return {
        "manager": make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example"),
        "sales": make_member(tenant, Role.SALES, email="sales@northwind.example"),
    }


def funded_plan(tenant, people, partner, partner_user, approved="9999.99"):
    """A launched plan (targets: 3 meetings by day 60, 2 opportunities and 50,000 USD by day 90) and
    its partner's approved request of `approved` from a 20,000 USD allocation."""
    plan, named = launched_plan(tenant, people["manager"], people["sales"], partner)
    Partner.objects.filter(id=partner.id).update(tier=Partner.Tier.ONE_TO_ONE)  # a strategic line
    fund = FundFactory(tenant=tenant, name="Q4 MDF", amount=Decimal("100000.00"))
    allocation = AllocationFactory(tenant=tenant, fund=fund, partner=partner, amount=Decimal("20000.00"))
    request = approved_request(
        tenant, partner_user, people["manager"], fund, asked=approved, program=plan.program.id
    )
    return SimpleNamespace(plan=plan, named=named, request=request, allocation=allocation)


def balance(tenant, allocation):
    row = allocation_balances(tenant=tenant, fund_ids=[allocation.fund_id]).get(id=allocation.id)
    return {"reserved": row.reserved, "claimed": row.claimed, "paid": row.paid, "available": row.available}


def states(request):
    return {t.day: (t.state, t.amount) for t in FundTranche.objects.filter(request=request)}


@pytest.mark.django_db
def test_paid_on_approval_and_day_60_met_day_90_missed_held_then_released(
    in_tenant, people, partner, partner_user
):
    tenant, manager = in_tenant, people["manager"]
    given = funded_plan(tenant, people, partner, partner_user)
    plan, named, request, allocation = given.plan, given.named, given.request, given.allocation

    tranche_schedule_set(tenant=tenant, actor=manager, request_id=request.id, percents=HALF_AND_QUARTERS)
    # Rounded down to the cent, the last tranche takes the rest: 4999.99 + 2499.99 + 2500.01.
    assert states(request) == {
        None: (TrancheState.PAID, Decimal("4999.99")),
        60: (TrancheState.SCHEDULED, Decimal("2499.99")),
        90: (TrancheState.SCHEDULED, Decimal("2500.01")),
    }
    assert balance(tenant, allocation) == {
        "reserved": Decimal("5000.00"),
        "claimed": Decimal("0.00"),
        "paid": Decimal("4999.99"),
        "available": Decimal("10000.01"),
    }
    paid_entries = LedgerEntry.objects.filter(kind="paid", allocation_id=allocation.id)
    assert [e.note for e in paid_entries] == [f"Request {request.id}: tranche on approval paid"]

    # Three meetings on named accounts before day 60: the engagement target is met.
    for i in range(3):
        touch(tenant, people["sales"], named[i], "meeting", at(tenant, LAUNCH_DAY + (35 + i) * DAY))
    sweep_on(tenant, LAUNCH_DAY + 60 * DAY)
    assert Checkpoint.objects.get(plan=plan, day=60).snapshot["met"] is True
    assert states(request)[60] == (TrancheState.PAID, Decimal("2499.99"))
    assert balance(tenant, allocation)["paid"] == Decimal("7499.98")

    # No opportunity by day 90: the pipeline target is missed, its tranche is held, nothing moves.
    sweep_on(tenant, LAUNCH_DAY + 90 * DAY)
    held = FundTranche.objects.get(request=request, day=90)
    assert (held.state, held.checkpoint_met) == (TrancheState.HELD, False)
    assert balance(tenant, allocation)["reserved"] == Decimal("2500.01")
    notice = Notification.objects.get(title=f"MDF tranche held: {request.title}")
    assert notice.user == manager and "day 90 checkpoint missed" in notice.body

    # A request paid in tranches is neither claimed nor cancelled as a whole.
    with pytest.raises(ServiceError, match="paid in tranches tied to its plan's checkpoints"):
        claim_create(tenant=tenant, actor=partner_user, request_id=request.id, amount_claimed=1, now=AFTER)
    with pytest.raises(ServiceError, match="paid in tranches"):
        request_cancel(tenant=tenant, actor=manager, request_id=request.id)
    # The partner does not decide on its own tranche.
    with pytest.raises(ServiceError, match="fund managers"):
        tranche_release(tenant=tenant, actor=partner_user, tranche_id=held.id)

    tranche_release(tenant=tenant, actor=manager, tranche_id=held.id, note="Pipeline came in week 14.")
    held.refresh_from_db()
    assert (held.state, held.decided_by, held.note) == (
        TrancheState.RELEASED,
        manager,
        "Pipeline came in week 14.",
    )
    assert balance(tenant, allocation) == {
        "reserved": Decimal("0.00"),
        "claimed": Decimal("0.00"),
        "paid": Decimal("9999.99"),
        "available": Decimal("10000.01"),
    }
    event = AuditEvent.objects.get(action="mdf.tranche.released")
    assert (event.before["status"], event.after["status"]) == ("held", "released")
    with pytest.raises(ServiceError, match="is released: it is not held"):
        tranche_cancel(tenant=tenant, actor=manager, tranche_id=held.id)


@pytest.mark.django_db
def test_a_cancelled_held_tranche_goes_back_to_the_allocation(in_tenant, people, partner, partner_user):
    tenant, manager = in_tenant, people["manager"]
    given = funded_plan(tenant, people, partner, partner_user, approved="8000.00")
    request, allocation = given.request, given.allocation
    tranche_schedule_set(
        tenant=tenant, actor=manager, request_id=request.id, percents={"day30": "40", "day60": "60"}
    )
    assert balance(tenant, allocation)["reserved"] == Decimal("8000.00")  # nothing on approval

    sweep_on(tenant, LAUNCH_DAY + 60 * DAY)  # day 30 and 60 both missed (no follow-up, no meetings)
    assert states(request) == {
        30: (TrancheState.HELD, Decimal("3200.00")),
        60: (TrancheState.HELD, Decimal("4800.00")),
    }
    day30 = FundTranche.objects.get(request=request, day=30)
    tranche_cancel(tenant=tenant, actor=manager, tranche_id=day30.id, note="Event did not happen.")
    assert balance(tenant, allocation) == {
        "reserved": Decimal("4800.00"),
        "claimed": Decimal("0.00"),
        "paid": Decimal("0.00"),
        "available": Decimal("15200.00"),
    }
    release = LedgerEntry.objects.get(kind="release", allocation_id=allocation.id)
    assert (release.amount, release.concerns) == (Decimal("3200.00"), day30)
    event = AuditEvent.objects.get(action="mdf.tranche.cancelled")
    assert (event.before["status"], event.after["status"]) == ("held", "cancelled")
    assert Notification.objects.filter(
        user=partner_user, title=f"MDF tranche cancelled: {request.title}"
    ).exists()


@pytest.mark.django_db
def test_a_schedule_set_after_its_checkpoint_froze_settles_at_once(in_tenant, people, partner, partner_user):
    tenant, manager = in_tenant, people["manager"]
    given = funded_plan(tenant, people, partner, partner_user, approved="1000.00")
    request = given.request
    sweep_on(tenant, LAUNCH_DAY + 30 * DAY)  # day 30 missed
    tranche_schedule_set(
        tenant=tenant, actor=manager, request_id=request.id, percents={"on_approval": "50", "day30": "50"}
    )
    assert states(request) == {
        None: (TrancheState.PAID, Decimal("500.00")),
        30: (TrancheState.HELD, Decimal("500.00")),
    }


@pytest.mark.django_db
def test_the_schedule_is_refused_with_the_reason_on_its_field(in_tenant, people, partner, partner_user):
    tenant, manager = in_tenant, people["manager"]
    given = funded_plan(tenant, people, partner, partner_user)
    request, allocation = given.request, given.allocation

    def refusal(percents, request_id=request.id, actor=manager):
        with pytest.raises(ServiceError) as caught:
            tranche_schedule_set(tenant=tenant, actor=actor, request_id=request_id, percents=percents)
        return caught.value.field, caught.value.message

    assert refusal({"on_approval": "50", "day60": "25"}) == (
        "day60",
        "The percentages add up to 75 %, not 100 %.",
    )
    assert refusal({"on_approval": "0", "day90": "100"}) == (
        "on_approval",
        "A percentage greater than 0 and at most 100.",
    )
    assert refusal({"day60": "33.333", "day90": "66.667"})[0] == "day60"
    assert refusal({"day45": "100"})[1] == "Unknown tranche: day45."
    assert refusal({})[0] == "on_approval"
    assert refusal(HALF_AND_QUARTERS, actor=partner_user)[1] == (
        "Only the vendor's fund managers decide on tranches."
    )

    # A request for a plan that is not launched has no checkpoints to follow.
    fund = allocation.fund
    draft_plan = PlanFactory(tenant=tenant, partner=partner)
    other = approved_request(tenant, partner_user, manager, fund, asked="500.00", plan=draft_plan.id)
    assert refusal(HALF_AND_QUARTERS, request_id=other.id)[1] == (
        "Tranches follow a launched plan's checkpoints: this request serves none."
    )
    request_cancel(tenant=tenant, actor=manager, request_id=other.id)
    refused = refusal(HALF_AND_QUARTERS, request_id=other.id)
    assert refused[1] == "Only an approved request is paid in tranches."
    assert not FundTranche.objects.exists()

    tranche_schedule_set(tenant=tenant, actor=manager, request_id=request.id, percents=HALF_AND_QUARTERS)
    assert refusal(HALF_AND_QUARTERS)[1] == "This request has its tranches already."


def test_amounts_add_up_to_the_approved_amount_exactly():
    assert tranche_amounts(Decimal("100.00"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    assert sum(tranche_amounts(Decimal("0.05"), [Decimal("50"), Decimal("50")])) == Decimal("0.05")


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_pay_a_met_checkpoint_once(tenant, people, partner, partner_user):
    from partnerhub.tenancy.context import tenant_context

    with tenant_context(tenant):
        given = funded_plan(tenant, people, partner, partner_user, approved="1000.00")
        named, request, allocation = given.named, given.request, given.allocation
        tranche_schedule_set(
            tenant=tenant, actor=people["manager"], request_id=request.id, percents={"day60": "100"}
        )
        for i in range(3):
            touch(tenant, people["sales"], named[i], "meeting", at(tenant, LAUNCH_DAY + (35 + i) * DAY))
    run_at_once(lambda: sweep_on(tenant, LAUNCH_DAY + 60 * DAY), times=2)
    with tenant_context(tenant):
        assert states(request) == {60: (TrancheState.PAID, Decimal("1000.00"))}
        assert LedgerEntry.objects.filter(kind="paid").count() == 1
        assert balance(tenant, allocation)["paid"] == Decimal("1000.00")
