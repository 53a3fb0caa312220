"""Forms of the business-calendar settings pages. They shape input; the rules of a week (times,
order, overlaps, at least one working day) are the parser's, reported by the services."""

from __future__ import annotations

from django import forms

from leads.business_time import WEEKDAYS, format_week, parse_week
from leads.models import BusinessCalendar, Holiday
from leads.selectors.calendars import partners_without_calendar
from partnerhub.tenancy.models import validate_timezone

CALENDAR = BusinessCalendar._meta

DAY_LABELS = dict(
    zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)
)
INTERVALS_PER_DAY = 2


class CalendarForm(forms.Form):
    """A calendar's name and time zone."""

    name = forms.CharField(
        max_length=CALENDAR.get_field("name").max_length,
        help_text="Shown in settings, e.g. “Contoso (Berlin office)”.",
    )
    timezone = forms.CharField(
        label="Time zone",
        max_length=CALENDAR.get_field("timezone").max_length,
        validators=[validate_timezone],
        help_text=CALENDAR.get_field("timezone").help_text,
    )


class CalendarCreateForm(CalendarForm):
    """A new calendar for a partner that has none, or the tenant's default while there is none."""

    field_order = ["partner", "name", "timezone"]

    partner = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, tenant, has_default: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        field.queryset = partners_without_calendar(tenant=tenant)
        if has_default:
            field.required = True
            field.help_text = "Partners without a calendar of their own run on the tenant's default."
        else:
            field.empty_label = "None: the tenant's default calendar"
            field.help_text = (
                "Leave empty for the tenant's default, which every partner without its own uses."
            )
        self.fields["timezone"].initial = tenant.timezone


class WeekForm(forms.Form):
    """Per weekday up to two intervals, each a start and an end as HH:MM (24:00 may end one); a day
    left empty is closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            for number in range(1, INTERVALS_PER_DAY + 1):
                for side in ("start", "end"):
                    label = f"{DAY_LABELS[day]}, interval {number}, {side}"
                    self.fields[f"{day}_{number}_{side}"] = forms.CharField(
                        label=label,
                        required=False,
                        max_length=5,
                        widget=forms.TextInput(
                            attrs={"placeholder": "HH:MM", "size": 5, "aria-label": label}
                        ),
                    )

    @classmethod
    def initial_for(cls, weekly_hours: dict) -> dict:
        """The form's fields filled from a stored week (a week with more intervals than the form
        shows keeps only its first ones here)."""
        week = format_week(parse_week(weekly_hours))
        initial = {}
        for day, intervals in week.items():
            for number, (start, end) in enumerate(intervals[:INTERVALS_PER_DAY], start=1):
                initial[f"{day}_{number}_start"], initial[f"{day}_{number}_end"] = start, end
        return initial

    def rows(self) -> list[dict]:
        """One row per weekday for the template: its label and its intervals' bound fields."""
        return [
            {
                "label": DAY_LABELS[day],
                "intervals": [
                    (self[f"{day}_{number}_start"], self[f"{day}_{number}_end"])
                    for number in range(1, INTERVALS_PER_DAY + 1)
                ],
            }
            for day in WEEKDAYS
        ]

    def clean(self):
        data = super().clean()
        week: dict[str, list[list[str]]] = {}
        for day in WEEKDAYS:
            week[day] = []
            for number in range(1, INTERVALS_PER_DAY + 1):
                start, end = data.get(f"{day}_{number}_start", ""), data.get(f"{day}_{number}_end", "")
                if bool(start) != bool(end):
                    missing = f"{day}_{number}_{'end' if start else 'start'}"
                    self.add_error(missing, f"Give {DAY_LABELS[day]}'s interval {number} a start and an end.")
                elif start:
                    week[day].append([start.strip(), end.strip()])
        data["weekly_hours"] = week
        return data


class HolidayForm(forms.Form):
    """A day off; the service refuses a date that is a holiday of the calendar already."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(
        max_length=Holiday._meta.get_field("name").max_length, help_text="e.g. “Christmas Day”."
    )
