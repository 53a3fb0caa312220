"""Funds and allocations through the services: a fund's defaults and rules, allocation to partners
and tier pools within what the fund holds, the journey of reserved money to paid, reallocation,
expiry at the quarter's end, and the ranking showing what is still available."""

import datetime
from decimal import Decimal

import pytest

from mdf.models import Allocation, EntryKind, Fund, LedgerEntry
from mdf.selectors import allocation_balances, fund_balances, ranking_with_funds
from mdf.services import (
    allocation_create,
    allocation_reallocate,
    fund_create,
    fund_expire_unused,
    ledger_claim_approved,
    ledger_pay,
    ledger_release,
    ledger_reserve,
)
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Partner
from tests.factories import PartnerFactory, PlanAccountFactory

pytestmark = pytest.mark.django_db

Q4 = {"year": 2026, "quarter": 4}


def q4_fund(tenant, actor=None, amount="10000.00", **fields):
    return fund_create(
        tenant=tenant, actor=actor, name="Partner marketing", amount=Decimal(amount), **Q4, **fields
    )


def balances(tenant, fund):
    return {
        (row.partner.name if row.partner_id else f"{row.tier} pool"): row.available
        for row in allocation_balances(tenant=tenant, fund_ids=[fund.id])
    } | {"unallocated": fund_balances(tenant=tenant, fund_ids=[fund.id]).get().available}


def test_a_fund_starts_with_the_defaults_and_is_audited(in_tenant, manager_user):
    in_tenant.default_currency = "EUR"
    fund = q4_fund(in_tenant, manager_user)

    fund.refresh_from_db()
    assert (fund.currency, fund.kind, fund.claim_window_days, fund.max_reimbursement_percent) == (
        "EUR",
        Fund.Kind.MARKETING,
        60,
        Decimal("100.00"),
    )
    assert fund.tiers == ["one_to_one", "one_to_few", "one_to_many"]
    event = AuditEvent.objects.get(action="mdf.fund.created")
    assert (event.actor_label, event.after["amount"], event.after["currency"]) == (
        "pm@northwind.example",
        "10000.00",
        "EUR",
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "co_op"}, "accrual_percent", "accrues a percentage"),
        ({"accrual_percent": Decimal("5")}, "accrual_percent", "Only a co-op fund"),
        ({"currency": "Doubloons"}, "currency", "not an active ISO 4217 currency"),
        ({"tiers": ["platinum"]}, "tiers", "Choose tiers"),
        ({"claim_window_days": 0}, "claim_window_days", "greater than or equal to 1"),
        (
            {"max_reimbursement_percent": Decimal("120")},
            "max_reimbursement_percent",
            "less than or equal to 100",
        ),
        ({"quarter": 5}, "quarter", "less than or equal to 4"),
    ],
)
def test_a_fund_is_refused_with_the_field_at_fault(in_tenant, manager_user, fields, field, message):
    values = {"name": "Partner marketing", "amount": Decimal("10000.00"), **Q4, **fields}

    with pytest.raises(ServiceError, match=message) as error:
        fund_create(tenant=in_tenant, actor=manager_user, **values)

    assert error.value.field == field
    assert not Fund.objects.exists()


def test_a_co_op_fund_keeps_its_accrual_and_a_name_is_unique_in_its_quarter(in_tenant):
    fund = q4_fund(in_tenant, kind="co_op", accrual_percent=Decimal("3.50"), tiers=["one_to_many"])

    assert (fund.kind, fund.accrual_percent, fund.tiers) == ("co_op", Decimal("3.50"), ["one_to_many"])
    with pytest.raises(ServiceError, match="already exists"):
        q4_fund(in_tenant)
    assert fund_create(
        tenant=in_tenant, actor=None, name="Partner marketing", year=2027, quarter=1, amount=Decimal("1")
    )


def test_partners_users_cannot_manage_funds(in_tenant, partner, partner_user):
    with pytest.raises(ServiceError, match="cannot manage market development funds"):
        q4_fund(in_tenant, partner_user)
    fund = q4_fund(in_tenant)
    with pytest.raises(ServiceError, match="cannot manage market development funds"):
        allocation_create(
            tenant=in_tenant, actor=partner_user, fund_id=fund.id, partner_id=partner.id, amount=Decimal("1")
        )


