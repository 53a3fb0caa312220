"""The method's own views (issue 11): a play's programs by segment with their checkpoint outcomes and
pipeline per program, the year's quarters (first touch → opportunity opened), and the scalability
metrics from real fields; charts with the numbers as tables and CSV; staff only."""

from decimal import Decimal

import pytest

from accounts.models import Plan
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import Role
from reporting.selectors.method import play_segment_matrix, scalability, year_in_quarters
from tests.conftest import login, make_member
from tests.factories import OpportunityFactory
from tests.reporting.journey import DAY, LAUNCH_DAY, at, launched_plan, sweep_on, touch


@pytest.fixture
def people(tenant):
    return {
        "manager": make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example"),
        "sales": make_member(tenant, Role.SALES, email="sales@northwind.example"),
    }


@pytest.mark.django_db
def test_the_method_views_count_a_launched_program(in_tenant, people, partner, partner_user):
    tenant, sales = in_tenant, people["sales"]
    Partner.objects.filter(id=partner.id).update(created_at=at(tenant, LAUNCH_DAY - 10 * DAY))
    plan, named = launched_plan(tenant, people["manager"], sales, partner)
    for i in range(3):  # day 60 met: three meetings on named accounts
        touch(tenant, sales, named[i], "meeting", at(tenant, LAUNCH_DAY + (10 + i) * DAY))
    OpportunityFactory(
        tenant=tenant,
        account=named[0],
        amount=Decimal("10000.00"),
        created_at=at(tenant, LAUNCH_DAY + 70 * DAY),
    )
    sweep_on(tenant, LAUNCH_DAY + 95 * DAY)  # day 30, 60 and 90 frozen
    play = Plan.objects.select_related("play").get(id=plan.id).play.name

    matrix = play_segment_matrix(tenant=tenant, year=2026, currency="USD")
    cell = matrix.cells[(play, plan.market_label)]
    assert (cell["programs"], cell["met"], cell["missed"], cell["pipeline_per_program"]) == (
        1,
        1,
        2,
        Decimal("10000.00"),
    )

    quarters = year_in_quarters(tenant=tenant, year=2026, currency="USD")
    assert quarters.leads == [0, 3, 0, 0]  # first touched in June
    assert quarters.carry == {("Q2", "Q3"): 1}  # touched in Q2, opened in August
    assert quarters.pipeline[1] == Decimal("10000.00")

    metrics = {m.label: m for m in scalability(tenant=tenant, year=2026, currency="USD")}
    launch = metrics["Time to launch (partner added → first program live)"]
    assert launch.value == Decimal("10.0") and launch.met is True
    assert metrics["Reuse rate"].value == Decimal("1.000")
    assert metrics["Cross-partner comparability"].value == Decimal("1.000")
    assert metrics["Cost per partner program"].value == Decimal("0.00")

    staff = login(people["manager"])
    page = staff.get("/t/northwind/reporting/method/?year=2026").content.decode()
    assert "Play by segment" in page and "<svg" in page and play in page
    assert "1 of 3" in page and "Return on partner investment" in page
    csv = b"".join(
        staff.get("/t/northwind/reporting/method/?year=2026&export=csv").streaming_content
    ).decode()
    assert play in csv and "10000.00" in csv
    assert login(partner_user).get("/t/northwind/reporting/method/").status_code == 403
    assert (
        "No program was launched in 2025"
        in staff.get("/t/northwind/reporting/method/?year=2025").content.decode()
    )
