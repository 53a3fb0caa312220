"""MDF ROI per named account on the plan page (issue 11): the MDF paid for the plan (here a tranche
paid on approval) shared evenly by its named accounts, beside the pipeline opened on each since the
launch (not lost, in the plan's currency; another currency counted apart), and their ratio. The
figures come from the same few queries however many accounts the plan names."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mdf.services import tranche_schedule_set
from partnerhub.tenancy.roles import Role
from reporting.selectors.plan_roi import plan_account_roi
from reporting.selectors.scorecard import scorecard
from tests.conftest import login, make_member
from tests.factories import OpportunityFactory
from tests.mdf.test_tranches import funded_plan
from tests.reporting.journey import DAY, LAUNCH_DAY, at


@pytest.fixture
def people(tenant):
    return {
        "manager": make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example"),
        "sales": make_member(tenant, Role.SALES, email="sales@northwind.example"),
    }


@pytest.mark.django_db
def test_the_plan_page_shows_mdf_roi_per_named_account(in_tenant, people, partner, partner_user):
    tenant, manager = in_tenant, people["manager"]
    given = funded_plan(tenant, people, partner, partner_user, approved="3000.00")
    plan, named = given.plan, given.named
    tranche_schedule_set(
        tenant=tenant, actor=manager, request_id=given.request.id, percents={"on_approval": 100}
    )
    after = at(tenant, LAUNCH_DAY + 20 * DAY)
    OpportunityFactory(tenant=tenant, account=named[0], amount=Decimal("10000.00"), created_at=after)
    OpportunityFactory(tenant=tenant, account=named[0], amount=Decimal("2500.00"), created_at=after)
    OpportunityFactory(
        tenant=tenant,
        account=named[1],
        amount=Decimal("9000.00"),
        created_at=at(tenant, LAUNCH_DAY - 5 * DAY),
    )
    OpportunityFactory(
        tenant=tenant, account=named[2], amount=Decimal("7000.00"), stage="closed_lost", created_at=after
    )
    OpportunityFactory(
        tenant=tenant, account=named[3], amount=Decimal("4000.00"), currency="EUR", created_at=after
    )

    with CaptureQueriesContext(connection) as queries:
        roi = plan_account_roi(tenant=tenant, plan=plan)
    assert len(queries) == 4
    assert (roi.currency, roi.mdf_paid, roi.pipeline, roi.roi, roi.other_currency) == (
        "USD",
        Decimal("3000.00"),
        Decimal("12500.00"),
        Decimal("4.2"),
        1,
    )
    by_account = {row.account.id: (row.mdf, row.pipeline, row.roi) for row in roi.rows}
    assert by_account[named[0].id] == (Decimal("500.00"), Decimal("12500.00"), Decimal("25.0"))
    assert by_account[named[1].id] == (Decimal("500.00"), Decimal("0.00"), Decimal("0.0"))  # before launch
    assert by_account[named[2].id][1] == Decimal("0.00")  # lost

    # The scorecard counts the tranche as MDF paid for the plan as well.
    [row] = scorecard(tenant=tenant, plans=[plan], currency="USD", now=after)
    assert row.figures.mdf_paid == Decimal("3000.00")

    for viewer in (manager, partner_user):  # the partner of the plan sees it too
        page = login(viewer).get(f"/t/northwind/plans/{plan.id}/").content.decode()
        assert "MDF ROI per named account" in page
        assert "25\u00d7" in page  # 25 times and "in another currency than USD left out" in page


@pytest.mark.django_db
def test_a_plan_not_launched_has_no_roi(in_tenant, people, partner):
    from tests.factories import PlanFactory

    plan = PlanFactory(tenant=in_tenant, partner=partner)
    assert plan_account_roi(tenant=in_tenant, plan=plan) is None
    page = login(people["manager"]).get(f"/t/northwind/plans/{plan.id}/").content.decode()
    assert "MDF ROI per named account" not in page
