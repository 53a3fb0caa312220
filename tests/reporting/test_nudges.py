"""Plan-keyed nudges (issue 11): "2 of your 6 named accounts have had no touch in 14 days". The
daily sweep tells a launched plan's owner and follow-up owner once per set of untouched accounts,
naming them: not again the next day for the same set, again when the set changes, never when every
account was touched, never for a plan younger than the window; two sweeps at once tell once."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings

from partnerhub.tenancy.models import Notification
from partnerhub.tenancy.roles import Role
from reporting.models import PlanNudge
from reporting.services.nudges import plans_nudged_untouched
from tests.conftest import make_member
from tests.reporting.journey import DAY, LAUNCH_DAY, at, launched_plan, touch
from tests.threads import run_at_once

OWNERS = ("pm@northwind.example", "sales@northwind.example")


@pytest.fixture
def people(tenant):
    return {
        "manager": make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example"),
        "sales": make_member(tenant, Role.SALES, email="sales@northwind.example"),
    }


def sweep(tenant, day: int) -> int:
    with time_machine.travel(at(tenant, LAUNCH_DAY + day * DAY, 7), tick=False):
        return plans_nudged_untouched()


def nudges() -> list[tuple[str, str]]:
    return sorted(
        (n.user.email, n.title) for n in Notification.objects.filter(title__contains="had no touch")
    )


@pytest.mark.django_db
def test_owners_are_nudged_once_per_set_of_untouched_accounts(in_tenant, people, partner):
    tenant, sales = in_tenant, people["sales"]
    plan, named = launched_plan(tenant, people["manager"], sales, partner)
    for account in named[:4]:
        touch(tenant, sales, account, "meeting", at(tenant, LAUNCH_DAY + 12 * DAY))

    assert sweep(tenant, 10) == 0  # the plan is younger than the 14 days
    assert sweep(tenant, 20) == 1
    title = "2 of your 6 named accounts have had no touch in 14 days: Healthcare Q2"
    assert nudges() == [(email, title) for email in OWNERS]
    body = Notification.objects.filter(title=title).first().body
    assert named[4].name in body and named[5].name in body and named[0].name not in body

    assert sweep(tenant, 21) == 0  # the same two accounts: nobody is told again
    assert len(nudges()) == 2

    touch(tenant, sales, named[4], "email_reply", at(tenant, LAUNCH_DAY + 21 * DAY, 12))
    assert sweep(tenant, 22) == 1  # the set changed: only named5 is left
    assert [row for row in nudges() if row[1].startswith("1 of")] == [
        (email, "1 of your 6 named accounts has had no touch in 14 days: Healthcare Q2") for email in OWNERS
    ]
    assert len(nudges()) == 4

    touch(tenant, sales, named[5], "meeting", at(tenant, LAUNCH_DAY + 22 * DAY, 12))
    assert sweep(tenant, 23) == 0  # every account touched: nothing to say
    assert len(nudges()) == 4
    assert PlanNudge.objects.get(plan=plan).account_ids == []

    # Two weeks on, the first four have gone quiet again: a new set, a new nudge.
    assert sweep(tenant, 27) == 1
    assert [email for email, title in nudges() if title.startswith("4 of your 6 named accounts")] == list(
        OWNERS
    )


@pytest.mark.django_db
@override_settings(PARTNERHUB_NUDGE_UNTOUCHED_DAYS=30)
def test_the_window_is_a_setting(in_tenant, people, partner):
    tenant = in_tenant
    launched_plan(tenant, people["manager"], people["sales"], partner)
    assert sweep(tenant, 20) == 0  # younger than 30 days
    assert sweep(tenant, 31) == 1
    assert nudges()[0][1] == "6 of your 6 named accounts have had no touch in 30 days: Healthcare Q2"


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_nudge_once(tenant, people, partner):
    from partnerhub.tenancy.context import tenant_context

    with tenant_context(tenant):
        launched_plan(tenant, people["manager"], people["sales"], partner)
    told = run_at_once(lambda: sweep(tenant, 20), times=2)
    assert sorted(told) == [0, 1]
    with tenant_context(tenant):
        assert len(nudges()) == 2  # one per owner


def test_the_nudge_sweep_is_a_daily_beat_task():
    from partnerhub.celery import app
    from reporting.tasks import nudge_untouched_accounts_task

    schedule = settings.CELERY_BEAT_SCHEDULE["nudge-untouched-accounts"]
    assert schedule["task"] == nudge_untouched_accounts_task.name == "reporting.nudge_untouched_accounts"
    assert schedule["schedule"] == datetime.timedelta(days=1)
    assert "reporting.nudge_untouched_accounts" in app.tasks
