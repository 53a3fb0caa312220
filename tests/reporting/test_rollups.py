"""The dashboards' rollups: what they count per month and ISO week, per partner and in all; a
refresh rewrites only the periods whose rows changed; "Refresh now" survives a broker outage."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Opportunity
from leads.models import Lead
from partnerhub.tenancy.roles import Role
from reporting.models import Rollup, RollupState
from reporting.selectors.rollups import rollup_series, rollups_freshness
from reporting.services.fx import fx_rate_set
from reporting.services.rollups import rollups_refresh, rollups_refresh_all
from tests.conftest import login, make_member
from tests.factories import (
    HandoffEscalationFactory,
    HandoffFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerFactory,
    ProgramFactory,
)
from tests.reporting.journey import at, influenced_by, sourced_by

pytestmark = pytest.mark.django_db

JAN, FEB = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)


def figure(tenant, metric, starts_on, partner=None, period="month"):
    row = Rollup.unscoped.filter(
        tenant=tenant, period=period, starts_on=starts_on, metric=metric, partner=partner, program=None
    ).first()
    return (row.value, row.count) if row else None


@pytest.fixture
def history(tenant, partner, other_partner):
    """January: a program of Contoso with three leads (one SQL), one handed to Fabrikam and
    breached; two opportunities. February: one more lead."""
    program = ProgramFactory(
        tenant=tenant, partner=partner, launched_at=at(tenant, JAN + datetime.timedelta(days=4))
    )
    leads = [
        LeadFactory(
            tenant=tenant,
            program=program,
            created_at=at(tenant, JAN + datetime.timedelta(days=9)),
            stage=stage,
        )
        for stage in ("new", "mql", "sql")
    ]
    loose = LeadFactory(tenant=tenant, created_at=at(tenant, JAN + datetime.timedelta(days=11)))
    handoff = HandoffFactory(
        tenant=tenant,
        lead=loose,
        partner=other_partner,
        offered_at=at(tenant, JAN + datetime.timedelta(days=12)),
    )
    HandoffEscalationFactory(
        tenant=tenant, handoff=handoff, step="breached", at=at(tenant, JAN + datetime.timedelta(days=13))
    )
    sourced = OpportunityFactory(
        tenant=tenant,
        amount=Decimal("1000.00"),
        currency=tenant.default_currency,
        created_at=at(tenant, JAN + datetime.timedelta(days=20)),
    )
    influenced = OpportunityFactory(
        tenant=tenant,
        amount=Decimal("500.00"),
        currency=tenant.default_currency,
        created_at=at(tenant, JAN + datetime.timedelta(days=21)),
    )
    sourced_by(tenant, sourced, partner)
    influenced_by(tenant, influenced, partner)
    influenced_by(tenant, influenced, other_partner)
    late = LeadFactory(
        tenant=tenant, program=program, created_at=at(tenant, FEB + datetime.timedelta(days=2))
    )
    return {"program": program, "leads": leads, "late": late, "sourced": sourced}


def test_refresh_counts_each_month_per_partner_and_in_all(tenant, partner, other_partner, history):
    result = rollups_refresh(tenant)

    assert result.months == 2
    assert figure(tenant, "leads", JAN) == (Decimal("0.00"), 4)
    assert figure(tenant, "leads", JAN, partner) == (Decimal("0.00"), 3)  # through its program
    assert figure(tenant, "leads", JAN, other_partner) == (Decimal("0.00"), 1)  # through its handoff
    assert figure(tenant, "leads_mql", JAN, partner)[1] == 2  # MQL and beyond
    assert figure(tenant, "leads_sql", JAN, partner)[1] == 1
    assert figure(tenant, "leads", FEB) == (Decimal("0.00"), 1)
    assert figure(tenant, "sla_breaches", JAN, other_partner)[1] == 1
    assert figure(tenant, "programs_launched", JAN, partner)[1] == 1
    assert figure(tenant, "pipeline_sourced", JAN) == (Decimal("1000.00"), 1)
    # An opportunity two partners influenced counts once in all, and for each of them.
    assert figure(tenant, "pipeline_influenced", JAN) == (Decimal("500.00"), 1)
    assert figure(tenant, "pipeline_influenced", JAN, other_partner) == (Decimal("500.00"), 1)
    assert figure(tenant, "partners_active", JAN)[1] == 2
    # ISO weeks too: 5 January 2026 is a Monday.
    assert figure(tenant, "programs_launched", datetime.date(2026, 1, 5), period="week")[1] == 1


def test_an_incremental_refresh_rewrites_only_the_periods_touched(tenant, partner, history, in_tenant):
    later = timezone.now() + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        rollups_refresh(tenant)
    january_row = Rollup.objects.get(period="month", starts_on=JAN, metric="leads", partner=None)
    february_row = Rollup.objects.get(period="month", starts_on=FEB, metric="leads", partner=None)

    with time_machine.travel(later + datetime.timedelta(hours=1), tick=False):
        Lead.objects.filter(id=history["late"].id).update(stage="sql", updated_at=timezone.now())
        result = rollups_refresh(tenant)

    assert (result.months, result.weeks) == (1, 1)  # February and its week only
    assert figure(tenant, "leads_sql", FEB, partner)[1] == 1
    assert Rollup.objects.filter(id=january_row.id).exists()  # January left alone
    assert not Rollup.objects.filter(id=february_row.id).exists()  # February rewritten
    with time_machine.travel(later + datetime.timedelta(hours=2), tick=False):
        rollups_refresh(tenant)  # its overlap (a few minutes) looks at that lead once more
    with time_machine.travel(later + datetime.timedelta(hours=3), tick=False):
        again = rollups_refresh(tenant)
    assert (again.months, again.weeks, again.rows) == (0, 0, 0)


def test_a_new_attribution_input_or_fx_rate_reaches_the_months_it_moves(
    tenant, partner, other_partner, history, in_tenant
):
    later = timezone.now() + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        rollups_refresh(tenant)
    assert figure(tenant, "pipeline_influenced", JAN, other_partner) == (Decimal("500.00"), 1)
    euro = OpportunityFactory(
        tenant=tenant,
        amount=Decimal("100.00"),
        currency="EUR",
        created_at=at(tenant, JAN + datetime.timedelta(days=25)),
    )
    with time_machine.travel(later + datetime.timedelta(hours=1), tick=False):
        sourced_by(tenant, euro, other_partner)  # an approved registration, the opportunity untouched
        rollups_refresh(tenant)
    assert figure(tenant, "pipeline_sourced", JAN, other_partner) == (Decimal("0.00"), 1)  # no rate yet
    with time_machine.travel(later + datetime.timedelta(hours=2), tick=False):
        fx_rate_set(tenant=tenant, actor=None, currency="EUR", rate_date=JAN, rate="1.1")
        result = rollups_refresh(tenant)
    assert result.months == 1
    assert figure(tenant, "pipeline_sourced", JAN, other_partner) == (Decimal("110.00"), 1)


def test_series_and_freshness_read_from_the_rollups(tenant, partner, history, in_tenant):
    assert rollups_freshness(tenant).refreshed_at is None

    with time_machine.travel(at(tenant, datetime.date(2026, 3, 1), hour=9), tick=False):
        rollups_refresh(tenant)
    with time_machine.travel(
        at(tenant, datetime.date(2026, 3, 1), hour=9) + datetime.timedelta(minutes=7), tick=False
    ):
        freshness = rollups_freshness(tenant)
    series = rollup_series(
        tenant=tenant, metrics=["leads", "pipeline_sourced"], period="month", starts=[JAN, FEB]
    )

    assert freshness.minutes_ago == 7
    assert series["leads"][JAN].count == 4 and series["leads"][FEB].count == 1
    assert series["pipeline_sourced"][FEB].value == 0  # a period with nothing reads as zero
    mine = rollup_series(tenant=tenant, metrics=["leads"], period="month", starts=[JAN], partner=partner)
    assert mine["leads"][JAN].count == 3


def test_refresh_now_survives_a_broker_outage(tenant, admin_user, broker_down):
    client = login(admin_user)

    response = client.post(reverse("reporting:rollups_refresh", args=[tenant.slug]), {"next": "executive"})

    assert response.status_code == 302
    state = RollupState.unscoped.get(tenant=tenant)
    assert state.requested_at is not None  # kept for the scheduled run
    rollups_refresh_all()
    state.refresh_from_db()
    assert state.requested_at is None and state.refreshed_at is not None


def test_partner_users_cannot_ask_for_a_refresh(tenant, partner):
    user = make_member(tenant, Role.PARTNER_USER, partner=partner)

    response = login(user).post(reverse("reporting:rollups_refresh", args=[tenant.slug]))

    assert response.status_code in (403, 404)
    assert not RollupState.unscoped.filter(tenant=tenant, requested_at__isnull=False).exists()


def test_one_tenant_rollups_never_hold_another_tenants_rows(tenant, other_tenant, history):
    PartnerFactory(tenant=other_tenant)
    LeadFactory(tenant=other_tenant, created_at=at(other_tenant, JAN))

    rollups_refresh_all()

    assert figure(tenant, "leads", JAN)[1] == 4
    assert figure(other_tenant, "leads", JAN)[1] == 1


def test_refresh_now_sends_one_task_to_a_worker_once_committed(
    tenant, admin_user, broker_queue, django_capture_on_commit_callbacks
):
    client = login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:rollups_refresh", args=[tenant.slug]), {"next": "operational"}
        )

    assert response.url == reverse("reporting:operational", args=[tenant.slug])
    assert broker_queue() == 1  # reporting.refresh_tenant_rollups, for this tenant
    assert RollupState.unscoped.get(tenant=tenant).requested_at is not None


def test_the_nightly_full_refresh_drops_a_deleted_row(tenant, partner, history, in_tenant):
    later = timezone.now() + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        rollups_refresh(tenant)
    assert figure(tenant, "pipeline_sourced", JAN, partner) == (Decimal("1000.00"), 1)
    with time_machine.travel(later + datetime.timedelta(hours=1), tick=False):
        Opportunity.objects.filter(id=history["sourced"].id).delete()
        rollups_refresh_all()  # a deleted row leaves no trace an incremental refresh could follow
        assert figure(tenant, "pipeline_sourced", JAN, partner) == (Decimal("1000.00"), 1)
        rollups_refresh_all(full=True)
    assert figure(tenant, "pipeline_sourced", JAN, partner) is None
