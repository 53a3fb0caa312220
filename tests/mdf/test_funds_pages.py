"""The funds pages: the funds of a quarter with their bars, creating a fund, a fund's allocations
(allocate, reallocate with confirmation), its ledger (filters, pages, CSV), and a partner's "My
funds"; what a partner user may and may not see."""

from decimal import Decimal

import pytest

from mdf.models import EntryKind, Fund, LedgerEntry
from mdf.selectors import ranking_with_funds
from mdf.selectors.funds import current_quarter, my_funds
from mdf.services import allocation_create, fund_create, ledger_reserve
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import PartnerFactory, PlanAccountFactory

pytestmark = pytest.mark.django_db

FUNDS = "/t/northwind/funds/"


def make_fund(tenant, name="Partner marketing", amount="10000.00", **fields):
    quarter = current_quarter(tenant=tenant)
    fields = {"year": quarter.year, "quarter": quarter.quarter, **fields}
    with tenant_context(tenant):
        return fund_create(tenant=tenant, actor=None, name=name, amount=Decimal(amount), **fields)


def allocate(tenant, fund, amount, partner=None, tier=""):
    with tenant_context(tenant):
        return allocation_create(
            tenant=tenant,
            actor=None,
            fund_id=fund.id,
            partner_id=partner.id if partner else None,
            tier=tier,
            amount=Decimal(amount),
        )


def reserve(tenant, allocation, amount):
    with tenant_context(tenant):
        return ledger_reserve(
            tenant=tenant,
            actor=None,
            fund_id=allocation.fund_id,
            allocation_id=allocation.id,
            amount=Decimal(amount),
        )


@pytest.fixture
def fund(tenant, partner):
    fund = make_fund(tenant)
    allocation = allocate(tenant, fund, "4000.00", partner=partner)
    reserve(tenant, allocation, "1500.00")
    allocate(tenant, fund, "1000.00", tier=Partner.Tier.ONE_TO_MANY)
    return fund


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_funds_page_shows_the_current_quarter_with_each_funds_bar_in_figures(tenant, manager_user, fund):
    make_fund(tenant, name="Summer push", **_previous(tenant))
    response = login(manager_user).get(FUNDS)

    assert response.status_code == 200
    page = text(response)
    assert f"Funds · {current_quarter(tenant=tenant)}" in page
    assert "Partner marketing" in page and "Summer push" not in page
    # The bar's parts as text, with their share: allocated and unused 3,500 (4,000 + 1,000 - 1,500
    # reserved), reserved 1,500, available 5,000.
    for figure in (
        "Allocated, unused: <strong>$3,500.00",
        "Reserved: <strong>$1,500.00",
        "Available: <strong>$5,000.00",
    ):
        assert figure in page
    assert "(35.0 %)" in page and "(15.0 %)" in page and "(50.0 %)" in page
    assert 'class="fund-bar-part part-reserved" style="width:15.0%"' in page


def _previous(tenant) -> dict:
    quarter = current_quarter(tenant=tenant).shifted(-1)
    return {"year": quarter.year, "quarter": quarter.quarter}


def test_the_quarter_picker_shows_another_quarter(tenant, manager_user, fund):
    make_fund(tenant, name="Summer push", **_previous(tenant))
    previous = current_quarter(tenant=tenant).shifted(-1)

    page = text(login(manager_user).get(FUNDS, {"quarter": previous.key}))

    assert f"Funds · {previous}" in page
    assert "Summer push" in page and "Partner marketing" not in page


def test_an_empty_quarter_says_so(tenant, manager_user):
    page = text(login(manager_user).get(FUNDS, {"quarter": "2030-Q1"}))
    assert "No funds in Q1 2030" in page


def test_a_fund_is_created_through_the_form_and_a_taken_name_is_refused(tenant, manager_user, fund):
    client = login(manager_user)
    quarter = current_quarter(tenant=tenant)
    data = {
        "name": "Co-op",
        "year": quarter.year,
        "quarter": quarter.quarter,
        "amount": "2500.00",
        "currency": "USD",
        "kind": "co_op",
        "accrual_percent": "3",
        "claim_window_days": 60,
        "max_reimbursement_percent": 100,
        "tiers": ["one_to_few"],
    }
    response = client.post(f"{FUNDS}new/", data)

    with tenant_context(tenant):
        created = Fund.objects.get(name="Co-op")
    assert response.status_code == 302 and response["Location"] == f"{FUNDS}{created.id}/"
    assert (created.kind, created.accrual_percent, created.tiers) == (
        "co_op",
        Decimal("3.00"),
        ["one_to_few"],
    )

    again = client.post(
        f"{FUNDS}new/", {**data, "name": "Partner marketing", "kind": "marketing", "accrual_percent": ""}
    )
    assert again.status_code == 200
    assert "already exists" in str(again.context["form"].errors)
    no_rate = client.post(f"{FUNDS}new/", {**data, "name": "Other", "accrual_percent": ""})
    assert "accrues a percentage of revenue" in str(no_rate.context["form"].errors["accrual_percent"])


