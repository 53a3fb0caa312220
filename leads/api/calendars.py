"""Business calendars: /api/v1/business-calendars/ (list, read, create, change, delete a partner's)
and their holidays, /api/v1/business-calendars/<id>/holidays/ (list, add) and
/api/v1/business-calendars/<id>/holidays/<holiday_id>/ (remove). Staff and API keys read them;
changing them takes the right to change the tenant's settings (tenant admins, signed in): API keys
act with the revops role, which does not have it. Writes go through leads.services.calendars."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from leads.business_time import DEFAULT_WEEK, WEEKDAYS, format_week, parse_week
from leads.models import BusinessCalendar, Holiday
from leads.selectors.calendars import calendar_list, holiday_list
from leads.services import calendars as services
from partnerhub.tenancy.api.fields import DateTimeField, TenantRelatedField
from partnerhub.tenancy.api.viewsets import TenantModelViewSet
from partnerhub.tenancy.roles import can
from partnerhub.tenancy.selectors import partner_choices

CHANGE = "tenant.change"
KEY_REFUSED = (
    "API keys act with the revops role, which cannot change business calendars: a tenant admin "
    "changes them, in the portal or signed in."
)

CLOCK = {"type": "string", "pattern": r"^([01][0-9]|2[0-4]):[0-5][0-9]$", "examples": ["09:00"]}
WEEK_SCHEMA = {
    "type": "object",
    "description": "Working hours per weekday (mon … sun), each a list of intervals [start, end] as "
    '"HH:MM" in the calendar\'s time zone; a weekday left out or empty is closed. An interval starts '
    "before it ends and lies inside its day (24:00 may end it; a night shift is two intervals meeting "
    "at midnight), the intervals of a day do not overlap, and at least one weekday has one. Answers "
    "list every weekday, intervals sorted.",
    "properties": {
        day: {"type": "array", "items": {"type": "array", "items": CLOCK, "minItems": 2, "maxItems": 2}}
        for day in WEEKDAYS
    },
    "additionalProperties": False,
    "examples": [DEFAULT_WEEK],
}


@extend_schema_field(WEEK_SCHEMA)
class WeekField(serializers.JSONField):
    """The week as JSON, refused with the parser's reason (the rules are its, and the services')."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            parse_week(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value

    def to_representation(self, value):
        return format_week(parse_week(value))  # every weekday, as the schema says


class BusinessCalendarSerializer(serializers.ModelSerializer):
    partner = TenantRelatedField(
        queryset_for=lambda request: partner_choices(tenant=request.tenant),
        required=False,
        allow_null=True,
        help_text="The partner whose calendar it is (one each at most); null: the tenant's default, used "
        "for every partner without its own. Set at creation only.",
    )
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)
    time_zone = serializers.CharField(
        source="timezone",
        required=False,
        max_length=BusinessCalendar._meta.get_field("timezone").max_length,
        validators=BusinessCalendar._meta.get_field("timezone").validators,
        help_text="An IANA time zone such as Europe/Berlin: the working hours are read on its clock. "
        "Default at creation: the tenant's.",
    )
    weekly_hours = WeekField(required=False, help_text="Default at creation: Monday to Friday, 09:00-17:00.")
    week_in_words = serializers.CharField(read_only=True, help_text="The week as people read it.")
    holiday_count = serializers.IntegerField(read_only=True)
    created_at = DateTimeField(read_only=True)
    updated_at = DateTimeField(read_only=True)

    class Meta:
        model = BusinessCalendar
        fields = [
            "id",
            "partner",
            "partner_name",
            "name",
            "time_zone",
            "weekly_hours",
            "week_in_words",
            "holiday_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id"]


class BusinessCalendarChangeSerializer(BusinessCalendarSerializer):
    """A change keeps the calendar's partner: it is read-only here."""

    partner = serializers.IntegerField(source="partner_id", read_only=True, allow_null=True)


