"""The executive and operational dashboards: what a vendor's staff reads on them, from the rollups;
their filters and CSV; partners never see them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerhub.tenancy.roles import Role
from reporting.services.rollups import rollups_refresh
from tests.conftest import login, make_member
from tests.factories import (
    CheckpointFactory,
    HandoffFactory,
    LeadFactory,
    OpportunityFactory,
    ProgramFactory,
)
from tests.reporting.journey import sourced_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(tenant, partner, other_partner):
    """This month: a program of Contoso with two leads (one SQL) and 2,000 of sourced pipeline;
    a lead handed to Fabrikam."""
    now = timezone.now()
    program = ProgramFactory(tenant=tenant, partner=partner, launched_at=now)
    CheckpointFactory(tenant=tenant, plan=program.plan, day=30, due_on=now.date())
    LeadFactory(tenant=tenant, program=program, created_at=now)
    LeadFactory(tenant=tenant, program=program, created_at=now, stage="sql")
    HandoffFactory(tenant=tenant, partner=other_partner, offered_at=now)
    opportunity = OpportunityFactory(
        tenant=tenant, amount=Decimal("2000.00"), currency=tenant.default_currency
    )
    sourced_by(tenant, opportunity, partner)
    rollups_refresh(tenant)
    return program


def page(user, name, tenant, **query):
    return login(user).get(reverse(f"reporting:{name}", args=[tenant.slug]), query)


def test_the_executive_dashboard_charts_pipeline_mdf_and_activation(tenant, admin_user, activity):
    response = page(admin_user, "executive", tenant)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in html and 'aria-label="Partner pipeline by month"' in html
    assert "Figures as of" in html and "min ago" in html
    assert "$2,000.00" in html  # the sourced total and this month's row
    assert "Set a margin to see this" in html
    assert "Refresh now" in html


def test_the_executive_csv_has_one_row_per_month(tenant, admin_user, activity):
    response = page(admin_user, "executive", tenant, range=24, export="csv")

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 24
    assert rows[-1]["Sourced pipeline"] == "2000.00"
    assert rows[-1]["Programs launched"] == "1"


def test_the_partner_filter_narrows_the_figures(tenant, admin_user, other_partner, activity):
    response = page(admin_user, "executive", tenant, partner=other_partner.id, export="csv")

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[-1]["Sourced pipeline"] == "0.00"
    assert rows[-1]["Partners active"] == "1"  # handed a lead this month


def test_the_operational_dashboard_shows_the_flow_and_checkpoints(tenant, admin_user, partner, activity):
    response = page(admin_user, "operational", tenant)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Lead flow"' in html
    assert 'aria-label="Checkpoints of programs in flight"' in html
    assert "Leads: 3" in html  # the funnel's tooltip: every lead this week
    assert partner.name in html  # its row in the flow by partner


def test_partners_cannot_open_the_dashboards(tenant, partner):
    user = make_member(tenant, Role.PARTNER_USER, partner=partner)

    for name in ("executive", "operational"):
        assert page(user, name, tenant).status_code == 403


def test_before_the_first_refresh_the_dashboard_says_so(tenant, admin_user):
    html = page(admin_user, "executive", tenant).content.decode()

    assert "Figures not computed yet" in html
    assert "No data yet" in html


def test_the_weekly_dashboard_counts_this_iso_week(tenant, admin_user, activity):
    monday = tenant.local_date() - datetime.timedelta(days=tenant.local_date().weekday())

    response = page(admin_user, "operational", tenant, export="csv")

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[-1]["Week"] == monday.isoformat()
    assert rows[-1]["Leads"] == "3" and rows[-1]["SQL"] == "1"
