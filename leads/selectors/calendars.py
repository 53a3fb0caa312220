"""Reads of business calendars."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from leads.business_time import DEFAULT_WEEK, WorkCalendar
from leads.models import BusinessCalendar, Holiday
from partnerhub.tenancy.models import AuditEvent, Partner, Tenant

HOLIDAY_ACTIONS = ("holiday.added", "holiday.removed")


def calendar_for(*, tenant: Tenant, partner: Partner | None = None) -> WorkCalendar:
    """The calendar a partner's clocks run on: its own, else the tenant's default, else the built-in
    week (Mon-Fri 09:00-17:00 in the tenant's time zone, no holidays). One query, holidays included."""
    return calendar_resolved_for(tenant=tenant, partner=partner)[1]


def calendar_resolved_for(
    *, tenant: Tenant, partner: Partner | None = None
) -> tuple[int | None, WorkCalendar]:
    """calendar_for, with the id of the calendar it found (None: the built-in week), which a handoff
    keeps so that its later clocks run on the calendar resolved when it was offered."""
    whose = Q(partner__isnull=True) if partner is None else Q(partner=partner) | Q(partner__isnull=True)
    rows = BusinessCalendar.objects.filter(whose, tenant=tenant).order_by(
        F("partner_id").asc(nulls_last=True)
    )
    return _loaded(tenant, rows)


def calendar_by_id(*, tenant: Tenant, calendar_id: int | None) -> WorkCalendar:
    """A calendar by its id; for None (the built-in week was resolved) or a calendar deleted since,
    the tenant's default, else the built-in week: what a partner whose calendar is deleted runs on."""
    whose = Q(id=calendar_id) | Q(partner__isnull=True) if calendar_id else Q(partner__isnull=True)
    rows = BusinessCalendar.objects.filter(whose, tenant=tenant).order_by(
        F("partner_id").asc(nulls_last=True)  # the calendar itself first, if it is a partner's
    )
    return _loaded(tenant, rows)[1]


def _loaded(tenant: Tenant, rows: QuerySet[BusinessCalendar] | None) -> tuple[int | None, WorkCalendar]:
    holidays = Holiday.objects.filter(tenant=tenant, calendar=OuterRef("pk")).order_by("date").values("date")
    row = (
        rows.annotate(holiday_dates=ArraySubquery(holidays))
        .values("id", "timezone", "weekly_hours", "holiday_dates")
        .first()
        if rows is not None
        else None
    )
    if row is None:
        return None, WorkCalendar.build(timezone=tenant.timezone, weekly_hours=DEFAULT_WEEK)
    calendar = WorkCalendar.build(
        timezone=row["timezone"], weekly_hours=row["weekly_hours"], holidays=row["holiday_dates"]
    )
    return row["id"], calendar


def calendar_list(*, tenant: Tenant) -> QuerySet[BusinessCalendar]:
    """The tenant's calendars, the default first, then by name; each with its partner, its holiday
    count and its last change (who, when): the newest audit event of the calendar or of one of its
    holidays (a removed holiday's event still names its calendar)."""
    calendar_id = Cast(OuterRef("pk"), CharField())
    changes = (
        AuditEvent.objects.filter(tenant=tenant)
        .alias(holiday_of=KT("after__calendar"), removed_from=KT("before__calendar"))
        .filter(
            Q(target_type=ContentType.objects.get_for_model(BusinessCalendar), target_id=calendar_id)
            | Q(action__in=HOLIDAY_ACTIONS) & (Q(holiday_of=calendar_id) | Q(removed_from=calendar_id))
        )
        .order_by("-created_at", "-id")
    )
    return (
        BusinessCalendar.objects.filter(tenant=tenant)
        .select_related("partner")
        .annotate(
            holiday_count=Count("holidays"),
            changed_by=Subquery(changes.values("actor_label")[:1]),
            changed_at=Subquery(changes.values("created_at")[:1]),
        )
        .order_by(F("partner_id").asc(nulls_first=True), "name", "id")
    )


def holiday_list(*, tenant: Tenant) -> QuerySet[Holiday]:
    return Holiday.objects.filter(tenant=tenant).select_related("calendar", "calendar__partner")


def partners_without_calendar(*, tenant: Tenant) -> QuerySet[Partner]:
    """The partners a new calendar can be made for, by name."""
    taken = BusinessCalendar.objects.filter(tenant=tenant, partner=OuterRef("pk"))
    return Partner.objects.filter(tenant=tenant).exclude(Exists(taken)).order_by("name")
