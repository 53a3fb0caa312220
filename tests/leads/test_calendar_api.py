"""Business calendars through the API: staff and keys read them; a tenant admin (signed in) creates,
changes and deletes them and their holidays, each change audited; a key that writes is told why it
may not; bad weeks are 400s on the field, with the parser's reason."""

import datetime

import pytest

from leads.api.calendars import KEY_REFUSED
from leads.models import BusinessCalendar, Holiday
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import STAFF_ROLES, Role
from tests.api_cases import (
    CRUD,
    KEYS,
    REPLACE,
    UPDATE,
    WRITE_KEY,
    APIResourceCases,
    audits_of,
    bearer,
    session,
)
from tests.dbstate import changed_tables, fingerprint
from tests.factories import ApiKeyFactory, BusinessCalendarFactory, HolidayFactory, PartnerFactory

CALENDARS = "/api/v1/business-calendars/"
JSON = "application/json"
WORKWEEK = {
    **{day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "sat": [],
    "sun": [],
}
SPLIT_WEEK = {"mon": [["13:30", "17:00"], ["09:00", "12:30"]], "sat": [["10:00", "14:00"]]}


def holidays_url(calendar) -> str:
    return f"{CALENDARS}{calendar.id}/holidays/"


class TestBusinessCalendarAPI(APIResourceCases):
    url = CALENDARS
    model = BusinessCalendar
    operations = CRUD | {REPLACE}
    readers = STAFF_ROLES | KEYS
    writers = {Role.TENANT_ADMIN}
    refusals = {WRITE_KEY: KEY_REFUSED}
    audits = audits_of("calendar")
    list_queries = 6
    invalid = {"time_zone": "Mars/Olympus", "weekly_hours": {"mon": [["17:00", "09:00"]]}}

    def create_payload(self, tenant, partner):
        # A partner of its own for every create: one calendar per partner.
        fresh = PartnerFactory(tenant=tenant)
        return {"partner": fresh.id, "name": "Litware (Oslo)", "time_zone": "Europe/Oslo"}

    def expected(self, operation, payload, partner):
        if operation in (UPDATE, REPLACE):
            return payload
        return {
            **payload,
            "weekly_hours": WORKWEEK,
            "week_in_words": "Mon\u2013Fri 09:00\u201317:00",
            "holiday_count": 0,
        }

    def update_payload(self, tenant, partner):
        return {"name": "Contoso (Berlin office)"}

    def replace_payload(self, tenant, partner):
        return {"name": "Contoso (Vienna office)", "time_zone": "Europe/Vienna"}

    def shown(self, row):
        return {"name": row.name, "time_zone": row.timezone, "partner": row.partner_id}


@pytest.mark.django_db
def test_an_admin_sets_the_week_and_the_answer_shows_it_normalised_in_words(tenant, admin_user, partner):
    calendar = BusinessCalendarFactory(tenant=tenant, partner=partner)
    response = session(admin_user).patch(
        f"{CALENDARS}{calendar.id}/", {"weekly_hours": SPLIT_WEEK}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["weekly_hours"]["mon"] == [["09:00", "12:30"], ["13:30", "17:00"]]
    assert body["weekly_hours"]["tue"] == []
    assert body["week_in_words"] == "Mon 09:00\u201312:30, 13:30\u201317:00; Sat 10:00\u201314:00"
    assert AuditEvent.unscoped.filter(tenant=tenant, action="calendar.hours_set").count() == 1


@pytest.mark.django_db
def test_a_bad_week_is_a_400_on_the_field_with_the_reason_and_nothing_changes(tenant, admin_user, partner):
    calendar = BusinessCalendarFactory(tenant=tenant, partner=partner)
    client = session(admin_user)
    before = fingerprint()
    night = client.patch(
        f"{CALENDARS}{calendar.id}/",
        {"name": "Renamed", "weekly_hours": {"mon": [["22:00", "06:00"]]}},
        content_type=JSON,
    )
    closed = client.post(CALENDARS, {"name": "Closed", "weekly_hours": {}}, content_type=JSON)
    assert night.status_code == 400
    assert "night shift is two intervals" in night.json()["weekly_hours"][0]
    assert closed.json() == {
        "weekly_hours": ["This calendar has no working hours: give at least one weekday an interval."]
    }
    assert changed_tables(before, fingerprint()) == []  # the name sent with the bad week is not kept


@pytest.mark.django_db
def test_a_second_default_or_a_second_calendar_for_a_partner_is_a_400_on_partner(tenant, admin_user, partner):
    BusinessCalendarFactory(tenant=tenant, partner=None, name="Default")
    BusinessCalendarFactory(tenant=tenant, partner=partner)
    client = session(admin_user)
    default = client.post(CALENDARS, {"name": "Another default", "partner": None}, content_type=JSON)
    second = client.post(CALENDARS, {"name": "Another", "partner": partner.id}, content_type=JSON)
    assert default.json() == {
        "partner": ["The tenant already has a default calendar: change that one instead."]
    }
    assert second.json() == {
        "partner": ["Contoso Consulting already has a calendar: change that one instead."]
    }


@pytest.mark.django_db
def test_another_tenants_partner_is_refused_in_the_body(tenant, other_tenant, admin_user):
    theirs = PartnerFactory(tenant=other_tenant)
    response = session(admin_user).post(CALENDARS, {"name": "X", "partner": theirs.id}, content_type=JSON)
    assert response.status_code == 400
    assert set(response.json()) == {"partner"}


@pytest.mark.django_db
def test_the_default_calendar_is_not_deleted(tenant, admin_user):
    default = BusinessCalendarFactory(tenant=tenant, partner=None)
    response = session(admin_user).delete(f"{CALENDARS}{default.id}/")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The tenant's default calendar cannot be deleted: change its hours instead."
    }
    assert BusinessCalendar.unscoped.filter(id=default.id).exists()


@pytest.mark.django_db
def test_holidays_are_listed_added_and_removed_each_audited(tenant, admin_user, partner):
    calendar = BusinessCalendarFactory(tenant=tenant, partner=partner)
    HolidayFactory(tenant=tenant, calendar=calendar, date=datetime.date(2027, 12, 25), name="Christmas Day")
    client = session(admin_user)
    added = client.post(holidays_url(calendar), {"date": "2027-01-01", "name": "New Year"}, content_type=JSON)
    assert added.status_code == 201, added.content
    listed = client.get(holidays_url(calendar)).json()
    assert [(row["date"], row["name"]) for row in listed["results"]] == [
        ("2027-01-01", "New Year"),
        ("2027-12-25", "Christmas Day"),
    ]
    assert client.get(f"{CALENDARS}{calendar.id}/").json()["holiday_count"] == 2
    removed = client.delete(f"{holidays_url(calendar)}{added.json()['id']}/")
    assert removed.status_code == 204
    assert list(Holiday.unscoped.filter(calendar=calendar).values_list("name", flat=True)) == [
        "Christmas Day"
    ]
    actions = AuditEvent.unscoped.filter(tenant=tenant, action__startswith="holiday.").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["holiday.added", "holiday.removed"]


@pytest.mark.django_db
def test_a_holiday_twice_is_a_400_on_date_and_another_calendars_holiday_is_a_404(tenant, admin_user, partner):
    calendar = BusinessCalendarFactory(tenant=tenant, partner=partner)
    other = HolidayFactory(tenant=tenant)  # a holiday of another calendar of the tenant
    HolidayFactory(tenant=tenant, calendar=calendar, date=datetime.date(2027, 1, 1))
    client = session(admin_user)
    twice = client.post(holidays_url(calendar), {"date": "2027-01-01", "name": "Again"}, content_type=JSON)
    assert twice.json() == {"date": [f"2027-01-01 is already a holiday in {calendar.name}."]}
    no_date = client.post(
        holidays_url(calendar), {"date": "1st of May", "name": "May Day"}, content_type=JSON
    )
    assert set(no_date.json()) == {"date"}
    assert client.delete(f"{holidays_url(calendar)}{other.id}/").status_code == 404
    assert Holiday.unscoped.filter(id=other.id).exists()


@pytest.mark.django_db
def test_keys_read_calendars_and_holidays_but_a_write_key_is_told_why_it_cannot_change_them(tenant, partner):
    calendar = BusinessCalendarFactory(tenant=tenant, partner=partner)
    client = bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))
    assert client.get(holidays_url(calendar)).status_code == 200
    before = fingerprint()
    for response in (
        client.post(holidays_url(calendar), {"date": "2027-01-01", "name": "New Year"}, content_type=JSON),
        client.patch(f"{CALENDARS}{calendar.id}/", {"name": "Mine"}, content_type=JSON),
    ):
        assert (response.status_code, response.json()) == (403, {"detail": KEY_REFUSED})
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_partner_users_are_refused_and_do_not_learn_of_other_partners_calendars(
    tenant, partner, other_partner, partner_user
):
    own = BusinessCalendarFactory(tenant=tenant, partner=partner)
    theirs = BusinessCalendarFactory(tenant=tenant, partner=other_partner)
    client = session(partner_user)
    assert client.get(CALENDARS).status_code == 403
    assert client.get(holidays_url(own)).status_code == 403
    assert client.get(holidays_url(theirs)).status_code == 404