def test_a_funds_page_lists_its_partners_and_pools_and_allocates(tenant, manager_user, fund, partner):
    client = login(manager_user)
    page = text(client.get(f"{FUNDS}{fund.id}/"))
    assert "Contoso Consulting" in page and "One-to-many (long tail) pool" in page
    assert "$2,500.00" in page  # Contoso's available: 4,000 less 1,500 reserved

    newcomer = PartnerFactory(tenant=tenant, name="Litware", tier=Partner.Tier.ONE_TO_FEW)
    response = client.post(f"{FUNDS}{fund.id}/allocate/", {"partner": newcomer.id, "amount": "750.00"})
    assert response.status_code == 302
    assert "Litware" in text(client.get(f"{FUNDS}{fund.id}/"))

    too_much = client.post(f"{FUNDS}{fund.id}/allocate/", {"partner": newcomer.id, "amount": "99999.00"})
    assert too_much.status_code == 200
    assert "Only 4250.00 USD is available" in str(too_much.context["form"].errors)


def test_reallocating_asks_for_confirmation_then_moves_the_money(tenant, manager_user, fund, partner):
    client = login(manager_user)
    with tenant_context(tenant):
        allocation = partner.mdf_allocations.get()
    url = f"{FUNDS}allocations/{allocation.id}/reallocate/"
    data = {"amount": "500.00", "to_tier": Partner.Tier.ONE_TO_MANY}

    asked = client.post(url, data)
    assert asked.status_code == 200
    assert "Confirm the reallocation" in text(asked)
    with tenant_context(tenant):
        assert not LedgerEntry.objects.filter(kind=EntryKind.REALLOCATE).exists()

    done = client.post(url, {**data, "confirmed": "True"})
    assert done.status_code == 302
    with tenant_context(tenant):
        assert LedgerEntry.objects.filter(kind=EntryKind.REALLOCATE, amount=Decimal("500.00")).count() == 1

    refused = client.post(url, {"amount": "9000.00", "confirmed": "True"})
    assert "in the allocation of Contoso Consulting" in str(refused.context["form"].errors["amount"])
    with tenant_context(tenant):
        assert LedgerEntry.objects.filter(kind=EntryKind.REALLOCATE).count() == 1


def test_the_ledger_filters_pages_and_exports(tenant, manager_user, fund, partner):
    client = login(manager_user)
    ledger = f"{FUNDS}{fund.id}/ledger/"

    page = text(client.get(ledger))
    assert page.count("<tr>") == 4  # the header and three entries
    reserved = text(client.get(ledger, {"kind": "reserve"}))
    assert reserved.count("<tr>") == 2 and "$1,500.00" in reserved
    with tenant_context(tenant):
        allocation = partner.mdf_allocations.get()
    mine = text(client.get(ledger, {"allocation": allocation.id}))
    assert mine.count("<tr>") == 3
    assert text(client.get(ledger, {"since": "2000-01-01", "until": "2000-12-31"})).count("<tr>") == 0

    export = client.get(ledger, {"export": "csv", "kind": "allocate"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Number,Time,Kind,Amount")
    assert len(lines) == 3 and all(",Allocated," in line for line in lines[1:])


def test_a_partner_user_sees_my_funds_and_never_the_vendors_pages(
    tenant, fund, partner, partner_user, other_partner
):
    allocate(tenant, fund, "300.00", partner=other_partner)
    client = login(partner_user)

    page = text(client.get("/t/northwind/my-funds/"))
    assert "Partner marketing" in page and "$2,500.00" in page
    assert "Fabrikam" not in page and "$300.00" not in page
    assert "Shared pools of your tier" in page
    assert "No shared pool for your tier" in page  # Contoso is one-to-few: the pool is one-to-many's

    for url in (FUNDS, f"{FUNDS}new/"):
        assert client.get(url).status_code == 403
    for url in (f"{FUNDS}{fund.id}/", f"{FUNDS}{fund.id}/ledger/", f"{FUNDS}{fund.id}/allocate/"):
        assert client.get(url).status_code == 404


def test_my_funds_shows_the_pool_of_the_partners_tier(tenant, fund):
    long_tail = PartnerFactory(tenant=tenant, name="Tailspin", tier=Partner.Tier.ONE_TO_MANY)
    user = make_member(tenant, Role.PARTNER_USER, partner=long_tail)

    page = text(login(user).get("/t/northwind/my-funds/"))

    assert "Nothing allocated to your company" in page
    assert "Partner marketing</strong>: $1,000.00 available" in page


def test_the_navigation_offers_funds_to_staff_and_my_funds_to_partners(tenant, manager_user, partner_user):
    assert 'href="/t/northwind/funds/"' in login(manager_user).get("/t/northwind/").content.decode()
    partner_home = login(partner_user).get("/t/northwind/").content.decode()
    assert (
        'href="/t/northwind/my-funds/"' in partner_home and 'href="/t/northwind/funds/"' not in partner_home
    )


def test_the_ranking_shows_beside_the_partner_what_my_funds_shows_available(tenant, fund, partner):
    quarter = current_quarter(tenant=tenant)
    plan = PlanAccountFactory(tenant=tenant, plan__year=quarter.year, plan__quarter=quarter.quarter).plan
    with tenant_context(tenant):
        [rank] = [rank for rank in ranking_with_funds(tenant=tenant, plan=plan) if rank.partner == partner]
        mine = my_funds(tenant=tenant, partner=partner, quarter=quarter)
    assert rank.mdf_available == sum(row.available for row in mine.allocations) == Decimal("2500.00")
