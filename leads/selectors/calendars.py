"""Reads of business calendars."""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Q

from leads.business_time import DEFAULT_WEEK, WorkCalendar
from leads.models import BusinessCalendar, Holiday
from partnerhub.tenancy.models import Partner, Tenant


def calendar_for(*, tenant: Tenant, partner: Partner | None = None) -> WorkCalendar:
    """The calendar a partner's clocks run on: its own, else the tenant's default, else the built-in
    week (Mon-Fri 09:00-17:00 in the tenant's time zone, no holidays). One query, holidays included."""
    holidays = Holiday.objects.filter(tenant=tenant, calendar=OuterRef("pk")).order_by("date").values("date")
    whose = Q(partner__isnull=True) if partner is None else Q(partner=partner) | Q(partner__isnull=True)
    row = (
        BusinessCalendar.objects.filter(whose, tenant=tenant)
        .annotate(holiday_dates=ArraySubquery(holidays))
        .order_by(F("partner_id").asc(nulls_last=True))
        .values("timezone", "weekly_hours", "holiday_dates")
        .first()
    )
    if row is None:
        return WorkCalendar.build(timezone=tenant.timezone, weekly_hours=DEFAULT_WEEK)
    return WorkCalendar.build(
        timezone=row["timezone"], weekly_hours=row["weekly_hours"], holidays=row["holiday_dates"]
    )
