"""The database keeps the MDF ledger: entries are never updated or deleted, a balance never goes
below zero, a fund and what is drawn from it share one currency, and the running totals kept with
each entry match the balances the selector computes from the ledger, after every kind of entry."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from mdf.models import EntryKind, Fund, LedgerEntry
from mdf.selectors import allocation_balances, fund_balances, fund_last_entry, partner_balances
from mdf.services import (
    allocation_create,
    allocation_reallocate,
    fund_create,
    ledger_claim_approved,
    ledger_pay,
    ledger_release,
    ledger_reserve,
    ledger_write,
    locked_fund,
)
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from tests.factories import AllocationFactory, FundFactory, LedgerEntryFactory, PartnerFactory

pytestmark = pytest.mark.django_db

BUCKETS = ("allocated", "reserved", "claimed", "paid", "expired", "available")


def refused(statement: str, params: list, match: str) -> None:
    """Run raw SQL in a savepoint, with deferred checks made immediate, and expect the database to
    refuse it."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def written_past_the_services(match: str, fund, allocation=None, **fields) -> None:
    """An INSERT straight through the ORM, which the database must refuse."""
    values = {"kind": EntryKind.RESERVE, "amount": Decimal("10.00"), "currency": fund.currency, **fields}
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        LedgerEntry.objects.create(tenant=fund.tenant, fund=fund, allocation=allocation, **values)


def test_an_entry_is_never_updated_nor_deleted(in_tenant):
    entry = LedgerEntryFactory(tenant=in_tenant, amount=Decimal("250.00"))

    refused("UPDATE mdf_ledgerentry SET amount = 1 WHERE id = %s", [entry.id], "never changed")
    refused("UPDATE mdf_ledgerentry SET note = 'fixed' WHERE id = %s", [entry.id], "never changed")
    refused("DELETE FROM mdf_ledgerentry WHERE id = %s", [entry.id], "never deleted")
    with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
        LedgerEntry.objects.filter(id=entry.id).update(kind=EntryKind.RELEASE)

    entry.refresh_from_db()
    assert (entry.kind, entry.amount, entry.note) == (EntryKind.RESERVE, Decimal("250.00"), "")


def test_offboarding_a_tenant_takes_its_ledger_with_it(tenant, other_tenant):
    LedgerEntryFactory(tenant=tenant)
    kept = LedgerEntryFactory(tenant=other_tenant)

    with tenant_context(tenant):
        tenant.delete()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the delete check runs now, and passes

    # The other tenant keeps both of its entries (the allocation's and the reservation).
    assert sorted(LedgerEntry.unscoped.values_list("tenant_id", "kind")) == [
        (other_tenant.id, "allocate"),
        (other_tenant.id, "reserve"),
    ]
    assert LedgerEntry.unscoped.filter(id=kept.id).exists()


def test_the_database_refuses_an_entry_that_would_overspend(in_tenant):
    allocation = AllocationFactory(tenant=in_tenant, amount=Decimal("1000.00"))
    fund = allocation.fund

    # Written past the services, with forged running totals: the trigger computes its own.
    written_past_the_services(
        "ledger_allocation_available_gte_0",
        fund,
        allocation,
        amount=Decimal("1000.01"),
        allocation_available=Decimal("1000000.00"),
    )
    written_past_the_services("ledger_allocation_reserved_gte_0", fund, allocation, kind=EntryKind.RELEASE)
    written_past_the_services("ledger_fund_available_gte_0", fund, amount=fund.amount)

    assert fund_last_entry(tenant=in_tenant, fund_id=fund.id).kind == EntryKind.ALLOCATE
    assert LedgerEntry.objects.filter(fund=fund).count() == 1


def test_a_fund_and_what_is_drawn_from_it_share_one_currency(in_tenant):
    allocation = AllocationFactory(tenant=in_tenant, fund__currency="EUR", amount=Decimal("500.00"))

    written_past_the_services("cannot draw on a fund in EUR", allocation.fund, allocation, currency="USD")
    with pytest.raises(ServiceError, match="is in EUR") as error:
        ledger_reserve(
            tenant=in_tenant,
            actor=None,
            fund_id=allocation.fund_id,
            allocation_id=allocation.id,
            amount=Decimal("10.00"),
            currency="USD",
        )
    assert error.value.field == "currency"
    other = FundFactory(tenant=in_tenant, currency="EUR")
    written_past_the_services("is not part of fund", other, allocation)


