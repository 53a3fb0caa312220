"""Settings → Business calendars: the tenant's default calendar and the partners' own, their weeks
and holidays. Staff who may view the tenant's settings read them; changing them takes the right to
change the tenant's settings (`tenant.change`), which the services check too, each change audited."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from leads.business_time import DEFAULT_WEEK, describe_week
from leads.forms.calendars import CalendarCreateForm, CalendarForm, HolidayForm, WeekForm
from leads.selectors.calendars import calendar_list, holiday_list
from leads.services import calendars as services
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView, TenantView
from partnerhub.tenancy.scoping import scope_for

CHANGE = "tenant.change"
BUILTIN_WEEK = describe_week(DEFAULT_WEEK)


def calendar_list_url(tenant) -> str:
    return reverse("leads:calendar_list", kwargs={"tenant_slug": tenant.slug})


def holiday_list_url(tenant, calendar) -> str:
    return reverse(
        "leads:holiday_list", kwargs={"tenant_slug": tenant.slug, "business_calendar_id": calendar.id}
    )


class CalendarView(TenantView):
    permission = "calendar.view"
    queryset_selector = calendar_list


class CalendarListView(CalendarView, TenantListView):
    """The default first, then the partners' calendars by name: zone, week, holidays, last change."""

    template_name = "leads/calendar_list.html"
    partial_template_name = "leads/partials/_calendar_table.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            can_change=self.can(CHANGE),
            has_default=any(calendar.partner_id is None for calendar in context["rows"]),
            builtin_week=BUILTIN_WEEK,
        )
        return context


class CalendarCreateView(CalendarView, ServiceFormView):
    permission = CHANGE
    template_name = "leads/calendar_form.html"
    form_class = CalendarCreateForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        has_default = self.get_queryset().filter(partner__isnull=True).exists()
        kwargs.update(tenant=self.tenant, has_default=has_default)
        return kwargs

    def save(self, data):
        return services.calendar_create(
            tenant=self.tenant,
            actor=self.request.user,
            partner=data["partner"],
            name=data["name"],
            timezone=data["timezone"],
        )

    def success_message(self, calendar) -> str:
        whose = calendar.partner.name if calendar.partner_id else "the tenant's default"
        return f"Calendar “{calendar.name}” created for {whose}, open {calendar.week_in_words}: set its week."

    def saved_url(self, calendar) -> str:
        return reverse(
            "leads:calendar_hours",
            kwargs={"tenant_slug": self.tenant.slug, "business_calendar_id": calendar.id},
        )


class CalendarObjectView(CalendarView):
    object_kwarg = "business_calendar_id"


class CalendarUpdateView(CalendarObjectView, ServiceFormView):
    permission = CHANGE
    template_name = "leads/calendar_form.html"
    form_class = CalendarForm

    def get_initial(self):
        return {"name": self.object.name, "timezone": self.object.timezone}

    def save(self, data):
        return services.calendar_update(
            tenant=self.tenant,
            actor=self.request.user,
            calendar_id=self.object.id,
            name=data["name"],
            timezone=data["timezone"],
        )

    def success_message(self, calendar) -> str:
        return f"Calendar “{calendar.name}” saved: its hours are read on {calendar.timezone} time."

    def saved_url(self, calendar) -> str:
        return calendar_list_url(self.tenant)


class CalendarHoursView(CalendarObjectView, ServiceFormView):
    """The week: per weekday up to two intervals. The service says what is wrong with a week."""

    permission = CHANGE
    template_name = "leads/calendar_hours.html"
    form_class = WeekForm

    def get_initial(self):
        return WeekForm.initial_for(self.object.weekly_hours)

    def save(self, data):
        return services.calendar_hours_set(
            tenant=self.tenant,
            actor=self.request.user,
            calendar_id=self.object.id,
            weekly_hours=data["weekly_hours"],
        )

    def success_message(self, calendar) -> str:
        return f"Working hours of “{calendar.name}”: {calendar.week_in_words}."

    def saved_url(self, calendar) -> str:
        return calendar_list_url(self.tenant)


