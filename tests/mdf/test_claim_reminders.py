"""The claim-deadline notice: 7 days before an approved request's claim window closes, its partner's
users are told once; a claimed request, one told already, or one whose deadline is further away is
left alone; two runs at once tell nobody twice."""

import datetime
from decimal import Decimal

import pytest

from mdf.models import ClaimReminder, ClaimState, RequestState
from mdf.services.claim_reminders import claim_reminders_send
from partnerhub.celery import app
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Notification
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import ClaimFactory, FundFactory, FundRequestFactory, PartnerFactory
from tests.threads import run_at_once

UTC = datetime.UTC
# The activity ended on Nov 3; with a 30-day window the claim is due by Dec 3.
NOTICE_DAY = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 7 days before


def approved(tenant, partner, **fields):
    fund = FundFactory(tenant=tenant, claim_window_days=30)
    return FundRequestFactory(
        tenant=tenant,
        allocation__fund=fund,
        allocation__partner=partner,
        state=RequestState.APPROVED,
        amount_approved=Decimal("900.00"),
        **{"ends_on": datetime.date(2026, 11, 3), **fields},
    )


@pytest.mark.django_db
def test_the_partner_is_told_once_seven_days_before_the_window_closes(tenant, partner, partner_user):
    due = approved(tenant, partner, title="Booth at HealthConf")
    claimed = approved(tenant, partner, title="Claimed already")
    ClaimFactory(tenant=tenant, request=claimed, state=ClaimState.SUBMITTED)
    approved(tenant, partner, title="Later", ends_on=datetime.date(2026, 11, 20))

    assert claim_reminders_send(now=NOTICE_DAY - datetime.timedelta(days=1)) == 0  # 8 days before
    assert claim_reminders_send(now=NOTICE_DAY) == 1
    with tenant_context(tenant):
        [notice] = Notification.objects.filter(user=partner_user)
        assert notice.title == "Claim by 2026-12-03: Booth at HealthConf"
        assert "900.00 USD approved" in notice.body
        assert list(ClaimReminder.objects.values_list("request_id", flat=True)) == [due.id]
    assert claim_reminders_send(now=NOTICE_DAY) == 0  # once


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_tell_the_partner_once(tenant):
    partner = PartnerFactory(tenant=tenant)
    user = make_member(tenant, Role.PARTNER_USER, partner=partner, email="dana@partner.example")
    approved(tenant, partner)
    results = run_at_once(lambda: claim_reminders_send(now=NOTICE_DAY), times=2)
    assert sorted(results) == [0, 1]
    with tenant_context(tenant):
        assert Notification.objects.filter(user=user).count() == 1


def test_beat_runs_the_claim_reminders_every_hour():
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule["mdf.send_claim_reminders"] == datetime.timedelta(hours=1)