def test_a_funds_money_and_an_allocations_owner_never_change(in_tenant):
    allocation = AllocationFactory(tenant=in_tenant)
    fund = allocation.fund

    with pytest.raises(IntegrityError, match="never change"), transaction.atomic():
        Fund.objects.filter(id=fund.id).update(amount=Decimal("1.00"))
    with pytest.raises(IntegrityError, match="never change"), transaction.atomic():
        Fund.objects.filter(id=fund.id).update(currency="EUR")
    with pytest.raises(IntegrityError, match="never change"), transaction.atomic():
        type(allocation).objects.filter(id=allocation.id).update(partner=PartnerFactory(tenant=in_tenant))
    Fund.objects.filter(id=fund.id).update(name="Renamed")  # the name is only a name
    assert Fund.objects.get(id=fund.id).name == "Renamed"


def running(entry, owner):
    return {bucket: getattr(entry, f"{owner}_{bucket}") for bucket in BUCKETS}


def computed(row):
    return {bucket: getattr(row, bucket) if hasattr(row, bucket) else row[bucket] for bucket in BUCKETS}


def test_the_running_totals_match_the_balances_from_the_ledger_after_every_kind(in_tenant):
    tenant = in_tenant
    contoso, fabrikam = PartnerFactory(tenant=tenant), PartnerFactory(tenant=tenant)
    fund = fund_create(tenant=tenant, actor=None, name="Q4", year=2026, quarter=4, amount=Decimal("10000.00"))
    a = allocation_create(
        tenant=tenant, actor=None, fund_id=fund.id, partner_id=contoso.id, amount=Decimal("6000")
    )
    b = allocation_create(
        tenant=tenant, actor=None, fund_id=fund.id, partner_id=fabrikam.id, amount=Decimal("1000")
    )
    draw = {"tenant": tenant, "actor": None, "fund_id": fund.id}
    steps = [
        lambda: ledger_reserve(**draw, allocation_id=a.id, amount=Decimal("2500.00")),
        lambda: ledger_claim_approved(**draw, allocation_id=a.id, amount=Decimal("2000.00")),
        lambda: ledger_release(**draw, allocation_id=a.id, amount=Decimal("500.00")),
        lambda: ledger_pay(**draw, allocation_id=a.id, amount=Decimal("1500.00")),
        lambda: ledger_reserve(**draw, amount=Decimal("700.00")),  # from the fund's unallocated money
        lambda: allocation_reallocate(
            tenant=tenant, actor=None, allocation_id=a.id, amount=Decimal("1000"), to_partner_id=fabrikam.id
        ),
        lambda: ledger_write_expire(tenant, fund, b, Decimal("300.00")),
    ]
    for step in steps:
        step()
        last = fund_last_entry(tenant=tenant, fund_id=fund.id)
        assert running(last, "fund") == computed(fund_balances(tenant=tenant, fund_ids=[fund.id]).get())
        for allocation in allocation_balances(tenant=tenant, fund_ids=[fund.id]):
            mine = LedgerEntry.objects.filter(allocation=allocation).order_by("-seq").first()
            assert running(mine, "allocation") == computed(allocation)

    by_partner = {
        row["partner_id"]: computed(row)
        for row in partner_balances(
            tenant=tenant, partner_ids=[contoso.id, fabrikam.id], year=2026, quarter=4
        )
    }
    assert by_partner[contoso.id] == {
        "allocated": Decimal("5000.00"),
        "reserved": Decimal("0.00"),
        "claimed": Decimal("500.00"),
        "paid": Decimal("1500.00"),
        "expired": Decimal("0.00"),
        "available": Decimal("3000.00"),
    }
    assert by_partner[fabrikam.id]["available"] == Decimal("1700.00")
    balance = fund_balances(tenant=tenant, fund_ids=[fund.id]).get()
    # 10,000 = 7,000 allocated + 700 reserved from the fund itself + 2,300 still unallocated.
    assert (balance.allocated, balance.reserved, balance.available) == (
        Decimal("7000.00"),
        Decimal("700.00"),
        Decimal("2300.00"),
    )
    assert list(LedgerEntry.objects.filter(fund=fund).order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 11)
    )


def ledger_write_expire(tenant, fund, allocation, amount):
    with transaction.atomic():
        locked = locked_fund(tenant=tenant, fund_id=fund.id)
        return ledger_write(
            tenant=tenant, actor=None, fund=locked, allocation=allocation, kind="expire", amount=amount
        )