class CalendarDeleteView(CalendarObjectView, TenantConfirmView):
    permission = CHANGE
    confirm_label = "Delete calendar"

    @property
    def title(self):
        return f"Delete the calendar “{self.object.name}”?"

    def message(self):
        if self.object.partner_id is None:
            return ""  # refused: see refusal()
        return (
            f"{self.object.partner.name}'s clocks then run on the tenant's default calendar (or, without "
            f"one, {BUILTIN_WEEK} in the tenant's time zone). Its holidays go with it."
        )

    def refusal(self):
        if self.object.partner_id is None:
            return "The tenant's default calendar cannot be deleted: change its hours instead."
        return ""

    def perform(self):
        services.calendar_delete(tenant=self.tenant, actor=self.request.user, calendar_id=self.object.id)
        return f"Calendar “{self.object.name}” deleted: {self.object.partner.name} runs on the default."

    def success_url(self):
        return calendar_list_url(self.tenant)


class HolidayListView(CalendarObjectView, TenantListView):
    """One calendar's holidays, by date, with the form to add one; `?export=csv` downloads them.
    The URL names the calendar, so the list is read from it rather than a tenant-wide selector."""

    queryset_selector = None
    template_name = "leads/holiday_list.html"
    partial_template_name = "leads/partials/_holiday_table.html"
    paginate_by = 100
    csv_name = "holidays"
    csv_columns = [("Date", "date"), ("Name", "name"), ("Calendar", "calendar.name")]

    def get_object(self):
        if getattr(self, "_object", None) is None:
            calendars = scope_for(
                calendar_list(tenant=self.tenant), tenant=self.tenant, membership=self.membership
            )
            self._object = get_object_or_404(calendars, pk=self.kwargs[self.object_kwarg])
        return self._object

    def get_queryset(self):
        holidays = scope_for(holiday_list(tenant=self.tenant), tenant=self.tenant, membership=self.membership)
        return holidays.filter(calendar=self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_change = self.can(CHANGE)
        context.update(can_change=can_change, form=HolidayForm() if can_change else None)
        return context


class HolidayCreateView(CalendarObjectView, ServiceFormView):
    permission = CHANGE
    template_name = "leads/holiday_form.html"
    form_class = HolidayForm

    def save(self, data):
        return services.holiday_add(
            tenant=self.tenant,
            actor=self.request.user,
            calendar_id=self.object.id,
            date=data["date"],
            name=data["name"],
        )

    def success_message(self, holiday) -> str:
        return f"{holiday.date.isoformat()} ({holiday.name}) is a day off in “{self.object.name}”."

    def saved_url(self, holiday) -> str:
        return holiday_list_url(self.tenant, self.object)


class HolidayDeleteView(TenantConfirmView):
    permission = CHANGE
    queryset_selector = holiday_list
    object_kwarg = "holiday_id"
    confirm_label = "Remove holiday"

    def get_object(self):
        if getattr(self, "_object", None) is None:
            self._object = get_object_or_404(
                self.get_queryset(),
                pk=self.kwargs["holiday_id"],
                calendar_id=self.kwargs["business_calendar_id"],
            )
        return self._object

    @property
    def title(self):
        return f"Remove the holiday {self.object.date.isoformat()} ({self.object.name})?"

    def message(self):
        return (
            f"It becomes an ordinary {self.object.date.strftime('%A')} of “{self.object.calendar.name}” "
            "again: deadlines computed from now on count its working hours."
        )

    def perform(self):
        services.holiday_remove(
            tenant=self.tenant,
            actor=self.request.user,
            calendar_id=self.object.calendar_id,
            holiday_id=self.object.id,
        )
        return f"{self.object.date.isoformat()} is no longer a holiday in “{self.object.calendar.name}”."

    def success_url(self):
        return holiday_list_url(self.tenant, self.object.calendar)


CALENDAR = "settings/calendars/<int:business_calendar_id>/"

urlpatterns = [
    path("settings/calendars/", CalendarListView.as_view(), name="calendar_list"),
    path("settings/calendars/new/", CalendarCreateView.as_view(), name="calendar_create"),
    path(f"{CALENDAR}edit/", CalendarUpdateView.as_view(), name="calendar_update"),
    path(f"{CALENDAR}hours/", CalendarHoursView.as_view(), name="calendar_hours"),
    path(f"{CALENDAR}delete/", CalendarDeleteView.as_view(), name="calendar_delete"),
    path(f"{CALENDAR}holidays/", HolidayListView.as_view(), name="holiday_list"),
    path(f"{CALENDAR}holidays/new/", HolidayCreateView.as_view(), name="holiday_create"),
    path(f"{CALENDAR}holidays/<int:holiday_id>/remove/", HolidayDeleteView.as_view(), name="holiday_delete"),
]