def test_allocations_take_no_more_than_the_fund_holds(in_tenant, manager_user, partner, other_partner):
    fund = q4_fund(in_tenant, manager_user)

    allocation_create(
        tenant=in_tenant, actor=manager_user, fund_id=fund.id, partner_id=partner.id, amount=Decimal("6000")
    )
    again = allocation_create(
        tenant=in_tenant,
        actor=manager_user,
        fund_id=fund.id,
        partner_id=partner.id,
        amount=Decimal("1000.00"),
    )
    with pytest.raises(
        ServiceError, match=r"Only 3000.00 USD is available in Partner marketing \(unallocated\)"
    ) as error:
        allocation_create(
            tenant=in_tenant,
            actor=manager_user,
            fund_id=fund.id,
            partner_id=other_partner.id,
            amount=Decimal("3000.01"),
        )

    assert error.value.field == "amount"
    assert Allocation.objects.filter(fund=fund).count() == 1  # the refused one's allocation went with it
    assert again.entries.filter(kind=EntryKind.ALLOCATE).count() == 2
    assert balances(in_tenant, fund) == {
        "Contoso Consulting": Decimal("7000.00"),
        "unallocated": Decimal("3000.00"),
    }


def test_an_allocation_is_for_a_partner_of_a_tier_the_fund_serves_or_a_tiers_pool(in_tenant, partner):
    fund = q4_fund(in_tenant, tiers=["one_to_many"])
    strategic = PartnerFactory(tenant=in_tenant, name="Adatum", tier=Partner.Tier.ONE_TO_ONE)

    with pytest.raises(ServiceError, match="does not serve one-to-one") as error:
        allocation_create(
            tenant=in_tenant, actor=None, fund_id=fund.id, partner_id=strategic.id, amount=Decimal("10")
        )
    assert error.value.field == "partner"
    with pytest.raises(ServiceError, match="does not serve that tier"):
        allocation_create(
            tenant=in_tenant, actor=None, fund_id=fund.id, tier="one_to_few", amount=Decimal("10")
        )
    with pytest.raises(ServiceError, match="a partner, or to a tier's shared pool"):
        allocation_create(
            tenant=in_tenant,
            actor=None,
            fund_id=fund.id,
            partner_id=partner.id,
            tier="one_to_many",
            amount=Decimal("10"),
        )
    pool = allocation_create(
        tenant=in_tenant, actor=None, fund_id=fund.id, tier="one_to_many", amount=Decimal("4000")
    )

    assert (pool.partner_id, pool.tier, str(pool)) == (
        None,
        "one_to_many",
        "One-to-many (long tail) pool: Partner marketing (Q4 2026)",
    )
    assert balances(in_tenant, fund) == {
        "one_to_many pool": Decimal("4000.00"),
        "unallocated": Decimal("6000.00"),
    }


def test_reserved_money_is_claimed_in_part_the_rest_released_then_paid(in_tenant, partner):
    fund = q4_fund(in_tenant)
    allocation = allocation_create(
        tenant=in_tenant, actor=None, fund_id=fund.id, partner_id=partner.id, amount=Decimal("5000")
    )
    draw = {"tenant": in_tenant, "actor": None, "fund_id": fund.id, "allocation_id": allocation.id}

    ledger_reserve(**draw, amount=Decimal("3000.00"), concerns=partner, note="Roadshow, approved")
    with pytest.raises(
        ServiceError, match=r"Only 2000\.00 USD is available in the allocation of Contoso Consulting"
    ):
        ledger_reserve(**draw, amount=Decimal("2000.01"))
    ledger_claim_approved(**draw, amount=Decimal("2400.00"))
    with pytest.raises(ServiceError, match=r"Only 600\.00 USD is reserved"):
        ledger_release(**draw, amount=Decimal("700.00"))
    ledger_release(**draw, amount=Decimal("600.00"))
    with pytest.raises(ServiceError, match=r"Only 2400\.00 USD is claimed and unpaid"):
        ledger_pay(**draw, amount=Decimal("2400.01"))
    ledger_pay(**draw, amount=Decimal("2400.00"))

    row = allocation_balances(tenant=in_tenant, fund_ids=[fund.id]).get()
    assert (row.allocated, row.reserved, row.claimed, row.paid, row.available) == (
        Decimal("5000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("2400.00"),
        Decimal("2600.00"),
    )
    reserved = LedgerEntry.objects.get(kind=EntryKind.RESERVE)
    assert (reserved.concerns, reserved.note, reserved.actor_label) == (
        partner,
        "Roadshow, approved",
        "System",
    )
    assert list(
        AuditEvent.objects.filter(action__startswith="mdf.ledger.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "mdf.ledger.allocate",
        "mdf.ledger.reserve",
        "mdf.ledger.claim_approved",
        "mdf.ledger.release",
        "mdf.ledger.paid",
    ]


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("-5"), Decimal("1.005"), Decimal("NaN"), 12.5, "100"]
)
def test_an_amount_is_a_positive_decimal_in_cents(in_tenant, partner, amount):
    fund = q4_fund(in_tenant)

    with pytest.raises(ServiceError) as error:
        allocation_create(tenant=in_tenant, actor=None, fund_id=fund.id, partner_id=partner.id, amount=amount)

    assert error.value.field == "amount"
    assert not LedgerEntry.objects.exists()


