"""Demo data of reporting: a plan launched 100 days ago (Fabrikam's roundtable for DACH
manufacturers) with what happened on its named accounts since, so its day 30, 60 and 90 checkpoints
are frozen when the demo starts, one met and two missed. Idempotent: nothing is created twice.

The plan goes through the plan services; only its dates are moved back (a demo cannot wait 100
days), then the checkpoint sweep freezes it as it would have."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts import services
from accounts.models import (
    Checkpoint,
    FollowUpCommitment,
    OpportunityStageChange,
    Plan,
    Program,
    TargetAccount,
)
from leads.services.attendance import attendance_record
from leads.services.meetings import meeting_log
from partnerhub.tenancy.models import Partner, Tenant, User
from plays.models import Play
from reporting.models import FxRate
from reporting.services.checkpoints import checkpoints_freeze_due
from reporting.services.fx import fx_rate_set
from reporting.services.rollups import rollups_refresh

PLAN_NAME = "DACH manufacturers' roundtable"
LAUNCHED_DAYS_AGO = 100


# Month-start rates into the demo's reporting currency (USD) for the last two years.
DEMO_FX = {"EUR": Decimal("1.0800"), "GBP": Decimal("1.2700"), "CHF": Decimal("1.1200")}


def seed_reporting(tenant: Tenant) -> None:
    _seed_fx_rates(tenant)
    if Plan.objects.filter(tenant=tenant, name=PLAN_NAME).exists():
        return
    manager = User.objects.get(email="pm@northwind.example")
    sales = User.objects.get(email="sales@northwind.example")
    partner = Partner.objects.get(tenant=tenant, name="Fabrikam Systems")
    named = list(TargetAccount.objects.filter(tenant=tenant, industry="manufacturing").order_by("name"))
    launched_at = timezone.now() - datetime.timedelta(days=LAUNCHED_DAYS_AGO)
    plan = _launch(tenant, manager, sales, partner, named, launched_at)
    program = Program.objects.get(tenant=tenant, plan=plan)

    def day(number: int, hour: int = 10) -> datetime.datetime:
        return launched_at + datetime.timedelta(days=number, hours=hour - launched_at.hour)

    # The roundtable on day 12: four of the named accounts in the room.
    for account in named[:4]:
        attendance_record(
            tenant=tenant,
            actor=manager,
            program_id=program.id,
            data={"email": f"ops@{account.domain}", "status": "attended", "occurred_at": day(12)},
        )
    # Sales follows up: meetings with three of them, the last one after day 60.
    for account, on in zip(named[:3], (18, 26, 64), strict=False):
        meeting_log(
            tenant=tenant,
            actor=sales,
            target_account_id=account.id,
            email=f"cto@{account.domain}",
            title="CTO",
            occurred_at=day(on),
            note="Walked through the plant-floor analytics pilot.",
        )
    # Done through the service (its audit record), then dated back to day 9.
    services.follow_up_complete(tenant=tenant, actor=sales, plan_id=plan.id)
    FollowUpCommitment.objects.filter(tenant=tenant, plan=plan).update(done_at=day(9))
    # One new opportunity in the room, opened on day 70.
    opportunity = services.opportunity_create(
        tenant=tenant,
        actor=sales,
        account=named[0],
        name=f"{named[0].name}: plant-floor analytics",
        stage="qualification",
        amount=Decimal("120000.00"),
        external_id=f"OPP-DEMO-{plan.id}",
    )
    OpportunityStageChange.objects.filter(tenant=tenant, opportunity=opportunity).update(changed_at=day(70))
    checkpoints_freeze_due()
    # The dashboards read rollups: computed once now (everything the demo seeded), then by beat.
    rollups_refresh(tenant, full=True)


def _seed_fx_rates(tenant: Tenant) -> None:
    """Revops' monthly rates, through the service (audited), once."""
    if FxRate.objects.filter(tenant=tenant).exists():
        return
    first = timezone.localdate().replace(day=1)
    for months_back in range(24, -1, -1):
        index = first.year * 12 + first.month - 1 - months_back
        month = datetime.date(index // 12, index % 12 + 1, 1)
        drift = Decimal(months_back % 5) / 100  # a little movement from month to month
        for currency, rate in DEMO_FX.items():
            fx_rate_set(tenant=tenant, actor=None, currency=currency, rate_date=month, rate=rate + drift)


def _launch(tenant, manager, sales, partner, named, launched_at) -> Plan:
    today = timezone.localdate()
    plan = services.plan_create(
        tenant=tenant, actor=manager, year=today.year, quarter=(today.month - 1) // 3 + 1, name=PLAN_NAME
    )
    services.plan_set_market(
        tenant=tenant, actor=manager, plan_id=plan.id, market_kind="vertical", market_value="manufacturing"
    )
    services.plan_set_accounts(
        tenant=tenant, actor=manager, plan_id=plan.id, account_ids=[a.id for a in named]
    )
    services.plan_set_partner(tenant=tenant, actor=manager, plan_id=plan.id, partner_id=partner.id)
    services.plan_set_play(
        tenant=tenant,
        actor=manager,
        plan_id=plan.id,
        play_id=Play.objects.get(tenant=tenant, kind="roundtable").id,
    )
    services.plan_set_follow_up(
        tenant=tenant,
        actor=manager,
        plan_id=plan.id,
        sales_owner=sales,
        due_on=timezone.localdate() + datetime.timedelta(days=1),
        talk_track="Offer each attendee a half-day pilot scoping.",
    )
    services.plan_set_targets(
        tenant=tenant,
        actor=manager,
        plan_id=plan.id,
        day30_followups=2,
        day60_meetings=3,
        day90_opportunities=2,
        day90_pipeline=Decimal("150000.00"),
    )
    services.plan_update_kickoff(
        tenant=tenant, actor=manager, plan_id=plan.id, owner_partner_marketing=manager, owner_sales=sales
    )
    plan = services.plan_launch(tenant=tenant, actor=manager, plan_id=plan.id)
    # Back to launch day: the plan (and its quarter), its program, its checkpoint dates and the
    # follow-up's date.
    launch_day = timezone.localtime(launched_at, tenant.zone).date()
    Plan.objects.filter(tenant=tenant, id=plan.id).update(
        launched_at=launched_at, year=launch_day.year, quarter=(launch_day.month - 1) // 3 + 1
    )
    Program.objects.filter(tenant=tenant, plan=plan).update(launched_at=launched_at)
    for checkpoint in Checkpoint.objects.filter(tenant=tenant, plan=plan):
        checkpoint.due_on = launch_day + datetime.timedelta(days=checkpoint.day)
        checkpoint.save(update_fields=["due_on"])
    FollowUpCommitment.objects.filter(tenant=tenant, plan=plan).update(
        due_on=launch_day + datetime.timedelta(days=14)
    )
    return Plan.objects.get(id=plan.id)
