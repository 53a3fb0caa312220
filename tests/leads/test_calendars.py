"""Business calendars as a tenant admin keeps them: which calendar a partner's clocks run on (its
own, the tenant's default, the built-in week), and the services that change them: validated,
for tenant admins only, each change audited before -> after."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.business_time import add_business_time
from leads.models import BusinessCalendar, Holiday
from leads.selectors.calendars import calendar_by_id, calendar_for
from leads.services import calendars as services
from partnerhub.tenancy.actors import ApiKeyUser
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import ApiKeyFactory, BusinessCalendarFactory, HolidayFactory, PartnerFactory

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
HOUR = datetime.timedelta(hours=1)
SATURDAY = datetime.datetime(2027, 1, 16, 12, 0, tzinfo=datetime.UTC)
WEEK_OF_NIGHTS = {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]}


def events(action):
    return list(AuditEvent.unscoped.filter(action=action).order_by("id"))


def add_new_years_day(tenant, actor, calendar):
    return services.holiday_add(
        tenant=tenant, actor=actor, calendar_id=calendar.id, date=datetime.date(2027, 1, 1), name="New Year"
    )


def first_opening(tenant, partner=None):
    return add_business_time(SATURDAY, datetime.timedelta(0), calendar_for(tenant=tenant, partner=partner))


@pytest.mark.django_db
def test_without_calendars_the_clocks_run_mon_to_fri_nine_to_five_in_the_tenants_zone(in_tenant, partner):
    in_tenant.timezone = "America/New_York"
    in_tenant.save(update_fields=["timezone"])
    assert first_opening(in_tenant, partner) == datetime.datetime(2027, 1, 18, 9, 0, tzinfo=NEW_YORK)
    deadline = add_business_time(SATURDAY, 9 * HOUR, calendar_for(tenant=in_tenant, partner=partner))
    assert deadline == datetime.datetime(2027, 1, 19, 10, 0, tzinfo=NEW_YORK)


@pytest.mark.django_db
def test_a_partner_without_its_own_calendar_runs_on_the_tenants_default(in_tenant, partner, other_partner):
    BusinessCalendarFactory(tenant=in_tenant, partner=None, timezone="Europe/Berlin")
    BusinessCalendarFactory(tenant=in_tenant, partner=other_partner, timezone="America/New_York")
    assert first_opening(in_tenant, partner) == datetime.datetime(2027, 1, 18, 9, 0, tzinfo=BERLIN)
    assert first_opening(in_tenant) == datetime.datetime(2027, 1, 18, 9, 0, tzinfo=BERLIN)
    assert first_opening(in_tenant, other_partner) == datetime.datetime(2027, 1, 18, 9, 0, tzinfo=NEW_YORK)


@pytest.mark.django_db
def test_a_clock_whose_partner_calendar_was_deleted_runs_on_the_tenants_default(in_tenant, partner):
    BusinessCalendarFactory(tenant=in_tenant, partner=None, timezone="Europe/Berlin")
    own = BusinessCalendarFactory(tenant=in_tenant, partner=partner, timezone="America/New_York")
    kept = calendar_by_id(tenant=in_tenant, calendar_id=own.id)
    assert add_business_time(SATURDAY, HOUR, kept) == datetime.datetime(2027, 1, 18, 10, 0, tzinfo=NEW_YORK)
    own_id = own.id
    own.delete()
    # A handoff keeps the id it resolved at its offer: the deleted calendar's clocks fall back to
    # the tenant's default (not to the built-in week, which would be the tenant's zone).
    in_tenant.timezone = "Asia/Tokyo"
    in_tenant.save(update_fields=["timezone"])
    for calendar_id in (own_id, None):
        fallback = calendar_by_id(tenant=in_tenant, calendar_id=calendar_id)
        assert add_business_time(SATURDAY, HOUR, fallback) == datetime.datetime(
            2027, 1, 18, 10, 0, tzinfo=BERLIN
        )


@pytest.mark.django_db
def test_the_partners_calendar_comes_with_its_holidays_in_one_query(in_tenant, partner):
    BusinessCalendarFactory(tenant=in_tenant, partner=None, timezone="America/New_York")
    own = BusinessCalendarFactory(tenant=in_tenant, partner=partner, timezone="Europe/Berlin")
    HolidayFactory(tenant=in_tenant, calendar=own, date=datetime.date(2027, 1, 18))
    HolidayFactory(tenant=in_tenant, calendar=own, date=datetime.date(2027, 1, 19))
    with CaptureQueriesContext(connection) as queries:
        calendar = calendar_for(tenant=in_tenant, partner=partner)
    assert len(queries) == 1
    assert add_business_time(SATURDAY, HOUR, calendar) == datetime.datetime(2027, 1, 20, 10, 0, tzinfo=BERLIN)


@pytest.mark.django_db
def test_another_tenants_calendar_is_never_the_one(in_tenant, other_tenant, partner):
    BusinessCalendarFactory(tenant=other_tenant, partner=None, timezone="Asia/Tokyo")
    assert first_opening(in_tenant, partner) == datetime.datetime(2027, 1, 18, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_an_admin_creates_the_default_and_a_partners_calendar_each_audited(in_tenant, admin_user, partner):
    default = services.calendar_create(tenant=in_tenant, actor=admin_user, name="Head office")
    own = services.calendar_create(
        tenant=in_tenant,
        actor=admin_user,
        name="Contoso nights",
        partner=partner,
        timezone="Europe/Berlin",
        weekly_hours={"tue": [[datetime.time(0, 0), datetime.time(6, 0)]], "mon": [["22:00", "24:00"]]},
    )
    assert (default.partner, default.timezone) == (None, in_tenant.timezone)
    assert own.weekly_hours["mon"] == [["22:00", "24:00"]] and own.weekly_hours["sun"] == []
    created = events("calendar.created")
    assert [event.target_id for event in created] == [str(default.id), str(own.id)]
    assert created[1].actor == admin_user and created[1].before is None
    assert created[1].after == {
        "partner": partner.id,
        "name": "Contoso nights",
        "timezone": "Europe/Berlin",
        "weekly_hours": own.weekly_hours,
    }
    assert first_opening(in_tenant, partner) == datetime.datetime(2027, 1, 18, 22, 0, tzinfo=BERLIN)


@pytest.mark.django_db
def test_one_calendar_per_partner_and_one_default(in_tenant, admin_user, partner):
    services.calendar_create(tenant=in_tenant, actor=admin_user, name="Head office")
    services.calendar_create(tenant=in_tenant, actor=admin_user, name="Contoso", partner=partner)
    with pytest.raises(ServiceError, match="default calendar") as default:
        services.calendar_create(tenant=in_tenant, actor=admin_user, name="Second default")
    with pytest.raises(ServiceError, match="already has a calendar") as own:
        services.calendar_create(tenant=in_tenant, actor=admin_user, name="Second", partner=partner)
    assert default.value.field == own.value.field == "partner"
    assert BusinessCalendar.objects.count() == 2


@pytest.mark.django_db
def test_the_database_keeps_one_default_per_tenant_too(in_tenant):
    BusinessCalendarFactory(tenant=in_tenant, partner=None)
    with pytest.raises(ValidationError, match="already exists"):
        BusinessCalendar(tenant=in_tenant, partner=None, name="Again", timezone="UTC").full_clean()


@pytest.mark.django_db
def test_another_tenants_partner_gets_no_calendar_here(in_tenant, other_tenant, admin_user):
    stranger = PartnerFactory(tenant=other_tenant)
    with pytest.raises(ServiceError, match="valid partner"):
        services.calendar_create(tenant=in_tenant, actor=admin_user, name="Theirs", partner=stranger)
    assert BusinessCalendar.unscoped.across_tenants().count() == 0


@pytest.mark.parametrize(
    ("week", "reason"),
    [
        ({"mon": [["09:00", "13:00"], ["12:30", "17:00"]]}, "overlap at 12:30"),
        ({"mon": [["17:00", "09:00"]]}, "ends before it starts"),
        ({"mon": [["08:00", "24:30"]]}, "not a time of day"),
        ({"sun": []}, "no working hours"),
        ({"mon": [[9, 17]]}, "not a time of day"),
        ({"mon": 9}, "a list of intervals"),
        ("Mon-Fri 9-5", "per weekday"),
    ],
)
@pytest.mark.django_db
def test_working_hours_are_refused_with_their_reason_and_nothing_changes(in_tenant, admin_user, week, reason):
    calendar = BusinessCalendarFactory(tenant=in_tenant, partner=None)
    with pytest.raises(ServiceError, match=reason) as refused:
        services.calendar_hours_set(
            tenant=in_tenant, actor=admin_user, calendar_id=calendar.id, weekly_hours=week
        )
    assert refused.value.field == "weekly_hours"
    calendar.refresh_from_db()
    assert calendar.weekly_hours["mon"] == [["09:00", "17:00"]]
    assert events("calendar.hours_set") == []


@pytest.mark.django_db
def test_setting_the_hours_is_audited_before_and_after_and_moves_the_deadlines(
    in_tenant, admin_user, partner
):
    calendar = BusinessCalendarFactory(tenant=in_tenant, partner=partner, timezone="Europe/Berlin")
    services.calendar_hours_set(
        tenant=in_tenant, actor=admin_user, calendar_id=calendar.id, weekly_hours=WEEK_OF_NIGHTS
    )
    (event,) = events("calendar.hours_set")
    assert event.before["weekly_hours"]["mon"] == [["09:00", "17:00"]]
    assert event.after["weekly_hours"]["mon"] == [["22:00", "24:00"]]
    assert event.after["weekly_hours"]["fri"] == []
    assert first_opening(in_tenant, partner) == datetime.datetime(2027, 1, 18, 22, 0, tzinfo=BERLIN)


@pytest.mark.django_db
def test_renaming_and_moving_a_calendar_to_another_zone(in_tenant, admin_user, partner):
    calendar = BusinessCalendarFactory(
        tenant=in_tenant, partner=partner, name="Contoso", timezone="Europe/Berlin"
    )
    services.calendar_update(
        tenant=in_tenant,
        actor=admin_user,
        calendar_id=calendar.id,
        name="Contoso US",
        timezone="America/New_York",
    )
    (event,) = events("calendar.updated")
    assert event.changes == [
        ("name", "Contoso", "Contoso US"),
        ("timezone", "Europe/Berlin", "America/New_York"),
    ]
    assert first_opening(in_tenant, partner) == datetime.datetime(2027, 1, 18, 9, 0, tzinfo=NEW_YORK)
    with pytest.raises(ValidationError, match="not a known time zone"):
        services.calendar_update(
            tenant=in_tenant, actor=admin_user, calendar_id=calendar.id, timezone="Mars/Olympus"
        )
    with pytest.raises(ServiceError, match="partner cannot be changed"):
        services.calendar_update(tenant=in_tenant, actor=admin_user, calendar_id=calendar.id, partner=None)


@pytest.mark.django_db
def test_holidays_are_added_once_and_removed_each_audited(in_tenant, admin_user, partner):
    calendar = BusinessCalendarFactory(tenant=in_tenant, partner=partner, timezone="Europe/Berlin")
    monday = datetime.date(2027, 1, 18)
    holiday = services.holiday_add(
        tenant=in_tenant, actor=admin_user, calendar_id=calendar.id, date=monday, name="Founders' day"
    )
    assert first_opening(in_tenant, partner) == datetime.datetime(2027, 1, 19, 9, 0, tzinfo=BERLIN)
    with pytest.raises(ServiceError, match="already a holiday") as twice:
        services.holiday_add(
            tenant=in_tenant, actor=admin_user, calendar_id=calendar.id, date=monday, name="Again"
        )
    assert twice.value.field == "date"
    services.holiday_remove(
        tenant=in_tenant, actor=admin_user, calendar_id=calendar.id, holiday_id=holiday.id
    )
    assert first_opening(in_tenant, partner) == datetime.datetime(2027, 1, 18, 9, 0, tzinfo=BERLIN)
    (added,), (removed,) = events("holiday.added"), events("holiday.removed")
    expected = {"calendar": calendar.id, "date": "2027-01-18", "name": "Founders' day"}
    assert (added.before, added.after, removed.before, removed.after) == (None, expected, expected, None)
    assert Holiday.objects.count() == 0


@pytest.mark.django_db
def test_another_tenants_calendar_cannot_be_changed_from_here(in_tenant, other_tenant, admin_user):
    theirs = BusinessCalendarFactory(tenant=other_tenant, partner=None, name="Theirs")
    with pytest.raises(ServiceError, match="No such calendar"):
        services.calendar_update(tenant=in_tenant, actor=admin_user, calendar_id=theirs.id, name="Ours")
    with pytest.raises(ServiceError, match="No such calendar"):
        add_new_years_day(in_tenant, admin_user, theirs)
    assert BusinessCalendar.unscoped.across_tenants().get(id=theirs.id).name == "Theirs"
    assert Holiday.unscoped.across_tenants().count() == 0


@pytest.mark.django_db
def test_only_those_who_change_tenant_settings_change_calendars(
    in_tenant, manager_user, partner_user, partner
):
    calendar = BusinessCalendarFactory(tenant=in_tenant, partner=partner)
    revops = make_member(in_tenant, Role.REVOPS)
    key = ApiKeyUser(ApiKeyFactory(tenant=in_tenant))
    for actor in (manager_user, partner_user, revops, key):
        with pytest.raises(ServiceError, match="cannot change business calendars"):
            services.calendar_create(tenant=in_tenant, actor=actor, name="Mine")
        with pytest.raises(ServiceError, match="cannot change business calendars"):
            services.calendar_hours_set(
                tenant=in_tenant, actor=actor, calendar_id=calendar.id, weekly_hours=WEEK_OF_NIGHTS
            )
        with pytest.raises(ServiceError, match="cannot change business calendars"):
            add_new_years_day(in_tenant, actor, calendar)
    calendar.refresh_from_db()
    assert calendar.weekly_hours["mon"] == [["09:00", "17:00"]]
    assert BusinessCalendar.objects.count() == 1 and Holiday.objects.count() == 0
    assert AuditEvent.unscoped.filter(action__startswith="calendar.").count() == 0
