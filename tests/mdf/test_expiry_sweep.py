"""The expiry sweep beat runs: every fund whose quarter is over in its tenant's time zone has what
is still available expired, in bounded batches; a second run expires nothing."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from mdf.models import EntryKind, LedgerEntry
from mdf.selectors import allocation_balances, fund_balances
from mdf.services import allocation_create, fund_create, ledger_release, ledger_reserve
from mdf.services.expiry import funds_expire, funds_expire_all
from mdf.tasks import expire_unused_funds_task
from partnerhub.tenancy.context import tenant_context
from tests.factories import PartnerFactory, TenantFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
JANUARY_2ND = datetime.datetime(2027, 1, 2, 12, tzinfo=UTC)


def fund_with_money(tenant, *, name="Q4 fund", year=2026, quarter=4, reserved="0"):
    """A fund of 1,000: 600 allocated to a partner (of which `reserved` reserved), 400 unallocated."""
    with tenant_context(tenant):
        fund = fund_create(
            tenant=tenant, actor=None, name=name, year=year, quarter=quarter, amount=Decimal("1000")
        )
        allocation = allocation_create(
            tenant=tenant,
            actor=None,
            fund_id=fund.id,
            partner_id=PartnerFactory(tenant=tenant).id,
            amount=Decimal("600"),
        )
        if Decimal(reserved):
            ledger_reserve(
                tenant=tenant,
                actor=None,
                fund_id=fund.id,
                allocation_id=allocation.id,
                amount=Decimal(reserved),
            )
    return fund, allocation


def expired_in(tenant, fund) -> Decimal:
    with tenant_context(tenant):
        return fund_balances(tenant=tenant, fund_ids=[fund.id]).get().expired


def test_the_sweep_expires_ended_quarters_once_and_keeps_what_is_reserved(tenant):
    ended, _ = fund_with_money(tenant, reserved="250")
    running, _ = fund_with_money(tenant, name="Q1 fund", year=2027, quarter=1)

    assert funds_expire_all(now=JANUARY_2ND) == 2  # the allocation's 350 and the fund's 400

    assert expired_in(tenant, ended) == Decimal("750.00")
    assert expired_in(tenant, running) == Decimal("0")
    with tenant_context(tenant):
        row = allocation_balances(tenant=tenant, fund_ids=[ended.id]).get()
        assert (row.reserved, row.available) == (Decimal("250.00"), Decimal("0.00"))
    entries = LedgerEntry.unscoped.count()
    assert funds_expire_all(now=JANUARY_2ND) == 0
    assert LedgerEntry.unscoped.count() == entries


def test_money_released_after_the_quarter_expires_on_the_next_run(tenant):
    ended, allocation = fund_with_money(tenant, reserved="250")
    funds_expire_all(now=JANUARY_2ND)
    with tenant_context(tenant):
        ledger_release(
            tenant=tenant, actor=None, fund_id=ended.id, allocation_id=allocation.id, amount=Decimal("100")
        )

    assert funds_expire_all(now=JANUARY_2ND) == 1
    assert expired_in(tenant, ended) == Decimal("850.00")


def test_a_quarter_ends_in_the_tenants_time_zone():
    pacific = TenantFactory(slug="pacific", timezone="America/Los_Angeles")
    fund, _ = fund_with_money(pacific)
    new_year_utc = datetime.datetime(2027, 1, 1, 3, tzinfo=UTC)  # still 31 December in California

    assert funds_expire_all(now=new_year_utc) == 0
    assert funds_expire_all(now=new_year_utc + datetime.timedelta(hours=6)) == 2
    assert expired_in(pacific, fund) == Decimal("1000.00")


def test_the_sweep_works_in_bounded_batches_across_tenants(tenant, other_tenant):
    funds = [(tenant, fund_with_money(tenant, name=f"Fund {n}")[0]) for n in range(3)]
    funds += [(other_tenant, fund_with_money(other_tenant, name=f"Fund {n}")[0]) for n in range(2)]

    assert funds_expire(now=JANUARY_2ND, batch=2) == (2, 4)
    assert funds_expire_all(now=JANUARY_2ND, batch=2) == 6
    assert all(expired_in(owner, fund) == Decimal("1000.00") for owner, fund in funds)
    assert funds_expire(now=JANUARY_2ND, batch=2) == (0, 0)


def test_beat_runs_the_sweep_and_its_task_writes_expire_entries(tenant):
    schedule = settings.CELERY_BEAT_SCHEDULE["expire-unused-mdf-funds"]
    assert schedule["task"] == expire_unused_funds_task.name
    fund_with_money(tenant, year=2020, quarter=1)

    assert expire_unused_funds_task() == 2
    assert LedgerEntry.unscoped.filter(kind=EntryKind.EXPIRE).count() == 2
    assert expire_unused_funds_task() == 0
