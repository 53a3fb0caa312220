"""The funds API: funds with their balances (list, filters, read, create), allocations (list, read,
create, reallocate), the ledger (read-only, filters); partners see only their own allocations and
no fund or ledger entry (404); bad input is a 400 on the field."""

from decimal import Decimal

import pytest
from django.test import Client

from mdf.models import EntryKind, LedgerEntry
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import ApiKeyFactory, PartnerFactory
from tests.mdf.test_funds_pages import allocate, make_fund, reserve

pytestmark = pytest.mark.django_db

JSON = "application/json"
API = "/api/v1/mdf/"


def api(user) -> Client:
    client = login(user)
    client.defaults["HTTP_X_TENANT"] = "northwind"
    return client


@pytest.fixture
def fund(tenant, partner):
    fund = make_fund(tenant)
    reserve(tenant, allocate(tenant, fund, "4000.00", partner=partner), "1500.00")
    allocate(tenant, fund, "1000.00", tier=Partner.Tier.ONE_TO_MANY)
    return fund


def test_funds_are_listed_with_their_balances_and_filtered(tenant, manager_user, fund):
    make_fund(tenant, name="Other quarter", year=2030, quarter=1, currency="EUR")
    client = api(manager_user)

    body = client.get(f"{API}funds/", {"period": f"{fund.year}-Q{fund.quarter}"}).json()
    assert [row["name"] for row in body["results"]] == ["Partner marketing"]
    row = body["results"][0]
    assert (row["allocated"], row["reserved"], row["available"], row["currency"]) == (
        "5000.00",
        "1500.00",
        "5000.00",
        "USD",
    )
    assert row["period"] == f"{fund.year}-Q{fund.quarter}"
    assert [r["name"] for r in client.get(f"{API}funds/", {"currency": "EUR"}).json()["results"]] == [
        "Other quarter"
    ]
    assert client.get(f"{API}funds/{fund.id}/").json()["paid"] == "0.00"

    bad = client.get(f"{API}funds/", {"period": "Q4"})
    assert bad.status_code == 400 and "2026-Q4" in bad.json()["period"][0]
    assert client.get(f"{API}funds/", {"quarter": 5}).status_code == 400


def test_a_fund_is_created_and_bad_input_is_a_400_on_the_field(tenant, manager_user, fund):
    client = api(manager_user)
    created = client.post(
        f"{API}funds/",
        {"name": "Q1 push", "year": 2031, "quarter": 1, "amount": "1200.50", "tiers": ["one_to_few"]},
        content_type=JSON,
    )
    assert created.status_code == 201
    assert (created.json()["available"], created.json()["tiers"]) == ("1200.50", ["one_to_few"])

    taken = client.post(
        f"{API}funds/",
        {"name": "Partner marketing", "year": fund.year, "quarter": fund.quarter, "amount": "1"},
        content_type=JSON,
    )
    assert taken.status_code == 400
    co_op = client.post(
        f"{API}funds/",
        {"name": "Co-op", "year": 2031, "quarter": 1, "amount": "1", "kind": "co_op"},
        content_type=JSON,
    )
    assert co_op.status_code == 400 and "accrual_percent" in co_op.json()
    assert client.post(f"{API}funds/", {"name": "X"}, content_type=JSON).json().keys() >= {
        "year",
        "quarter",
        "amount",
    }


def test_allocations_are_created_reallocated_and_refused_beyond_the_money(
    tenant, manager_user, fund, partner
):
    client = api(manager_user)
    litware = PartnerFactory(tenant=tenant, name="Litware", tier=Partner.Tier.ONE_TO_FEW)

    created = client.post(
        f"{API}allocations/", {"fund": fund.id, "partner": litware.id, "amount": "700.00"}, content_type=JSON
    )
    assert created.status_code == 201
    assert (created.json()["partner_name"], created.json()["available"]) == ("Litware", "700.00")

    too_much = client.post(
        f"{API}allocations/", {"fund": fund.id, "partner": litware.id, "amount": "9999.00"}, content_type=JSON
    )
    assert too_much.status_code == 400 and "Only 4300.00 USD is available" in str(too_much.json())

    moved = client.post(
        f"{API}allocations/{created.json()['id']}/reallocate/",
        {"amount": "200.00", "to_partner": partner.id},
        content_type=JSON,
    )
    assert moved.status_code == 200 and moved.json()["available"] == "500.00"
    contoso = client.get(f"{API}allocations/", {"partner": partner.id}).json()["results"][0]
    assert contoso["available"] == "2700.00"

    unknown = client.post(
        f"{API}allocations/{created.json()['id']}/reallocate/", {"amount": "-1"}, content_type=JSON
    )
    assert unknown.status_code == 400 and "amount" in unknown.json()


