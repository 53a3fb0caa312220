"""Checkpoints that freeze (issue 11, point 1): a plan is launched, attendance, meetings, stage
changes and handoffs are fed through the services (MDF in test_scorecard.py), and the clock moves
to day 30, 60 and 90.
Each checkpoint freezes once with the right actuals (two sweeps at once freeze and notify once), and
a later correction shows as "live now" beside the frozen figure, which does not move."""

from decimal import Decimal

import pytest
import time_machine

from accounts import services as plans
from accounts.models import Checkpoint, Plan
from accounts.services.accounts import opportunity_create, opportunity_update
from leads.services.handoffs import handoff_accept, handoff_offer
from partnerhub.tenancy.models import AuditEvent, Notification
from partnerhub.tenancy.roles import Role
from reporting.selectors.checkpoints import plan_checkpoints
from tests.conftest import login, make_member
from tests.factories import TargetAccountFactory
from tests.reporting.journey import DAY, LAUNCH_DAY, at, attend, launched_plan, sweep_on, touch
from tests.threads import run_at_once


def measures(checkpoint: Checkpoint) -> dict:
    return {row["key"]: (row["target"], row["actual"], row["met"]) for row in checkpoint.snapshot["measures"]}


@pytest.fixture
def people(tenant):
    return {
        "manager": make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example"),
        "sales": make_member(tenant, Role.SALES, email="sales@northwind.example"),
    }


@pytest.mark.django_db
def test_a_launched_plan_freezes_each_checkpoint_once_with_its_actuals(
    in_tenant, people, partner, partner_user
):
    tenant, manager, sales = in_tenant, people["manager"], people["sales"]
    plan, named = launched_plan(tenant, manager, sales, partner)
    program = plan.program
    elsewhere = TargetAccountFactory(tenant=tenant, domain="elsewhere.example")

    # Days 1-29: the event (named0, named1 and named3 attend; an attendee from elsewhere), sales
    # follows up named0-named2 by meeting or email reply, and the follow-up is marked done on time.
    for account in (named[0], named[1], named[3], elsewhere):
        attend(tenant, manager, program, account, at(tenant, LAUNCH_DAY + 5 * DAY))
    touch(tenant, sales, named[0], "meeting", at(tenant, LAUNCH_DAY + 8 * DAY))
    touch(tenant, sales, named[1], "email_reply", at(tenant, LAUNCH_DAY + 9 * DAY))
    touch(tenant, sales, named[2], "meeting", at(tenant, LAUNCH_DAY + 29 * DAY, 23))  # the last evening
    touch(tenant, sales, elsewhere, "meeting", at(tenant, LAUNCH_DAY + 10 * DAY))  # not a named account
    with time_machine.travel(at(tenant, LAUNCH_DAY + 12 * DAY), tick=False):
        plans.follow_up_complete(tenant=tenant, actor=sales, plan_id=plan.id)
    # A handoff of a named account's lead, accepted by the partner.
    attend(tenant, manager, program, named[3], at(tenant, LAUNCH_DAY + 5 * DAY), who="cio")
    lead = touch(tenant, sales, named[3], "meeting", at(tenant, LAUNCH_DAY + 6 * DAY), who="cio", title="CIO")
    with time_machine.travel(at(tenant, LAUNCH_DAY + 6 * DAY, 11), tick=False):
        handoff = handoff_offer(tenant=tenant, actor=manager, lead_id=lead.id, partner_id=partner.id)
        handoff_accept(tenant=tenant, actor=partner_user, handoff_id=handoff.id)

    assert sweep_on(tenant, LAUNCH_DAY + 29 * DAY) == 0  # not yet due
    assert sweep_on(tenant, LAUNCH_DAY + 30 * DAY) == 1
    day30 = Checkpoint.objects.get(plan=plan, day=30)
    assert measures(day30) == {
        "program_delivered": (1, 1, True),
        "follow_up_on_time": (1, 1, True),
        "accounts_followed_up": (5, 4, False),
    }
    assert day30.snapshot["met"] is False
    assert day30.snapshot["period"] == {"from": "2026-06-01", "to": "2026-07-01"}

    # Days 30-59: two more meetings on named accounts (one on the due day itself counts for day 90's
    # period, not day 60's).
    touch(tenant, sales, named[4], "meeting", at(tenant, LAUNCH_DAY + 40 * DAY))
    touch(tenant, sales, named[5], "meeting", at(tenant, LAUNCH_DAY + 60 * DAY, 9))
    assert sweep_on(tenant, LAUNCH_DAY + 60 * DAY, 12) == 1
    day60 = Checkpoint.objects.get(plan=plan, day=60)
    assert measures(day60) == {"meetings": (3, 4, True)}  # named0, named2, named3, named4
    assert day60.snapshot["met"] is True

    # Days 60-89: opportunities on named accounts move; one on another account, one lost, one that
    # never moved since launch do not count.
    with time_machine.travel(at(tenant, LAUNCH_DAY - 30 * DAY), tick=False):
        standing = opportunity_create(
            tenant=tenant,
            actor=sales,
            account=named[1],
            name="Standing",
            stage="qualification",
            amount=Decimal("99999.00"),
            currency="USD",
        )
        losing = opportunity_create(
            tenant=tenant,
            actor=sales,
            account=named[2],
            name="Lost",
            stage="proposal",
            amount=Decimal("7000.00"),
            currency="USD",
        )
    with time_machine.travel(at(tenant, LAUNCH_DAY + 70 * DAY), tick=False):
        opportunity_create(
            tenant=tenant,
            actor=sales,
            account=named[0],
            name="New",
            stage="prospecting",
            amount=Decimal("20000.00"),
            currency="USD",
        )
        upsell = opportunity_create(
            tenant=tenant,
            actor=sales,
            account=named[3],
            name="Upsell",
            stage="prospecting",
            amount=Decimal("12000.00"),
            currency="USD",
        )
        opportunity_create(
            tenant=tenant,
            actor=sales,
            account=elsewhere,
            name="Elsewhere",
            stage="prospecting",
            amount=Decimal("80000.00"),
            currency="USD",
        )
        opportunity_update(tenant=tenant, actor=sales, opportunity_id=losing.id, stage="closed_lost")
    with time_machine.travel(at(tenant, LAUNCH_DAY + 80 * DAY), tick=False):
        opportunity_update(tenant=tenant, actor=sales, opportunity_id=upsell.id, stage="proposal")
    assert standing.stage == "qualification"

    assert sweep_on(tenant, LAUNCH_DAY + 91 * DAY) == 1  # a day late: the period is the same
    day90 = Checkpoint.objects.get(plan=plan, day=90)
    assert measures(day90) == {
        "opportunities_progressed": (2, 2, True),
        "pipeline": ("50000.00", "32000.00", False),
    }
    pipeline = day90.snapshot["measures"][1]
    assert pipeline["gap"] == "18000.00" and pipeline["currency"] == "USD"
    assert sweep_on(tenant, LAUNCH_DAY + 92 * DAY) == 0

    # The owners heard each result, once, with the figures.
    notices = Notification.objects.filter(title__contains="checkpoint").order_by("id")
    assert sorted((n.user.email, n.title) for n in notices) == sorted(
        (email, f"Day {day} checkpoint {word}: Healthcare Q2")
        for day, word in ((30, "missed"), (60, "met"), (90, "missed"))
        for email in ("pm@northwind.example", "sales@northwind.example")
    )
    day90_notice = notices.filter(title__startswith="Day 90").first()
    assert (
        "Pipeline of those opportunities: 32000.00 USD of 50000.00 USD, 18000.00 USD short"
        in day90_notice.body
    )
    assert AuditEvent.objects.filter(action="checkpoint.frozen").count() == 3

    # A meeting logged late, in day 30's period: day 30 stays frozen; live now shows the change.
    touch(tenant, sales, named[5], "email_reply", at(tenant, LAUNCH_DAY + 20 * DAY), who="late")
    assert sweep_on(tenant, LAUNCH_DAY + 100 * DAY) == 0
    frozen_before = Checkpoint.objects.get(id=day30.id)
    assert frozen_before.snapshot == day30.snapshot and frozen_before.frozen_at == day30.frozen_at
    views = {view.checkpoint.day: view for view in plan_checkpoints(tenant=tenant, plan=plan)}
    followed = next(row for row in views[30].rows if row["key"] == "accounts_followed_up")
    assert (followed["frozen_actual"], followed["actual"], followed["changed"]) == (4, 5, True)
    assert views[30].frozen_met is False and views[30].live_met is True
    meetings = views[60].rows[0]
    assert (meetings["frozen_actual"], meetings["actual"], meetings["changed"]) == (4, 4, False)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_freeze_and_notify_once(tenant, people, partner, partner_user):
    from partnerhub.tenancy.context import tenant_context

    with tenant_context(tenant):
        plan, _ = launched_plan(tenant, people["manager"], people["sales"], partner)
    frozen = run_at_once(lambda: sweep_on(tenant, LAUNCH_DAY + 95 * DAY), times=2)
    assert sum(frozen) == 3  # day 30, 60 and 90, between the two
    with tenant_context(tenant):
        assert Checkpoint.objects.filter(plan=plan, frozen_at__isnull=False).count() == 3
        assert AuditEvent.objects.filter(action="checkpoint.frozen").count() == 3
        assert Notification.objects.filter(title__contains="checkpoint").count() == 6


