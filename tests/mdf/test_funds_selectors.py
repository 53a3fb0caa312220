"""The funds pages read balances from the running totals of the latest entries: they equal the
ledger's sums (mdf.selectors.balances) after every kind of entry, direct draws on the fund too."""

import datetime
from decimal import Decimal

import pytest

from mdf.models import BUCKETS
from mdf.selectors import allocation_balances, fund_balances
from mdf.selectors.funds import Quarter, allocation_list, bar_parts, current_quarter, fund_list
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
from tests.factories import PartnerFactory, TenantFactory

pytestmark = pytest.mark.django_db

FIGURES = (*BUCKETS, "available")


def figures(rows) -> dict:
    return {row.id: tuple(getattr(row, name) for name in FIGURES) for row in rows}


def test_running_totals_equal_the_ledgers_sums_after_every_kind_of_entry(in_tenant):
    tenant = in_tenant
    fund = fund_create(tenant=tenant, actor=None, name="F", year=2026, quarter=3, amount=Decimal("5000"))
    empty = fund_create(tenant=tenant, actor=None, name="Empty", year=2026, quarter=3, amount=Decimal("70"))
    a = allocation_create(
        tenant=tenant,
        actor=None,
        fund_id=fund.id,
        partner_id=PartnerFactory(tenant=tenant).id,
        amount=Decimal("2000"),
    )
    pool = allocation_create(
        tenant=tenant, actor=None, fund_id=fund.id, tier="one_to_many", amount=Decimal("500")
    )
    money = {"tenant": tenant, "actor": None, "fund_id": fund.id}

    def check():
        assert figures(fund_list(tenant=tenant)) == figures(fund_balances(tenant=tenant))
        assert figures(allocation_list(tenant=tenant)) == figures(allocation_balances(tenant=tenant))
        for row in fund_list(tenant=tenant):
            assert sum(part.amount for part in bar_parts(row)) == row.amount

    check()
    ledger_reserve(**money, allocation_id=a.id, amount=Decimal("800"))
    ledger_reserve(**money, amount=Decimal("300"))  # drawn on the fund directly
    check()
    ledger_claim_approved(**money, allocation_id=a.id, amount=Decimal("600"))
    ledger_release(**money, allocation_id=a.id, amount=Decimal("200"))
    ledger_pay(**money, allocation_id=a.id, amount=Decimal("450"))
    check()
    allocation_reallocate(
        tenant=tenant, actor=None, allocation_id=pool.id, amount=Decimal("100"), to_partner_id=a.partner_id
    )
    fund_expire_unused(
        tenant=tenant, actor=None, fund_id=fund.id, now=datetime.datetime(2026, 10, 2, tzinfo=datetime.UTC)
    )
    check()
    assert fund_list(tenant=tenant).get(id=empty.id).available == Decimal("70.00")


def test_the_current_quarter_is_the_tenants():
    tokyo = TenantFactory(slug="tokyo", timezone="Asia/Tokyo")
    new_year_eve_utc = datetime.datetime(2026, 12, 31, 20, tzinfo=datetime.UTC)  # 1 January in Tokyo
    assert current_quarter(tenant=tokyo, now=new_year_eve_utc) == Quarter(2027, 1)
    assert Quarter(2027, 1).shifted(-1) == Quarter(2026, 4) and Quarter.parse("2026-q2") == Quarter(2026, 2)
    assert Quarter.parse("2026-Q5") is None and Quarter.parse("\uff12\uff10\uff12\uff16-Q1") is None