def test_the_ledger_is_read_only_and_filtered(tenant, manager_user, fund, partner):
    client = api(manager_user)
    body = client.get(f"{API}ledger/", {"fund": fund.id}).json()
    # Newest first: the pool's allocation, the reservation, Contoso's allocation.
    assert [(row["kind"], row["amount"]) for row in body["results"]] == [
        ("allocate", "1000.00"),
        ("reserve", "1500.00"),
        ("allocate", "4000.00"),
    ]
    reserved = client.get(f"{API}ledger/", {"fund": fund.id, "kind": "reserve"}).json()["results"]
    assert [(row["amount"], row["partner"], row["fund_reserved"]) for row in reserved] == [
        ("1500.00", partner.id, "1500.00")
    ]
    entry = reserved[0]["id"]
    assert client.delete(f"{API}ledger/{entry}/").status_code == 405
    assert client.patch(f"{API}ledger/{entry}/", {"note": "x"}, content_type=JSON).status_code == 405
    assert client.get(f"{API}ledger/", {"kind": "nonsense"}).status_code == 400


def test_a_partner_reads_only_its_own_allocations_and_no_fund_or_ledger(
    tenant, fund, partner, partner_user, other_partner
):
    theirs = allocate(tenant, fund, "300.00", partner=other_partner)
    client = api(partner_user)

    listed = client.get(f"{API}allocations/").json()["results"]
    assert [row["partner_name"] for row in listed] == ["Contoso Consulting"]
    assert client.get(f"{API}allocations/{theirs.id}/").status_code == 404
    assert client.get(f"{API}funds/{fund.id}/").status_code == 404
    with tenant_context(tenant):
        entry = LedgerEntry.objects.filter(kind=EntryKind.RESERVE).get()
    assert client.get(f"{API}ledger/{entry.id}/").status_code == 404
    assert client.get(f"{API}funds/").status_code == 403
    mine = listed[0]["id"]
    refused = client.post(f"{API}allocations/{mine}/reallocate/", {"amount": "1.00"}, content_type=JSON)
    assert refused.status_code == 403


def test_a_partner_key_lists_only_its_company_s_allocations(tenant, fund, partner, other_partner):
    allocate(tenant, fund, "300.00", partner=other_partner)
    key = ApiKeyFactory(tenant=tenant, partner=partner, scopes=["read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")

    listed = client.get(f"{API}allocations/").json()["results"]

    assert [row["partner"] for row in listed] == [partner.id]
    assert Decimal(listed[0]["available"]) == Decimal("2500.00")


def test_sales_staff_read_funds_but_cannot_create_them(tenant, fund):
    client = api(make_member(tenant, Role.SALES))
    assert client.get(f"{API}funds/").status_code == 200
    refused = client.post(
        f"{API}funds/", {"name": "N", "year": 2031, "quarter": 1, "amount": "1"}, content_type=JSON
    )
    assert refused.status_code == 403


def test_a_partner_filters_its_allocations_by_the_fund_they_name(tenant, fund, partner, partner_user):
    other = make_fund(tenant, name="Next quarter", year=2030, quarter=1)
    client = api(partner_user)
    by_fund = client.get(f"{API}allocations/", {"fund": fund.id})
    assert by_fund.status_code == 200
    assert [row["partner_name"] for row in by_fund.json()["results"]] == ["Contoso Consulting"]
    # A fund it draws nothing from is "not a valid choice", as one that does not exist.
    assert client.get(f"{API}allocations/", {"fund": other.id}).status_code == 400


@pytest.mark.parametrize("period", ["1999-Q1", "2200-Q1", "\uff12\uff10\uff12\uff16-Q4", "2026-Q5"])
def test_a_quarter_the_funds_cannot_have_is_a_400_never_an_unfiltered_list(
    tenant, manager_user, fund, period
):
    answer = api(manager_user).get(f"{API}funds/", {"period": period})
    assert answer.status_code == 400 and "period" in answer.json()
