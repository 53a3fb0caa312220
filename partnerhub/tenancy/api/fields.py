"""Input fields of the API. Foreign keys are resolved inside the caller's tenant (an id from another
tenant is a 400, never a silent cross-link); ids and date-times are read strictly, so that a
value the database could not hold is a field error here, not a failure deeper down."""

import datetime
import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnerhub.tenancy.models import TenantVertical
from partnerhub.tenancy.selectors import vertical_choices
from partnerhub.tenancy.taxonomy import currency_choices, currency_code

# A plain decimal integer in ASCII: not `true`, `1.9`, " 12", "012" or full-width digits.
PLAIN_ID = re.compile(r"(?:0|[1-9][0-9]{0,18})")
MAX_ID = 2**63 - 1  # PostgreSQL bigint
MAX_INTEGER = 2**31 - 1  # PostgreSQL integer: a count field (IntegerField, PositiveIntegerField)
# Date-times outside these years are typing mistakes; near year 9999 they overflow when moved to
# another time zone.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def plain_id(value) -> int | None:
    """The id `value` names, or None if it is not written as a plain integer."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    if isinstance(value, str) and PLAIN_ID.fullmatch(value) and int(value) <= MAX_ID:
        return int(value)
    return None


class IdField(serializers.IntegerField):
    """The id of an object: a plain integer."""

    default_error_messages = {"invalid": "Send the id as a plain integer, e.g. 42."}

    def to_internal_value(self, data):
        value = plain_id(data)
        if value is None:
            self.fail("invalid")
        return value


class DateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time within years 1900 to 2999."""

    default_error_messages = {
        "out_of_range": f"Enter a date and time between {EARLIEST_YEAR} and {LATEST_YEAR}.",
        "overflow": f"Enter a date and time between {EARLIEST_YEAR} and {LATEST_YEAR}.",
    }

    def to_internal_value(self, value):
        if isinstance(value, datetime.datetime | datetime.date) and not (
            EARLIEST_YEAR <= value.year <= LATEST_YEAR
        ):
            self.fail("out_of_range")
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range")
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            self.fail("out_of_range")
        return parsed


class CurrencyField(serializers.ChoiceField):
    """An active ISO 4217 currency, by its code (any case) or its English name; stored as the code."""

    default_error_messages = {
        "invalid_choice": "“{input}” is not an active ISO 4217 currency: send a code such as USD, EUR or NOK."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", "An active ISO 4217 currency code (USD, EUR, NOK, SEK, DKK…), in any case."
        )
        super().__init__(currency_choices(), **kwargs)

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        code = currency_code(data) if isinstance(data, str) else None
        if code is None:
            self.fail("invalid_choice", input=data)
        return code


class TenantRelatedField(serializers.SlugRelatedField):
    """A related object named by `slug_field` (default: id), looked up with `queryset_for(request)`.

    The queryset is built per request, because tenant-owned managers refuse to query before a
    tenant is active (so a class-level `queryset=` cannot exist).
    """

    def __init__(self, *, queryset_for, slug_field="id", **kwargs):
        self.queryset_for = queryset_for
        kwargs.setdefault("read_only", False)
        super().__init__(slug_field=slug_field, **kwargs)

    def get_queryset(self):
        return self.queryset_for(self.context["request"])

    default_error_messages = {"invalid_id": IdField.default_error_messages["invalid"]}

    def to_internal_value(self, data):
        if self.slug_field == "id":
            data = plain_id(data)
            if data is None:
                self.fail("invalid_id")
        elif not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class TenantEmailRelatedField(TenantRelatedField):
    """A user named by email: addresses are stored lowercased, CRMs send them in any case."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="email", **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data.strip().lower())


VERTICAL_LENGTH = TenantVertical._meta.get_field("value").max_length
VERTICAL_DESCRIPTION = (
    "One of the tenant's verticals, by its value: each tenant keeps its own list (Settings → "
    "Verticals in the portal), which GET /api/v1/verticals/ returns. An archived vertical is refused, "
    "except where the object holds it already."
)


@extend_schema_field({"type": "string", "maxLength": VERTICAL_LENGTH, "description": VERTICAL_DESCRIPTION})
class VerticalField(serializers.CharField):
    """One of the request's tenant's verticals, by value. The list is the tenant's own, so the schema
    documents a string (not an enum) and says where the list lives. An archived vertical is refused
    for new input; the object being changed keeps the one it holds (`vertical_choices(keep=…)`)."""

    default_error_messages = {
        "invalid_choice": "“{input}” is not one of this tenant's verticals (GET /api/v1/verticals/).",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", VERTICAL_LENGTH)
        kwargs["help_text"] = " ".join(filter(None, [kwargs.get("help_text"), VERTICAL_DESCRIPTION]))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if value and value not in self._allowed():
            self.fail("invalid_choice", input=value)
        return value

    def _allowed(self) -> set[str]:
        # Once per serializer (a list of verticals checks each item against the same set).
        if getattr(self, "_allowed_values", None) is None:
            tenant = self.context["request"].tenant
            self._allowed_values = {value for value, _ in vertical_choices(tenant=tenant, keep=self._held())}
        return self._allowed_values

    def _held(self) -> list[str]:
        """What the object being changed holds in this field now (nothing on a create)."""
        field = self.parent if isinstance(self.parent, serializers.ListField) else self
        instance = getattr(self.root, "instance", None)
        if instance is None or isinstance(instance, list) or not field.source:
            return []
        held = getattr(instance, field.source, None) or []
        return [held] if isinstance(held, str) else list(held)


@extend_schema_field(OpenApiTypes.INT)
class TenantIdField(TenantRelatedField):
    """An object named by its id, resolved inside the caller's tenant."""
