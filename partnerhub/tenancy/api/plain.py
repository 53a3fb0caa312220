"""Big lists answered from plain rows: a page is read with `.values()` and turned into the JSON its
serializer would give, without a model instance per row and per related object, and without
DRF's lookup and conversion call for every field of each (together about 0.1 ms a row, most of
the time a 100-row page took).

The serializer stays the one definition of the answer, and of the schema: `PlainRows` reads its
fields once and takes, for each, a column of the queryset and the field's own conversion. Skipped
only where it gives the value back as it is: a text, number or boolean column of that type, a
relation's id or slug (the column holds it). Date-times are written as DRF writes them (ISO 8601
in the current time zone, `Z` for UTC). A field that cannot say where its value is (a custom
`get_attribute`) is given its column by the viewset; many-valued relations and nested lists are
fetched by the viewset for the whole page (`PlainListMixin.page_related`), in a fixed number of
queries. Anything else (a method field, a nested object, a hyperlink) is refused when the rows are
first read, so a serializer this cannot follow fails loudly instead of answering differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from django.conf import settings
from django.utils import timezone
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.settings import ISO_8601, api_settings

from partnerhub.tenancy.scoping import built_once_per_tenant

# How a field's value is written: as the column holds it, as a date-time, by the field's own
# conversion (skipped when the value already has the type that conversion returns), or from the
# values the viewset fetched for the page.
AS_IS, DATETIME, CONVERTED, RELATED = range(4)

# Fields whose conversion gives a value of this type back unchanged (str(), int(), a choice's key).
PLAIN_TYPES = (
    (drf_fields.CharField, str),
    (drf_fields.ChoiceField, str),
    (drf_fields.IntegerField, int),
    (drf_fields.BooleanField, bool),
)
ID_RELATIONS = (relations.SlugRelatedField, relations.PrimaryKeyRelatedField)


def _inherits(field, base, method: str) -> bool:
    return getattr(type(field), method) is getattr(base, method)


def _is_iso_datetime(field) -> bool:
    """A DateTimeField written the default way: ISO 8601, in the current time zone."""
    return (
        settings.USE_TZ
        and isinstance(field, drf_fields.DateTimeField)
        and _inherits(field, drf_fields.DateTimeField, "to_representation")
        and _inherits(field, drf_fields.DateTimeField, "enforce_timezone")
        and not hasattr(field, "timezone")
        and str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601
    )


def _attribute_base(field) -> type:
    return relations.RelatedField if isinstance(field, relations.RelatedField) else drf_fields.Field


def _plain_type(field) -> type | None:
    for base, plain in PLAIN_TYPES:
        if isinstance(field, base) and _inherits(field, base, "to_representation"):
            choice = isinstance(field, drf_fields.ChoiceField)
            if choice and not all(isinstance(key, str) for key in field.choice_strings_to_values.values()):
                return None  # a choice given as a string is answered with its key, of another type
            return plain
    return None


class PlainRows:
    """How to turn `.values()` rows into what `serializer` answers for the same objects, key for key
    and in its order. `columns` names the column of a field that finds its value itself."""

    def __init__(self, serializer, *, columns: Mapping[str, str] | None = None):
        columns = columns or {}
        self.fields: list[tuple] = []  # (name, column, how, conversion, plain type)
        self.nested: dict[str, PlainRows] = {}
        for field in serializer._readable_fields:
            name = field.field_name
            if isinstance(field, relations.ManyRelatedField):
                self._writing(field.child_relation)  # only ids or slugs, which the viewset fetches
                self.fields.append((name, None, RELATED, None, None))
            elif isinstance(field, serializers.ListSerializer):
                self.nested[name] = PlainRows(field.child)
                self.fields.append((name, None, RELATED, self.nested[name], None))
            elif isinstance(field, serializers.BaseSerializer) or field.source == "*":
                raise TypeError(f"{name}: a nested object is no column of a plain row")
            elif name in columns:
                self.fields.append((name, columns[name], *self._writing(field)))
            elif not _inherits(field, _attribute_base(field), "get_attribute"):
                raise TypeError(f"{name} finds its value itself: name its column in `columns`")
            else:
                path = list(field.source_attrs)
                if isinstance(field, relations.SlugRelatedField):
                    path.append(field.slug_field)
                elif isinstance(field, relations.PrimaryKeyRelatedField):
                    path.append("pk")
                self.fields.append((name, "__".join(path), *self._writing(field)))
        self.columns = tuple(dict.fromkeys(field[1] for field in self.fields if field[1]))

    @staticmethod
    def _writing(field) -> tuple:
        """(how, conversion, plain type) of a field that reads one column."""
        if isinstance(field, ID_RELATIONS):
            if getattr(field, "pk_field", None) is not None or not any(
                _inherits(field, base, "to_representation") for base in ID_RELATIONS
            ):
                raise TypeError(f"{field.field_name or field} writes its related object itself")
            return AS_IS, None, None  # the related object's slug or id: what the column holds
        if isinstance(field, relations.RelatedField):
            raise TypeError(f"{field.field_name or field}: only id and slug relations are columns")
        if _is_iso_datetime(field):
            return DATETIME, None, None
        return CONVERTED, field.to_representation, _plain_type(field)

    def represent(
        self, rows: Iterable[Mapping], related: Mapping[str, Mapping] | None = None, tz=None
    ) -> list[dict]:
        """The serializer's answer for `rows`. `related[name][row id]` holds a related field's
        values for that row (ids of a many-valued relation, `.values()` rows of a nested list)."""
        related = related or {}
        tz = tz or timezone.get_current_timezone()
        answer = []
        for row in rows:
            item = {}
            for name, column, how, convert, plain in self.fields:
                if how == RELATED:
                    values = related[name].get(row["id"], ())
                    item[name] = convert.represent(values, tz=tz) if convert else list(values)
                    continue
                value = row[column]
                if value is None or how == AS_IS or type(value) is plain:
                    item[name] = value  # DRF writes None as null without converting it, too
                elif how == DATETIME:
                    text = value.astimezone(tz).isoformat()
                    item[name] = text[:-6] + "Z" if text.endswith("+00:00") else text
                else:
                    item[name] = convert(value)
            answer.append(item)
        return answer


class PlainListMixin:
    """`list` answered from plain rows (see the module): the page of the filtered queryset is read
    with `.values()` and written by `PlainRows` of the viewset's serializer. `plain_columns` names
    the column of fields that find their value themselves; `page_related(ids)` fetches the values
    of many-valued and nested fields for the page's row ids. `plain_selector`, where given, is what
    the list reads instead of `queryset_selector`, when that one also prepares what only the
    serializer needs (prefetches: building them cost a 10-row page a tenth of its time)."""

    plain_columns: ClassVar[dict[str, str]] = {}
    plain_selector: ClassVar = None
    _reading: ClassVar[dict[type, tuple]] = {}

    def _plain_reading(self) -> tuple:
        """The rows' writer and what they are read from, made once per viewset class: the
        selector's queryset as the columns the writer reads, built once per tenant."""
        cls = type(self)
        if cls not in PlainListMixin._reading:
            serializer = self.get_serializer_class()()  # no request: every caller's rows read the same
            rows = PlainRows(serializer, columns=self.plain_columns)
            selector = cls.plain_selector or cls.queryset_selector

            @built_once_per_tenant
            def source(*, tenant):
                return selector(tenant=tenant).prefetch_related(None).values(*rows.columns)

            PlainListMixin._reading[cls] = rows, source
        return PlainListMixin._reading[cls]

    def plain_rows(self) -> PlainRows:
        return self._plain_reading()[0]

    def page_related(self, ids: list[int]) -> dict[str, dict[int, list]]:
        return {}

    def list(self, request, *args, **kwargs):
        rows, source = self._plain_reading()
        page = self.paginate_queryset(self.filter_queryset(self.scoped(source)))
        related = self.page_related([row["id"] for row in page]) if page else {}
        return self.get_paginated_response(rows.represent(page, related))
