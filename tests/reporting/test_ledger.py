"""The account's ledger: one timeline of everything that touched a target account, newest first,
filtered by kind, paginated, at the same queries for a short history as for a long one."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from mdf.models import RequestState
from mdf.models.claims import ClaimState
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import (
    AccountMappingFactory,
    AllocationFactory,
    ClaimFactory,
    DealRegistrationFactory,
    FundRequestFactory,
    HandoffFactory,
    LeadFactory,
    OpportunityFactory,
    OpportunityStageChangeFactory,
    PartnerFactory,
    PlanAccountFactory,
    PlanFactory,
    RequestAccountFactory,
    TargetAccountFactory,
    TouchFactory,
)
from tests.test_query_counts import queries_for

pytestmark = pytest.mark.django_db


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def history(tenant, account, partner, times=1):
    """One of each kind of entry on `account`, `times` over, the oldest first."""
    for _ in range(times):
        AccountMappingFactory(
            tenant=tenant, account=account, partner=PartnerFactory(tenant=tenant), created_at=ago(10)
        )
        plan = PlanFactory(tenant=tenant, partner=partner, name="Retail Q4", created_at=ago(9))
        PlanAccountFactory(tenant=tenant, plan=plan, account=account)
        lead = LeadFactory(tenant=tenant, account=account, created_at=ago(8))
        TouchFactory(tenant=tenant, lead=lead, kind="meeting", occurred_at=ago(7))
        HandoffFactory(tenant=tenant, lead=lead, partner=partner, offered_at=ago(6))
        request = FundRequestFactory(
            tenant=tenant,
            allocation=AllocationFactory(tenant=tenant, partner=partner),
            title="Retail roundtable",
            state=RequestState.APPROVED,
            amount_approved=Decimal("1000.00"),
        )
        RequestAccountFactory(tenant=tenant, request=request, account=account)
        ClaimFactory(
            tenant=tenant,
            request=request,
            amount_approved=Decimal("800.00"),
            state=ClaimState.PAID,
            payment_reference="P-1",
            paid_on=timezone.localdate() - datetime.timedelta(days=5),
        )
        DealRegistrationFactory(tenant=tenant, partner=partner, account=account, submitted_at=ago(4))
        opportunity = OpportunityFactory(tenant=tenant, account=account, name="Litware expansion")
        OpportunityStageChangeFactory(tenant=tenant, opportunity=opportunity, changed_at=ago(3))


@pytest.fixture
def account(tenant):
    return TargetAccountFactory(tenant=tenant, name="Litware Retail")


def ledger_url(account, query=""):
    return f"/t/northwind/reporting/accounts/{account.id}/ledger/{query}"


def test_the_ledger_joins_every_kind_newest_first(tenant, account, partner):
    history(tenant, account, partner)
    TargetAccountFactory(tenant=tenant)  # another account's history stays out
    client = login(make_member(tenant, Role.PARTNER_MANAGER))
    page = client.get(ledger_url(account)).content.decode()
    kinds = [chunk.split('"', 1)[0] for chunk in page.split('data-kind="')[1:]]
    assert kinds == ["stage", "registration", "mdf", "handoff", "touch", "lead", "plan", "mapping"]
    assert "Contoso Consulting handed" not in page and "handed to Contoso Consulting" in page
    assert "MDF paid: Retail roundtable" in page
    assert "Named by the plan Retail Q4" in page
    # The account page links to it.
    assert ledger_url(account) in client.get(f"/t/northwind/accounts/{account.id}/").content.decode()


def test_the_ledger_filters_by_kind_and_pages(tenant, account, partner):
    history(tenant, account, partner, times=4)
    client = login(make_member(tenant, Role.PARTNER_MANAGER))
    page = client.get(ledger_url(account, "?kind=handoff")).content.decode()
    assert page.count('data-kind="handoff"') == 4 and page.count("data-kind=") == 4
    first = client.get(ledger_url(account)).content.decode()
    assert first.count("data-kind=") == 25 and "Page 1 of 2" in first
    second = client.get(ledger_url(account, "?page=2")).content.decode()
    assert second.count("data-kind=") == 7


def test_the_ledger_costs_the_same_queries_for_a_longer_history(tenant, account, partner):
    client = login(make_member(tenant, Role.PARTNER_MANAGER))
    history(tenant, account, partner)
    queries_for(client, ledger_url(account))
    before = queries_for(client, ledger_url(account))
    history(tenant, account, partner, times=4)
    assert queries_for(client, ledger_url(account)) == before


def test_a_partner_user_has_no_ledger(tenant, account, partner_user):
    assert login(partner_user).get(ledger_url(account)).status_code in (403, 404)


def test_a_paid_tranche_of_a_plan_naming_the_account_is_in_its_ledger(tenant, account, partner):
    from mdf.models import TrancheState
    from tests.factories import FundTrancheFactory, PlanAccountFactory

    paid = FundTrancheFactory(
        tenant=tenant, request__partner=partner, state=TrancheState.PAID, settled_at=ago(3)
    )
    PlanAccountFactory(tenant=tenant, plan=paid.plan, account=account)
    FundTrancheFactory(tenant=tenant, request=paid.request, plan=paid.plan, day=90, settled_at=ago(2))  # held
    client = login(make_member(tenant, Role.PARTNER_MANAGER))
    page = client.get(ledger_url(account, "?kind=tranche")).content.decode()
    assert page.count('data-kind="tranche"') == 1
    assert f"MDF tranche paid: {paid.request.title}" in page
