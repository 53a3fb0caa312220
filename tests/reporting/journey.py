"""A launched plan and what happens on its named accounts, through the services: shared by the
reporting tests."""

import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from accounts import services as plans
from accounts.models import Plan
from leads.services.attendance import attendance_record
from leads.services.leads import lead_intake
from plays.services import catalog_install
from reporting.services.checkpoints import checkpoints_freeze_due
from tests.factories import TargetAccountFactory


def at(tenant, day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)), tenant.zone)


LAUNCH_DAY = datetime.date(2026, 6, 1)
DAY = datetime.timedelta(days=1)


HEALTHCARE_TARGETS = {
    "day30_followups": 5,
    "day60_meetings": 3,
    "day90_opportunities": 2,
    "day90_pipeline": Decimal("50000.00"),
}


def launched_plan(
    tenant,
    manager,
    sales,
    partner,
    *,
    name="Healthcare Q2",
    market="healthcare",
    play="vertical_wedge",
    launch_day=LAUNCH_DAY,
    accounts=None,
    targets=HEALTHCARE_TARGETS,
):
    """A plan launched on `launch_day` through the plan services. By default on six named accounts
    (named0-named5) with targets: 5 accounts followed up, 3 meetings, 2 opportunities and 50,000 USD
    of pipeline."""
    chosen = {each.kind: each for each in catalog_install(tenant=tenant)}[play]
    named = accounts or [TargetAccountFactory(tenant=tenant, domain=f"named{i}.example") for i in range(6)]
    with time_machine.travel(at(tenant, launch_day - 7 * DAY), tick=False):
        quarter = (launch_day.month - 1) // 3 + 1
        plan = plans.plan_create(
            tenant=tenant, actor=manager, year=launch_day.year, quarter=quarter, name=name
        )
        plans.plan_set_market(
            tenant=tenant, actor=manager, plan_id=plan.id, market_kind="vertical", market_value=market
        )
        plans.plan_set_accounts(
            tenant=tenant, actor=manager, plan_id=plan.id, account_ids=[a.id for a in named]
        )
        plans.plan_set_partner(tenant=tenant, actor=manager, plan_id=plan.id, partner_id=partner.id)
        plans.plan_set_play(tenant=tenant, actor=manager, plan_id=plan.id, play_id=chosen.id)
        plans.plan_set_follow_up(
            tenant=tenant,
            actor=manager,
            plan_id=plan.id,
            sales_owner=sales,
            due_on=launch_day + 14 * DAY,
            talk_track="Offer the architecture review.",
        )
        plans.plan_set_targets(tenant=tenant, actor=manager, plan_id=plan.id, **targets)
    Plan.objects.filter(id=plan.id).update(owner_partner_marketing=manager)
    with time_machine.travel(at(tenant, launch_day), tick=False):
        plan = plans.plan_launch(tenant=tenant, actor=manager, plan_id=plan.id)
    return plan, named


def attend(tenant, actor, program, account, when, who="guest", status="attended", **fields):
    """Someone of `account` on the program's attendee list."""
    data = {"email": f"{who}@{account.domain}", "status": status, "occurred_at": when, **fields}
    attendance_record(tenant=tenant, actor=actor, program_id=program.id, data=data)


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


def sourced_by(tenant, opportunity, partner):
    """Make `partner` the opportunity's source by the first rule: an approved deal registration."""
    from leads.models import DealRegistration
    from tests.factories import DealRegistrationFactory

    return DealRegistrationFactory(
        tenant=tenant,
        partner=partner,
        state=DealRegistration.State.APPROVED,
        opportunity=opportunity,
        decided_at=opportunity.created_at,
        protection_ends_at=opportunity.created_at + datetime.timedelta(days=90),
    )


def influenced_by(tenant, opportunity, partner):
    """Make `partner` an influencer of the opportunity: it maps the opportunity's account."""
    from tests.factories import AccountMappingFactory

    return AccountMappingFactory(
        tenant=tenant, partner=partner, account=opportunity.account, created_at=opportunity.created_at
    )
