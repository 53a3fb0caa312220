"""Business calendars: a partner's (or the tenant's default) working hours in an IANA time zone,
and its holidays. Deadlines of the SLA clocks are computed on them (leads.business_time)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.timezone import now

from leads.business_time import DEFAULT_WEEK, describe_week, parse_week
from partnerhub.tenancy.models import validate_timezone
from partnerhub.tenancy.scoping import TenantScopedModel


def default_week() -> dict:
    return {day: [list(interval) for interval in intervals] for day, intervals in DEFAULT_WEEK.items()}


def validate_weekly_hours(value) -> None:
    try:
        parse_week(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class BusinessCalendar(TenantScopedModel):
    """Working hours and holidays. One per partner at most, and one without a partner: the tenant's
    default, used for every partner that has none of its own.

    The week is one validated JSON value ({"mon": [["09:00", "17:00"]], ...}) rather than a row per
    interval: it is only ever read whole (into leads.business_time.WorkCalendar, with the calendar,
    in one query), replaced whole by one service and audited as one before/after value; no query
    ever selects by an interval. Its rules (times, order, no overlaps) live in one parser."""

    partner = models.ForeignKey(
        "tenancy.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="business_calendars",
        help_text="Empty: the tenant's default calendar.",
    )
    name = models.CharField(max_length=120)
    timezone = models.CharField(
        "time zone",
        max_length=64,
        validators=[validate_timezone],
        help_text="Working hours are read on this zone's clock, e.g. Europe/Berlin.",
    )
    weekly_hours = models.JSONField(
        default=default_week,
        validators=[validate_weekly_hours],
        help_text='Per weekday, intervals as ["HH:MM", "HH:MM"]; a weekday left out is closed.',
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # nulls_distinct=False: the tenant has at most one default (partner empty) as well.
            models.UniqueConstraint(
                fields=["tenant", "partner"], name="business_calendar_one_per_partner", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def week_in_words(self) -> str:
        return describe_week(self.weekly_hours)


class Holiday(TenantScopedModel):
    """A whole local day off in one calendar, whatever the hours of its weekday."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=now)

    partner_scope = "calendar__partner_id"

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "calendar", "date"], name="holiday_one_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date.isoformat()})"