@pytest.mark.django_db
def test_a_checkpoint_with_no_target_is_recorded_not_judged(in_tenant, people, partner):
    tenant = in_tenant
    plan, _ = launched_plan(tenant, people["manager"], people["sales"], partner)
    Plan.objects.filter(id=plan.id).update(target_day60_meetings=None)
    sweep_on(tenant, LAUNCH_DAY + 61 * DAY)
    day60 = Checkpoint.objects.get(plan=plan, day=60)
    assert day60.snapshot["met"] is None
    assert measures(day60) == {"meetings": (None, 0, None)}
    assert Notification.objects.filter(title="Day 60 checkpoint recorded: Healthcare Q2").count() == 2


@pytest.mark.django_db
def test_the_plan_page_shows_the_frozen_result_beside_live_now(in_tenant, people, partner, partner_user):
    tenant, sales = in_tenant, people["sales"]
    plan, named = launched_plan(tenant, people["manager"], sales, partner)
    touch(tenant, sales, named[0], "meeting", at(tenant, LAUNCH_DAY + 3 * DAY))
    sweep_on(tenant, LAUNCH_DAY + 30 * DAY)
    touch(tenant, sales, named[1], "meeting", at(tenant, LAUNCH_DAY + 4 * DAY), who="late")  # logged late

    url = f"/t/{tenant.slug}/plans/{plan.id}/"
    for user in (people["manager"], partner_user):  # the partner sees its own plan's results
        page = login(user).get(url).content.decode()
        card = page[page.index('id="plan-checkpoints"') :]
        day30 = card[card.index('data-day="30"') : card.index('data-day="60"')]
        assert "Missed" in day30 and "Frozen" in day30 and "Live now" in day30
        followed = day30[day30.index("Named accounts followed up by sales") :].split("</tr>")[0]
        cells = [cell.split("<")[0].strip() for cell in followed.split('<td class="num">')[1:]]
        assert cells == ["5", "1", "2"]  # target, frozen, live now
        assert "changed since" in followed
        assert 'data-day="60"' in card and "Open" in card
