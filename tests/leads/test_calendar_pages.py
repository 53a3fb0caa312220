"""Settings → Business calendars as a tenant admin and their colleagues use it: the list says what
each calendar is in words, the forms change calendars through the services (audited) and show the
parser's reasons, staff without the right read only, partner users and other tenants get nothing."""

import pytest

from leads.models import BusinessCalendar, Holiday
from partnerhub.tenancy.models import AuditEvent
from tests.conftest import login
from tests.factories import BusinessCalendarFactory, HolidayFactory

BASE = "/t/northwind/settings/calendars/"


def week_post(**intervals) -> dict:
    """The week form's fields: `mon_1=("09:00", "17:00")` and so on; the rest empty."""
    data = {}
    for key, (start, end) in intervals.items():
        data[f"{key}_start"], data[f"{key}_end"] = start, end
    return data


@pytest.mark.django_db
def test_without_calendars_the_page_explains_the_built_in_week(tenant, admin_user):
    page = login(admin_user).get(BASE).content.decode()
    assert "No business calendars yet" in page
    assert "Mon\u2013Fri 09:00\u201317:00" in page


@pytest.mark.django_db
def test_the_list_shows_zone_week_in_words_holidays_and_who_changed_it(tenant, admin_user, partner):
    client = login(admin_user)
    client.post(f"{BASE}new/", {"partner": "", "name": "Northwind HQ", "timezone": "Europe/Berlin"})
    calendar = BusinessCalendar.unscoped.get(tenant=tenant, partner=None)
    client.post(f"{BASE}{calendar.id}/holidays/new/", {"date": "2027-12-25", "name": "Christmas Day"})
    page = client.get(BASE).content.decode()
    assert "Northwind HQ" in page and "Tenant default" in page and "Europe/Berlin" in page
    assert "Mon\u2013Fri 09:00\u201317:00" in page
    assert "1 holiday<" in page
    assert "admin@northwind.example" in page  # the holiday added is the calendar's last change


@pytest.mark.django_db
def test_an_admin_creates_a_partners_calendar_and_sets_its_week(tenant, admin_user, partner, other_partner):
    BusinessCalendarFactory(tenant=tenant, partner=other_partner)
    client = login(admin_user)
    form = client.get(f"{BASE}new/").content.decode()
    assert "Contoso Consulting" in form and "Fabrikam Systems" not in form  # it has one already
    created = client.post(
        f"{BASE}new/", {"partner": partner.id, "name": "Contoso", "timezone": "Europe/Oslo"}
    )
    calendar = BusinessCalendar.unscoped.get(tenant=tenant, partner=partner)
    assert created.status_code == 302 and created["Location"] == f"{BASE}{calendar.id}/hours/"
    saved = client.post(
        f"{BASE}{calendar.id}/hours/",
        week_post(mon_1=("09:00", "12:30"), mon_2=("13:30", "17:00"), sat_1=("10:00", "14:00")),
    )
    assert saved.status_code == 302
    calendar.refresh_from_db()
    assert calendar.week_in_words == "Mon 09:00\u201312:30, 13:30\u201317:00; Sat 10:00\u201314:00"
    actions = AuditEvent.unscoped.filter(tenant=tenant, actor=admin_user).values_list("action", flat=True)
    assert sorted(actions) == ["calendar.created", "calendar.hours_set"]


@pytest.mark.django_db
def test_a_wrong_week_is_shown_with_the_reason_and_nothing_changes(tenant, admin_user, partner):
    calendar = BusinessCalendarFactory(tenant=tenant, partner=partner)
    client = login(admin_user)
    overlap = client.post(
        f"{BASE}{calendar.id}/hours/", week_post(tue_1=("09:00", "13:00"), tue_2=("12:00", "17:00"))
    )
    half = client.post(f"{BASE}{calendar.id}/hours/", {"wed_1_start": "09:00"})
    closed = client.post(f"{BASE}{calendar.id}/hours/", {})
    assert "tue: the intervals overlap at 12:00." in overlap.content.decode()
    assert "Give Wednesday&#x27;s interval 1 a start and an end." in half.content.decode()
    assert "This calendar has no working hours" in closed.content.decode()
    calendar.refresh_from_db()
    assert calendar.weekly_hours["mon"] == [["09:00", "17:00"]]
    assert not AuditEvent.unscoped.filter(action="calendar.hours_set").exists()