class HolidaySerializer(serializers.ModelSerializer):
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = Holiday
        fields = ["id", "calendar", "date", "name", "created_at"]
        read_only_fields = ["id", "calendar", "created_at"]
        extra_kwargs = {
            "date": {"help_text": "A whole local day off, once per calendar."},
            "calendar": {"help_text": "The calendar's id."},
        }


class BusinessCalendarViewSet(TenantModelViewSet):
    """The tenant's default calendar and its partners' own: the working hours and holidays the SLA
    clocks run on (docs/leads.md, "Business calendars")."""

    queryset_selector = calendar_list
    serializer_class = BusinessCalendarSerializer
    permission_read = "calendar.view"
    permission_write = CHANGE
    action_permissions = {"holidays": "calendar.view", "holiday_add": CHANGE, "holiday_remove": CHANGE}

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return BusinessCalendarChangeSerializer
        if self.action in ("holidays", "holiday_add", "holiday_remove"):
            return HolidaySerializer
        return super().get_serializer_class()

    def may_change(self) -> None:
        """A key passes the permission on its scopes; the change is judged on the role it acts with
        (a 403 with the reason), once its input has been read like any other caller's."""
        if getattr(self.request, "api_key", None) is not None and not can(self.request.user.role, CHANGE):
            raise PermissionDenied(KEY_REFUSED)

    def _answer(self, calendar_id: int) -> BusinessCalendar:
        return self.get_queryset().get(id=calendar_id)

    def perform_create(self, serializer):
        data = serializer.validated_data
        self.may_change()
        calendar = services.calendar_create(
            tenant=self.request.tenant,
            actor=self.request.user,
            partner=data.get("partner"),
            name=data["name"],
            timezone=data.get("timezone"),
            weekly_hours=data.get("weekly_hours"),
        )
        serializer.instance = self._answer(calendar.id)

    def perform_update(self, serializer):
        data, calendar_id = serializer.validated_data, serializer.instance.id
        self.may_change()
        who = {"tenant": self.request.tenant, "actor": self.request.user, "calendar_id": calendar_id}
        renamed = {field: data[field] for field in services.CHANGEABLE_FIELDS if field in data}
        with transaction.atomic():  # a name and a week sent together change together, or not at all
            if renamed:
                services.calendar_update(**who, **renamed)
            if "weekly_hours" in data:
                services.calendar_hours_set(**who, weekly_hours=data["weekly_hours"])
        serializer.instance = self._answer(calendar_id)

    def perform_destroy(self, instance):
        self.may_change()
        services.calendar_delete(tenant=self.request.tenant, actor=self.request.user, calendar_id=instance.id)

    # --- Holidays --------------------------------------------------------------------------------

    def _holidays(self):
        return self.scoped(holiday_list).filter(calendar_id=self.get_object().id)

    @extend_schema(responses=HolidaySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def holidays(self, request, pk=None):
        """The calendar's holidays, by date."""
        page = self.paginate_queryset(self._holidays())
        return self.get_paginated_response(HolidaySerializer(page, many=True).data)

    @extend_schema(request=HolidaySerializer, responses={201: HolidaySerializer})
    @holidays.mapping.post
    def holiday_add(self, request, pk=None):
        """Add a holiday: a date that is not one already, and its name."""
        serializer = HolidaySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        self.may_change()
        holiday = services.holiday_add(
            tenant=request.tenant,
            actor=request.user,
            calendar_id=self.get_object().id,
            **serializer.validated_data,
        )
        return Response(HolidaySerializer(holiday).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path="holidays/<int:holiday_id>", url_name="holiday")
    def holiday_remove(self, request, pk=None, holiday_id=None):
        """Remove a holiday: the day runs on its weekday's hours again."""
        holiday = get_object_or_404(self._holidays(), pk=holiday_id)
        self.may_change()
        services.holiday_remove(
            tenant=request.tenant, actor=request.user, calendar_id=holiday.calendar_id, holiday_id=holiday.id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: SimpleRouter) -> None:
    router.register("business-calendars", BusinessCalendarViewSet, basename="business-calendar")
