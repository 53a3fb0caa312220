"""A launched plan and what happens on its named accounts, through the services: shared by the
reporting tests."""

import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from accounts import services as plans
from accounts.models import Plan
from leads.services.leads import lead_intake
from plays.services import catalog_install
from reporting.services.checkpoints import checkpoints_freeze_due
from tests.factories import TargetAccountFactory


def at(tenant, day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)), tenant.zone)


LAUNCH_DAY = datetime.date(2026, 6, 1)
DAY = datetime.timedelta(days=1)


def launched_plan(tenant, manager, sales, partner):
    """A plan on six named accounts (three of them existing customers), launched on LAUNCH_DAY with
    targets: 5 accounts followed up, 3 meetings, 2 opportunities and 50,000 USD of pipeline."""
    play = {play.kind: play for play in catalog_install(tenant=tenant)}["vertical_wedge"]
    named = [
        TargetAccountFactory(tenant=tenant, domain=f"named{i}.example", stage=stage)
        for i, stage in enumerate(["net_new"] * 3 + ["existing_customer"] * 3)
    ]
    with time_machine.travel(at(tenant, LAUNCH_DAY - 7 * DAY), tick=False):
        plan = plans.plan_create(tenant=tenant, actor=manager, year=2026, quarter=2, name="Healthcare Q2")
        plans.plan_set_market(
            tenant=tenant, actor=manager, plan_id=plan.id, market_kind="vertical", market_value="healthcare"
        )
        plans.plan_set_accounts(
            tenant=tenant, actor=manager, plan_id=plan.id, account_ids=[a.id for a in named]
        )
        plans.plan_set_partner(tenant=tenant, actor=manager, plan_id=plan.id, partner_id=partner.id)
        plans.plan_set_play(tenant=tenant, actor=manager, plan_id=plan.id, play_id=play.id)
        plans.plan_set_follow_up(
            tenant=tenant,
            actor=manager,
            plan_id=plan.id,
            sales_owner=sales,
            due_on=LAUNCH_DAY + 14 * DAY,
            talk_track="Offer the architecture review.",
        )
        plans.plan_set_targets(
            tenant=tenant,
            actor=manager,
            plan_id=plan.id,
            day30_followups=5,
            day60_meetings=3,
            day90_opportunities=2,
            day90_pipeline=Decimal("50000.00"),
        )
    Plan.objects.filter(id=plan.id).update(owner_partner_marketing=manager)
    with time_machine.travel(at(tenant, LAUNCH_DAY), tick=False):
        plan = plans.plan_launch(tenant=tenant, actor=manager, plan_id=plan.id)
    return plan, named


def touch(tenant, actor, account, kind, when, who="buyer", **fields):
    return lead_intake(
        tenant=tenant,
        actor=actor,
        data={"email": f"{who}@{account.domain}", "touch_kind": kind, "occurred_at": when, **fields},
        source="api",
    ).lead


def sweep_on(tenant, day: datetime.date, hour: int = 6) -> int:
    with time_machine.travel(at(tenant, day, hour), tick=False):
        return checkpoints_freeze_due()
