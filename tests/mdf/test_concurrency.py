"""Reservations racing for one fund's money, each on its own thread and database connection: they
are written one at a time, so the money runs out exactly, never below zero."""

from decimal import Decimal

import pytest

from mdf.models import EntryKind, LedgerEntry
from mdf.selectors import allocation_balances, fund_balances, fund_last_entry
from mdf.services import ledger_reserve
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from tests.factories import AllocationFactory, PartnerFactory, TenantFactory
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def reserving(tenant, allocation, amount):
    def reserve():
        with tenant_context(tenant):
            try:
                ledger_reserve(
                    tenant=tenant,
                    actor=None,
                    fund_id=allocation.fund_id,
                    allocation_id=allocation.id,
                    amount=amount,
                )
            except ServiceError as exc:
                return exc.message
            return "reserved"

    return reserve


def test_two_reservations_of_the_last_money_one_wins_the_other_is_told_why():
    tenant = TenantFactory()
    allocation = AllocationFactory(
        tenant=tenant, partner=PartnerFactory(tenant=tenant, name="Contoso"), amount=Decimal("1000.00")
    )

    results = run_at_once(reserving(tenant, allocation, Decimal("800.00")))

    assert sorted(results) == [
        "Only 200.00 USD is available in the allocation of Contoso.",
        "reserved",
    ]
    with tenant_context(tenant):
        balance = allocation_balances(tenant=tenant, fund_ids=[allocation.fund_id]).get()
        assert (balance.reserved, balance.available) == (Decimal("800.00"), Decimal("200.00"))


def test_fifty_reservations_against_money_for_ten_reserve_exactly_ten():
    tenant = TenantFactory()
    allocation = AllocationFactory(tenant=tenant, amount=Decimal("1000.00"))

    results = run_at_once(reserving(tenant, allocation, Decimal("100.00")), times=50, timeout=120)

    assert results.count("reserved") == 10
    assert len(results) == 50
    with tenant_context(tenant):
        assert LedgerEntry.objects.filter(kind=EntryKind.RESERVE).count() == 10
        balance = allocation_balances(tenant=tenant, fund_ids=[allocation.fund_id]).get()
        assert (balance.reserved, balance.available) == (Decimal("1000.00"), Decimal("0.00"))
        last = fund_last_entry(tenant=tenant, fund_id=allocation.fund_id)
        assert (last.seq, last.allocation_available) == (11, Decimal("0.00"))
        fund = fund_balances(tenant=tenant, fund_ids=[allocation.fund_id]).get()
        assert fund.reserved == last.fund_reserved == Decimal("1000.00")
