"""Business calendars: create and change them, set their working hours, add and remove holidays.

They are tenant settings: only a role that may change the tenant's settings (`tenant.change`)
changes them, and every change is audited with its values before and after. A change that moves
working time (the time zone, the week, a holiday, a new default, a deletion) recomputes the open
handoffs' clocks on it for the time they had left (leads.services.reclock).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import Q

from leads.business_time import format_week, parse_week
from leads.models import BusinessCalendar, Holiday
from leads.services.reclock import clocks_kept
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audited, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.services.common import (
    check_partner_in_tenant,
    check_permission,
    save_changes,
    save_validated,
)

CALENDAR_FIELDS = ["partner", "name", "timezone", "weekly_hours"]
CHANGEABLE_FIELDS = ["name", "timezone"]
HOLIDAY_FIELDS = ["calendar", "date", "name"]

WeeklyHours = Mapping[str, Sequence[Sequence[str | datetime.time]]]


def _check_may_change(tenant: Tenant, actor: Actor) -> None:
    check_permission(tenant, actor, "tenant.change", "Your role cannot change business calendars.")


def _normalized_week(weekly_hours: WeeklyHours) -> dict[str, list[list[str]]]:
    """The week as stored: every weekday present, intervals sorted as "HH:MM" (a time of day may be
    given as a datetime.time). Refused, with the parser's reason, when the parser refuses it."""
    try:
        return format_week(parse_week(_as_clocks(weekly_hours)))
    except ValueError as exc:
        raise ServiceError(str(exc), field="weekly_hours") from exc


def _as_clocks(value):
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple):
        return [_as_clocks(item) for item in value]
    if isinstance(value, Mapping):
        return {day: _as_clocks(intervals) for day, intervals in value.items()}
    return value


def _calendar(tenant: Tenant, calendar_id: int) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.select_for_update().filter(tenant=tenant, id=calendar_id).first()
    if calendar is None:
        raise ServiceError("No such calendar.", field="calendar")
    return calendar


@transaction.atomic
def calendar_create(
    *,
    tenant: Tenant,
    actor: Actor,
    name: str,
    partner: Partner | None = None,
    timezone: str | None = None,
    weekly_hours: WeeklyHours | None = None,
) -> BusinessCalendar:
    """A partner's calendar, or (no partner) the tenant's default. One each at most; the zone defaults
    to the tenant's and the week to Mon-Fri 09:00-17:00."""
    _check_may_change(tenant, actor)
    check_partner_in_tenant(tenant, partner)
    taken = BusinessCalendar.objects.filter(tenant=tenant, partner=partner)
    if taken.exists():
        whose = f"{partner.name} already has a" if partner is not None else "The tenant already has a default"
        raise ServiceError(f"{whose} calendar: change that one instead.", field="partner")
    calendar = BusinessCalendar(
        tenant=tenant, partner=partner, name=name, timezone=timezone or tenant.timezone
    )
    if weekly_hours is not None:
        calendar.weekly_hours = _normalized_week(weekly_hours)
    if partner is None:  # the handoffs that ran on the built-in week run on the new default
        with clocks_kept(tenant=tenant, actor=actor, calendar=calendar, running=Q(calendar__isnull=True)):
            save_validated(calendar)
    else:
        save_validated(calendar)
    after = snapshot(calendar, CALENDAR_FIELDS)
    audit(tenant=tenant, actor=actor, action="calendar.created", target=calendar, after=after)
    return calendar


@transaction.atomic
def calendar_update(*, tenant: Tenant, actor: Actor, calendar_id: int, **fields) -> BusinessCalendar:
    """Rename a calendar or move it to another time zone (its hours are then read on that clock)."""
    _check_may_change(tenant, actor)
    unknown = set(fields) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} cannot be changed here.")
    calendar = _calendar(tenant, calendar_id)
    with (
        clocks_kept(tenant=tenant, actor=actor, calendar=calendar),
        audited(
            tenant=tenant, actor=actor, target=calendar, fields=CHANGEABLE_FIELDS, action="calendar.updated"
        ),
    ):
        save_changes(calendar, fields)
    return calendar


@transaction.atomic
def calendar_hours_set(
    *, tenant: Tenant, actor: Actor, calendar_id: int, weekly_hours: WeeklyHours
) -> BusinessCalendar:
    """Replace a calendar's week. Each interval lies inside one day and starts before it ends, the
    intervals of a day do not overlap, and at least one weekday has working hours."""
    _check_may_change(tenant, actor)
    calendar = _calendar(tenant, calendar_id)
    week = _normalized_week(weekly_hours)
    with (
        clocks_kept(tenant=tenant, actor=actor, calendar=calendar),
        audited(
            tenant=tenant, actor=actor, target=calendar, fields=["weekly_hours"], action="calendar.hours_set"
        ),
    ):
        save_changes(calendar, {"weekly_hours": week})
    return calendar


@transaction.atomic
def holiday_add(*, tenant: Tenant, actor: Actor, calendar_id: int, date: datetime.date, name: str) -> Holiday:
    """A whole local day off in one calendar; a date is a holiday once per calendar."""
    _check_may_change(tenant, actor)
    calendar = _calendar(tenant, calendar_id)
    if Holiday.objects.filter(tenant=tenant, calendar=calendar, date=date).exists():
        raise ServiceError(f"{date.isoformat()} is already a holiday in {calendar.name}.", field="date")
    holiday = Holiday(tenant=tenant, calendar=calendar, date=date, name=name)
    with clocks_kept(tenant=tenant, actor=actor, calendar=calendar):
        save_validated(holiday)
    after = snapshot(holiday, HOLIDAY_FIELDS)
    audit(tenant=tenant, actor=actor, action="holiday.added", target=holiday, after=after)
    return holiday


@transaction.atomic
def holiday_remove(*, tenant: Tenant, actor: Actor, calendar_id: int, holiday_id: int) -> None:
    """The day becomes an ordinary day of its weekday again."""
    _check_may_change(tenant, actor)
    calendar = _calendar(tenant, calendar_id)
    holiday = Holiday.objects.filter(tenant=tenant, calendar=calendar, id=holiday_id).first()
    if holiday is None:
        raise ServiceError("No such holiday in this calendar.", field="holiday")
    before = snapshot(holiday, HOLIDAY_FIELDS)
    audit(tenant=tenant, actor=actor, action="holiday.removed", target=holiday, before=before)
    with clocks_kept(tenant=tenant, actor=actor, calendar=calendar):
        holiday.delete()


@transaction.atomic
def calendar_delete(*, tenant: Tenant, actor: Actor, calendar_id: int) -> None:
    """A partner's calendar goes, with its holidays: the partner's clocks then run on the tenant's
    default (or the built-in week). The tenant's default itself is changed, never deleted, so that
    deleting cannot silently move every partner to the built-in week."""
    _check_may_change(tenant, actor)
    calendar = _calendar(tenant, calendar_id)
    if calendar.partner_id is None:
        raise ServiceError("The tenant's default calendar cannot be deleted: change its hours instead.")
    before = snapshot(calendar, CALENDAR_FIELDS)
    audit(tenant=tenant, actor=actor, action="calendar.deleted", target=calendar, before=before)
    # Its handoffs go on on the tenant's default, for the time they had left.
    with clocks_kept(tenant=tenant, actor=actor, calendar=calendar, new_calendar_id=lambda: None):
        calendar.delete()
