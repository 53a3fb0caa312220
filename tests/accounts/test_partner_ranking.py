"""Partner ranking for a plan: access to the named accounts first, with reasons; MDF beside, never
in the score."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import PlanAccount
from accounts.selectors.plans import partner_ranking
from mdf.selectors import ranking_with_funds
from tests.factories import (
    AccountMappingFactory,
    AllocationFactory,
    PartnerFactory,
    PlanFactory,
    TargetAccountFactory,
)


@pytest.fixture
def plan(in_tenant):
    plan = PlanFactory(
        tenant=in_tenant, year=2026, quarter=4, market_kind="vertical", market_value="healthcare"
    )
    for name in ["Alpha Health", "Beta Clinics", "Gamma Care", "Delta Labs", "Epsilon Med", "Zeta Pharma"]:
        account = TargetAccountFactory(tenant=in_tenant, name=name, industry="healthcare", region="dach")
        PlanAccount.objects.create(tenant=in_tenant, plan=plan, account=account)
    return plan


def named(plan, *names):
    return [pa.account for pa in plan.plan_accounts.select_related("account") if pa.account.name in names]


@pytest.mark.django_db
def test_partners_rank_by_access_to_the_named_accounts_with_reasons(in_tenant, plan):
    tenant = in_tenant
    rich = PartnerFactory(
        tenant=tenant,
        name="Rich Funds Inc",
        verticals=["healthcare"],
        regions=["dach"],
        certifications=["A", "B"],
    )
    AllocationFactory(
        tenant=tenant, partner=rich, fund__year=2026, fund__quarter=4, amount=Decimal("500000.00")
    )
    one = PartnerFactory(tenant=tenant, name="One Door Ltd", verticals=[], regions=[])
    AccountMappingFactory(tenant=tenant, partner=one, account=named(plan, "Beta Clinics")[0])
    three = PartnerFactory(tenant=tenant, name="Three Doors GmbH", verticals=[], regions=[])
    for account in named(plan, "Alpha Health", "Gamma Care", "Delta Labs"):
        AccountMappingFactory(tenant=tenant, partner=three, account=account, relationship="customer")
    # Overlap with accounts outside the plan counts for nothing.
    AccountMappingFactory.create_batch(5, tenant=tenant, partner=rich)
    PartnerFactory(tenant=tenant, name="Gone Inc", status="inactive")

    ranking = ranking_with_funds(tenant=tenant, plan=plan)

    assert [rank.partner.name for rank in ranking] == ["Three Doors GmbH", "One Door Ltd", "Rich Funds Inc"]
    top, middle, last = ranking
    assert top.access == 3
    assert top.reasons[0] == "Works with 3 of the 6 named accounts: Alpha Health, Delta Labs, Gamma Care."
    assert [row["relationship"] for row in top.access_accounts] == ["customer"] * 3
    assert middle.reasons == ["Works with 1 of the 6 named accounts: Beta Clinics."]
    # Lots of MDF, vertical depth, certifications and the region: still below any overlap.
    assert last.access == 0
    assert last.mdf_available == Decimal("500000.00")
    assert last.reasons == [
        "Works with none of the 6 named accounts.",
        "Depth in Healthcare.",
        "2 certifications.",
        "Covers DACH.",
    ]
    assert top.mdf_available == Decimal("0")


@pytest.mark.django_db
def test_mdf_never_changes_the_order(in_tenant, plan):
    tenant = in_tenant
    with_overlap = PartnerFactory(tenant=tenant, name="Overlap, no money", verticals=[], regions=[])
    AccountMappingFactory(tenant=tenant, partner=with_overlap, account=named(plan, "Zeta Pharma")[0])
    money = PartnerFactory(tenant=tenant, name="Money, no overlap", verticals=[], regions=[])
    before = [rank.partner.name for rank in partner_ranking(tenant=tenant, plan=plan)]

    AllocationFactory(
        tenant=tenant, partner=money, fund__year=2026, fund__quarter=4, amount=Decimal("1000000.00")
    )

    after = ranking_with_funds(tenant=tenant, plan=plan)
    assert [rank.partner.name for rank in after] == before
    assert before == ["Overlap, no money", "Money, no overlap"]
    assert [rank.mdf_available for rank in after] == [Decimal("0"), Decimal("1000000.00")]


@pytest.mark.django_db
def test_credibility_and_fit_break_ties_between_equal_access(in_tenant, plan):
    tenant = in_tenant
    PartnerFactory(tenant=tenant, name="Aardvark Generalists", verticals=["retail"], regions=["nordics"])
    PartnerFactory(tenant=tenant, name="Zebra Health Experts", verticals=["healthcare"], regions=["dach"])

    ranking = partner_ranking(tenant=tenant, plan=plan)

    assert [rank.partner.name for rank in ranking] == ["Zebra Health Experts", "Aardvark Generalists"]
    assert ranking[0].score > ranking[1].score


@pytest.mark.django_db
def test_ranking_is_one_query_whatever_the_number_of_partners(in_tenant, plan):
    tenant = in_tenant
    for _ in range(5):
        AccountMappingFactory(
            tenant=tenant, partner=PartnerFactory(tenant=tenant), account=named(plan, "Alpha Health")[0]
        )
    with CaptureQueriesContext(connection) as few:
        partner_ranking(tenant=tenant, plan=plan)
    for _ in range(40):
        AccountMappingFactory(
            tenant=tenant, partner=PartnerFactory(tenant=tenant), account=named(plan, "Delta Labs")[0]
        )
    with CaptureQueriesContext(connection) as many:
        assert len(partner_ranking(tenant=tenant, plan=plan)) == 45
    assert len(many) == len(few) == 2  # the plan's accounts, then the ranking itself
    with CaptureQueriesContext(connection) as with_funds:
        ranking_with_funds(tenant=tenant, plan=plan)
    assert len(with_funds) == 3  # and the funds of the ranked partners, in one more


@pytest.mark.django_db
def test_a_plan_with_no_named_accounts_still_ranks_its_partners_by_fit(in_tenant):
    plan = PlanFactory(tenant=in_tenant, market_kind="vertical", market_value="healthcare")
    PartnerFactory(tenant=in_tenant, name="Generalist Inc", verticals=[], regions=[])
    PartnerFactory(tenant=in_tenant, name="Health Depth Ltd", verticals=["healthcare"], regions=[])

    ranking = partner_ranking(tenant=in_tenant, plan=plan)

    assert [rank.partner.name for rank in ranking] == ["Health Depth Ltd", "Generalist Inc"]
    assert ranking[1].reasons == ["The plan names no accounts yet: ranked on credibility and fit only."]
    assert all(rank.access == 0 for rank in ranking)
