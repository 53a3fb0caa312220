"""The former FundAllocations become funds, allocations and allocate entries: the migration run back
and forth on the test database, with rows of the old shape in between."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mdf.models import Allocation, Fund, LedgerEntry
from mdf.selectors import allocation_balances, fund_balances
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.rls import owner_connection
from tests.factories import PartnerFactory, TenantFactory

BEFORE = ("mdf", "0003_currency_is_any_iso_4217_code")
AT = datetime.datetime(2026, 10, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.django_db(transaction=True)
def test_each_fund_allocation_becomes_an_allocate_entry_of_its_partners_allocation():
    tenant, other = TenantFactory(slug="alpha"), TenantFactory(slug="bravo")
    contoso, fabrikam = (
        PartnerFactory(tenant=tenant, name="Contoso"),
        PartnerFactory(tenant=tenant, name="Fabrikam"),
    )
    elsewhere = PartnerFactory(tenant=other, name="Globex partner")
    try:
        # Back by the executor, as the owner: `migrate` would install the wall for today's models,
        # whose tables are gone at that point. The old table is the owner's, with no wall yet.
        with owner_connection():
            executor = MigrationExecutor(connection)
            executor.migrate([BEFORE])
            FundAllocation = executor.loader.project_state(BEFORE).apps.get_model("mdf", "FundAllocation")
            rows = [
                (tenant, contoso, 4, "USD", "25000.00", "Launch"),
                (tenant, contoso, 4, "USD", "5000.00", "Top-up"),
                (tenant, fabrikam, 4, "USD", "0.00", ""),
                (tenant, fabrikam, 4, "EUR", "8000.00", ""),
                (tenant, fabrikam, 3, "USD", "1000.00", ""),
                (other, elsewhere, 4, "USD", "700.00", ""),
            ]
            for owner, partner, quarter, currency, amount, note in rows:
                with tenant_context(owner):
                    FundAllocation.objects.create(
                        tenant_id=owner.id,
                        partner_id=partner.id,
                        year=2026,
                        quarter=quarter,
                        currency=currency,
                        amount=Decimal(amount),
                        note=note,
                        created_at=AT,
                    )
    finally:
        call_command("migrate", verbosity=0)  # forward, and the wall installed again

    with tenant_context(tenant):
        funds = {
            (fund.name, fund.currency): (fund.amount, fund.allocated, fund.available)
            for fund in fund_balances(tenant=tenant)
        }
        assert funds == {
            ("MDF Q4 2026 (USD)", "USD"): (Decimal("30000.00"), Decimal("30000.00"), Decimal("0.00")),
            ("MDF Q4 2026 (EUR)", "EUR"): (Decimal("8000.00"), Decimal("8000.00"), Decimal("0.00")),
            ("MDF Q3 2026", "USD"): (Decimal("1000.00"), Decimal("1000.00"), Decimal("0.00")),
        }
        usd = Fund.objects.get(name="MDF Q4 2026 (USD)")
        assert {
            row.partner.name: row.available for row in allocation_balances(tenant=tenant, fund_ids=[usd.id])
        } == {"Contoso": Decimal("30000.00"), "Fabrikam": Decimal("0")}
        assert list(
            LedgerEntry.objects.filter(fund=usd)
            .order_by("seq")
            .values_list("kind", "amount", "note", "created_at")
        ) == [("allocate", Decimal("25000.00"), "Launch", AT), ("allocate", Decimal("5000.00"), "Top-up", AT)]
        assert Allocation.objects.get(fund=usd, partner=contoso).note == "Launch"
    with tenant_context(other):
        assert [(fund.name, fund.available) for fund in fund_balances(tenant=other)] == [
            ("MDF Q4 2026", Decimal("0.00"))
        ]
        assert Allocation.objects.get().partner == elsewhere