@pytest.mark.django_db
def test_name_and_zone_are_changed_and_a_wrong_zone_is_refused(tenant, admin_user, partner):
    calendar = BusinessCalendarFactory(tenant=tenant, partner=partner, name="Contoso")
    client = login(admin_user)
    wrong = client.post(f"{BASE}{calendar.id}/edit/", {"name": "Contoso", "timezone": "Berlin"})
    assert "is not a known time zone" in wrong.content.decode()
    client.post(f"{BASE}{calendar.id}/edit/", {"name": "Contoso (Oslo)", "timezone": "Europe/Oslo"})
    calendar.refresh_from_db()
    assert (calendar.name, calendar.timezone) == ("Contoso (Oslo)", "Europe/Oslo")
    event = AuditEvent.unscoped.get(action="calendar.updated")
    assert event.after == {"name": "Contoso (Oslo)", "timezone": "Europe/Oslo"}


@pytest.mark.django_db
def test_holidays_are_added_exported_and_removed_after_confirmation(tenant, admin_user, partner):
    calendar = BusinessCalendarFactory(tenant=tenant, partner=partner, name="Contoso")
    client = login(admin_user)
    holidays = f"{BASE}{calendar.id}/holidays/"
    client.post(f"{holidays}new/", {"date": "2027-05-17", "name": "Constitution Day"})
    twice = client.post(f"{holidays}new/", {"date": "2027-05-17", "name": "Again"})
    assert "2027-05-17 is already a holiday in Contoso." in twice.content.decode()
    export = b"".join(client.get(f"{holidays}?export=csv").streaming_content).decode("utf-8-sig")
    assert export.splitlines() == ["Date,Name,Calendar", "2027-05-17,Constitution Day,Contoso"]
    holiday = Holiday.unscoped.get(calendar=calendar)
    confirm = client.get(f"{holidays}{holiday.id}/remove/").content.decode()
    assert "Remove the holiday 2027-05-17 (Constitution Day)?" in confirm
    assert Holiday.unscoped.filter(id=holiday.id).exists()
    client.post(f"{holidays}{holiday.id}/remove/")
    assert not Holiday.unscoped.filter(id=holiday.id).exists()
    actions = AuditEvent.unscoped.filter(action__startswith="holiday.").values_list("action", flat=True)
    assert sorted(actions) == ["holiday.added", "holiday.removed"]


@pytest.mark.django_db
def test_deleting_a_partners_calendar_falls_back_to_the_default_which_is_not_deleted(
    tenant, admin_user, partner
):
    default = BusinessCalendarFactory(tenant=tenant, partner=None)
    own = BusinessCalendarFactory(tenant=tenant, partner=partner)
    HolidayFactory(tenant=tenant, calendar=own)
    client = login(admin_user)
    assert "tenant&#x27;s default calendar" in client.get(f"{BASE}{own.id}/delete/").content.decode()
    client.post(f"{BASE}{own.id}/delete/")
    assert not BusinessCalendar.unscoped.filter(id=own.id).exists()
    assert not Holiday.unscoped.filter(calendar_id=own.id).exists()
    assert AuditEvent.unscoped.filter(action="calendar.deleted", target_id=str(own.id)).count() == 1
    refused = client.get(f"{BASE}{default.id}/delete/").content.decode()
    assert "cannot be deleted" in refused and "Delete calendar</button>" not in refused
    client.post(f"{BASE}{default.id}/delete/")
    assert BusinessCalendar.unscoped.filter(id=default.id).exists()


@pytest.mark.django_db
def test_staff_without_the_right_read_only_and_partner_users_are_refused(
    tenant, manager_user, partner_user, partner
):
    calendar = BusinessCalendarFactory(tenant=tenant, partner=partner, name="Contoso")
    manager = login(manager_user)
    page = manager.get(BASE).content.decode()
    assert "Contoso" in page and "New calendar" not in page and "Working hours</a>" not in page
    assert manager.get(f"{BASE}{calendar.id}/holidays/").status_code == 200
    assert manager.get(f"{BASE}new/").status_code == 403
    assert manager.post(f"{BASE}{calendar.id}/edit/", {"name": "Mine", "timezone": "UTC"}).status_code == 403
    partner_client = login(partner_user)
    assert partner_client.get(BASE).status_code == 403
    assert partner_client.get(f"{BASE}{calendar.id}/holidays/").status_code == 403  # even its own
    calendar.refresh_from_db()
    assert calendar.name == "Contoso"
