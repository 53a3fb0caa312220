"""A calendar change recomputes only the time left: the open handoffs on the calendar keep the
business time they had, counted from the change on the new week; what has passed stays."""

import datetime
import zoneinfo

import pytest

from leads.models import Handoff
from leads.services import handoff_offer
from leads.services.calendars import calendar_delete, calendar_hours_set, holiday_add
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from tests.factories import BusinessCalendarFactory, LeadFactory, ReadyLeadFactory

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
LONG_DAYS = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def berlin(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2027, 1, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def calendar(tenant, partner):
    """Mon-Fri 09:00-17:00 in Berlin."""
    return BusinessCalendarFactory(tenant=tenant, partner=partner, name="Contoso Berlin")


@pytest.fixture
def handoff(tenant, partner, manager_user, calendar):
    """Offered on Monday 11 January 2027 at 10:00: 24 business hours to accept, so due on Thursday
    at 10:00; warned at 75 % (18 h) on Wednesday at 12:00; recalled after 24 h of grace, on the
    next Tuesday at 10:00."""
    lead = ReadyLeadFactory(tenant=tenant)
    with tenant_context(tenant):
        handoff = handoff_offer(
            tenant=tenant, actor=manager_user, lead_id=lead.id, partner_id=partner.id, now=berlin(11, 10)
        )
    assert (handoff.accept_warn_at, handoff.accept_due_at, handoff.accept_recall_at) == (
        berlin(13, 12),
        berlin(14, 10),
        berlin(19, 10),
    )
    return handoff


def instants(tenant, handoff):
    with tenant_context(tenant):
        handoff.refresh_from_db()
    return handoff.accept_warn_at, handoff.accept_due_at, handoff.accept_recall_at


def test_longer_days_spend_the_time_left_sooner(tenant, admin_user, calendar, handoff, time_machine):
    # Tuesday 10:00: 8 of the 24 hours used. 16 left at 10 a day: Tuesday 10-18, Wednesday 08-16.
    # The recall had 40 hours left: Tuesday to Friday, then Monday 08-10.
    time_machine.move_to(berlin(12, 10), tick=False)
    with tenant_context(tenant):
        calendar_hours_set(tenant=tenant, actor=admin_user, calendar_id=calendar.id, weekly_hours=LONG_DAYS)
    assert instants(tenant, handoff) == (berlin(13, 10), berlin(13, 16), berlin(18, 10))
    with tenant_context(tenant):
        handoff.refresh_from_db()
        assert handoff.deadline_at == berlin(13, 16) and handoff.next_due_at == berlin(13, 10)
        event = AuditEvent.objects.get(action="calendar.clocks_recomputed")
    assert event.after == {"handoffs": 1} and event.actor == admin_user


def test_a_holiday_added_ahead_moves_the_deadline_by_a_day(
    tenant, admin_user, calendar, handoff, time_machine
):
    # Tuesday 10:00, 16 hours left; Wednesday becomes a holiday: Tuesday 10-17, Thursday, Friday 09-10.
    time_machine.move_to(berlin(12, 10), tick=False)
    with tenant_context(tenant):
        holiday_add(
            tenant=tenant,
            actor=admin_user,
            calendar_id=calendar.id,
            date=datetime.date(2027, 1, 13),
            name="Off",
        )
    warn, due, _ = instants(tenant, handoff)
    assert (warn, due) == (berlin(14, 12), berlin(15, 10))


def test_an_instant_already_passed_stays_and_closed_handoffs_are_left_alone(
    tenant, admin_user, partner, calendar, handoff, time_machine
):
    with tenant_context(tenant):
        closed = Handoff.objects.create(
            tenant=tenant,
            lead=LeadFactory(tenant=tenant),
            partner=partner,
            calendar=calendar,
            state=Handoff.State.REJECTED,
            reject_reason="no_capacity",
            accept_due_at=berlin(15, 9),
        )
    # Wednesday 13:00: the warning (12:00) has passed; 5 hours are left until the deadline (13-17,
    # and Thursday 09-10), which the new week spends on Wednesday 13-18.
    time_machine.move_to(berlin(13, 13), tick=False)
    with tenant_context(tenant):
        calendar_hours_set(tenant=tenant, actor=admin_user, calendar_id=calendar.id, weekly_hours=LONG_DAYS)
    warn, due, _ = instants(tenant, handoff)
    assert warn == berlin(13, 12)  # passed: where it was
    assert due == berlin(13, 18)
    assert instants(tenant, closed)[1] == berlin(15, 9)


def test_deleting_a_partners_calendar_moves_its_handoffs_to_the_default_for_the_time_left(
    tenant, admin_user, calendar, handoff, time_machine
):
    BusinessCalendarFactory(tenant=tenant, partner=None, name="Default", weekly_hours=LONG_DAYS)
    time_machine.move_to(berlin(12, 10), tick=False)
    with tenant_context(tenant):
        calendar_delete(tenant=tenant, actor=admin_user, calendar_id=calendar.id)
    assert instants(tenant, handoff)[1] == berlin(13, 16)