def test_reallocation_moves_available_money_to_another_partner_or_back(in_tenant, partner, other_partner):
    fund = q4_fund(in_tenant)
    source = allocation_create(
        tenant=in_tenant, actor=None, fund_id=fund.id, partner_id=partner.id, amount=Decimal("5000")
    )
    ledger_reserve(
        tenant=in_tenant, actor=None, fund_id=fund.id, allocation_id=source.id, amount=Decimal("4000")
    )

    with pytest.raises(ServiceError, match=r"Only 1000\.00 USD is available"):
        allocation_reallocate(
            tenant=in_tenant,
            actor=None,
            allocation_id=source.id,
            amount=Decimal("1500"),
            to_partner_id=other_partner.id,
        )
    target = allocation_reallocate(
        tenant=in_tenant,
        actor=None,
        allocation_id=source.id,
        amount=Decimal("600"),
        to_partner_id=other_partner.id,
    )
    assert (
        allocation_reallocate(tenant=in_tenant, actor=None, allocation_id=source.id, amount=Decimal("400"))
        is None
    )

    assert target.partner == other_partner
    assert balances(in_tenant, fund) == {
        "Contoso Consulting": Decimal("0.00"),
        "Fabrikam Systems": Decimal("600.00"),
        "unallocated": Decimal("5400.00"),
    }


def test_what_is_unused_expires_once_the_quarter_is_over(in_tenant, partner, other_partner):
    fund = q4_fund(in_tenant)
    a = allocation_create(
        tenant=in_tenant, actor=None, fund_id=fund.id, partner_id=partner.id, amount=Decimal("5000")
    )
    allocation_create(
        tenant=in_tenant, actor=None, fund_id=fund.id, partner_id=other_partner.id, amount=Decimal("1000")
    )
    ledger_reserve(tenant=in_tenant, actor=None, fund_id=fund.id, allocation_id=a.id, amount=Decimal("5000"))
    new_year_in_utc = datetime.datetime(2027, 1, 1, 2, 0, tzinfo=datetime.UTC)  # 31 December in New York
    in_tenant.timezone = "America/New_York"

    with pytest.raises(ServiceError, match="runs until 31 December 2026"):
        fund_expire_unused(tenant=in_tenant, actor=None, fund_id=fund.id, now=new_year_in_utc)
    assert (
        fund_expire_unused(
            tenant=in_tenant, actor=None, fund_id=fund.id, now=new_year_in_utc + datetime.timedelta(hours=4)
        )
        == 2
    )
    assert (
        fund_expire_unused(
            tenant=in_tenant, actor=None, fund_id=fund.id, now=new_year_in_utc + datetime.timedelta(days=1)
        )
        == 0
    )

    balance = fund_balances(tenant=in_tenant, fund_ids=[fund.id]).get()
    # The reservation stays for its claim; Fabrikam's 1,000 and the 4,000 never allocated expired.
    assert (balance.reserved, balance.expired, balance.available) == (
        Decimal("5000.00"),
        Decimal("5000.00"),
        Decimal("0.00"),
    )


def test_the_ranking_shows_what_is_still_available_in_the_plans_quarter(in_tenant, partner):
    plan = PlanAccountFactory(tenant=in_tenant, plan__year=2026, plan__quarter=4).plan
    fund = q4_fund(in_tenant)
    allocation = allocation_create(
        tenant=in_tenant, actor=None, fund_id=fund.id, partner_id=partner.id, amount=Decimal("5000")
    )
    earlier = fund_create(
        tenant=in_tenant, actor=None, name="Q3", year=2026, quarter=3, amount=Decimal("9000")
    )
    allocation_create(
        tenant=in_tenant, actor=None, fund_id=earlier.id, partner_id=partner.id, amount=Decimal("9000")
    )
    ledger_reserve(
        tenant=in_tenant, actor=None, fund_id=fund.id, allocation_id=allocation.id, amount=Decimal("1250.00")
    )

    ranks = ranking_with_funds(tenant=in_tenant, plan=plan)
    [rank] = [rank for rank in ranks if rank.partner == partner]

    assert (rank.mdf_available, rank.mdf_currency) == (Decimal("3750.00"), "USD")
