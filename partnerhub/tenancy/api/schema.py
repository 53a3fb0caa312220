"""OpenAPI: the authentication schemes, the one error model, and what every operation shares."""

import re

from django.core.validators import MinValueValidator
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from partnerhub.tenancy.api.viewsets import MAX_IDEMPOTENCY_KEY_LENGTH, IdempotentCreateMixin
from partnerhub.tenancy.filters import SortFilter


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partnerhub.tenancy.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A tenant API key (created by a tenant admin in Settings → API keys). The key "
            "decides the tenant: an `X-Tenant` header, if sent, must name that tenant, else the answer "
            "is a 400 naming the header.",
        }


class TenantSessionScheme(OpenApiAuthenticationExtension):
    target_class = "partnerhub.tenancy.api.authentication.TenantSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A portal session; the tenant is the X-Tenant header or the one last opened.",
        }


class ErrorSerializer(serializers.Serializer):
    """The one error model of the API (the `Error` component): every 4xx and 5xx answer has it."""

    detail = serializers.CharField(
        required=False,
        help_text="What went wrong with the request as a whole, in words fit to show a user.",
    )


class ErrorSchema(OpenApiSerializerExtension):
    """`detail`, or field messages: each other key names a field (`non_field_errors` for the object
    as a whole) with its list of messages. So a generated client reads any error as one type."""

    target_class = ErrorSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = {"type": "array", "items": {"type": "string"}}
        schema["description"] = (
            "An error: `detail` about the request as a whole, or field messages, each invalid field "
            "(or `non_field_errors`) with its list of messages. A field inside a list or an object is "
            "named by its path: `rows[2].domain`, `verticals[0]`; a path's indexes count from 0, as in "
            "JSON (`rows[0]` is what a bulk report calls row 1)."
        )
        schema["examples"] = [{"detail": "Not found."}, {"name": ["This field is required."]}]
        return schema


# Why each error answer is given, as its response description says.
ERRORS = {
    "400": "The input is wrong: field messages, or a `detail` (a filter, a page, a body or a refused step).",
    "401": "No credentials, or an unknown or revoked key.",
    "403": "A read key sent a change, or the role does not allow it.",
    "404": "Not found, or outside what the caller may see (the same answer).",
    "409": "A conflict with stored data, or a retry of an Idempotency-Key still in progress.",
    "413": "The body is over the size limit.",
    "422": "An Idempotency-Key reused for a different request.",
    "429": "Over the rate limit: retry after the seconds the Retry-After header says.",
    "500": "A fault of ours, logged; never an answer to bad input.",
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes the create safe to retry: a retry with the same key and body gets the first answer "
    f"again (with `Idempotent-Replayed: true`) instead of creating twice. At most "
    f"{MAX_IDEMPOTENCY_KEY_LENGTH} characters; kept for 24 hours, private to the caller.",
)


class AutoSchema(BaseAutoSchema):
    """What every operation shares, stated once: its error answers (the one `Error` model), the
    `Idempotency-Key` of a create that honours it, and number patterns as strict as the fields."""

    def _honours_idempotency_key(self) -> bool:
        return self._is_create_operation() and isinstance(self.view, IdempotentCreateMixin)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._honours_idempotency_key():
            parameters = [IDEMPOTENCY_KEY, *parameters]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        codes = ["400", "401", "403", "404", "429", "500"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("413")
        if self._honours_idempotency_key():
            codes.append("422")
        for code in sorted(codes):
            error = OpenApiResponse(ErrorSerializer, description=ERRORS[code])
            responses.setdefault(code, self._get_response_for_code(error, code, direction=direction))
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions=bypass_extensions)
        # A decimal sent as a string is described by a pattern, which drf-spectacular always lets
        # start with a minus: drop it where the field refuses negative amounts.
        if isinstance(field, serializers.DecimalField) and _refuses_negatives(field):
            pattern = schema.get("pattern", "")
            if pattern.startswith("^-?"):
                schema["pattern"] = "^" + pattern[len("^-?") :]
        return schema


def _refuses_negatives(field: serializers.DecimalField) -> bool:
    minimums = [field.min_value] if field.min_value is not None else []
    minimums += [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    return any(minimum >= 0 for minimum in minimums)


# --- Postprocessing hooks (SPECTACULAR_SETTINGS) -------------------------------------------------


def nullable_as_json_schema(result, generator, request, public):
    """Postprocessing hook: what drf-spectacular copies in as OpenAPI 3.0 (DRF's paginated answers
    mark `next` and `previous` `nullable`) is rewritten the 3.1 way, `type: [string, "null"]`: 3.1
    has no `nullable`, and a strict validator would refuse the null of a last page."""
    pending = [result]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if node.pop("nullable", False):
            types = node.get("type")
            if isinstance(types, str):
                node["type"] = [types, "null"]
            elif isinstance(types, list) and "null" not in types:
                types.append("null")
            elif types is None:
                inner = {key: node.pop(key) for key in list(node) if key not in ("description", "readOnly")}
                node["oneOf"] = [inner, {"type": "null"}]
        pending.extend(node.values())
    return result


# --- Filters ------------------------------------------------------------------------------------


class FilterBackendSchema(DjangoFilterExtension):
    """The list filters of partnerhub.tenancy.api.filtering.FilterBackend. `sort` is one string of
    comma-separated keys, as the server reads it (`sort=-created,name`): an array would be sent by a
    generated client as repeated parameters, of which the server reads only the last."""

    target_class = "partnerhub.tenancy.api.filtering.FilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if isinstance(filter_field, SortFilter):
            return [sort_parameter(field_name, filter_field)]
        return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)


def sort_parameter(name: str, sort: SortFilter) -> dict:
    keys = list(sort.param_map)
    key = "-?(?:{})".format("|".join(re.escape(key) for key in keys))
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{sort.extra['help_text']} Keys: {', '.join(f'`{key}`' for key in keys)}.",
        "schema": {
            "type": "string",
            "pattern": f"^{key}(?:,{key})*$",
            "examples": [f"-{keys[-1]},{keys[0]}"],
        },
    }


def filters_typed_like_their_fields(result, generator, request, public):
    """Postprocessing hook: a list's filter named after a field of its rows takes that field's type,
    so a client can send back a value it read. An enum filter takes the field's enum component
    (`stage=` an AccountStageEnum, `region=` a RegionEnum as in `regions`), and where the field
    is a plain value, its plain type (`quarter=` the integer `quarter` shows; the allowed values stay
    in the description)."""
    schemas = result.get("components", {}).get("schemas", {})
    for path_item in result.get("paths", {}).values():
        operation = path_item.get("get", {})
        row = _row_of_list(operation, schemas)
        if row is None:
            continue
        for parameter in operation.get("parameters", []):
            field = _filtered_field(row, parameter["name"])
            if parameter["in"] == "query" and "enum" in parameter["schema"] and field is not None:
                parameter["schema"] = _typed_like(parameter["schema"], field, schemas)
    return result


def _component(ref: str, schemas: dict) -> dict:
    return schemas[ref.rsplit("/", 1)[1]]


def _row_of_list(operation: dict, schemas: dict) -> dict | None:
    """The schema of a row of a paginated list's `results`, or None for any other operation."""
    answer = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
    page = answer.get("schema", {})
    if "$ref" not in page:
        return None
    items = _component(page["$ref"], schemas).get("properties", {}).get("results", {}).get("items", {})
    return _component(items["$ref"], schemas) if "$ref" in items else None


def _filtered_field(row: dict, name: str) -> dict | None:
    properties = row.get("properties", {})
    if name in properties:
        return properties[name]
    return properties.get(f"{name}s", {}).get("items")  # `vertical=` filters the list `verticals`


def _typed_like(parameter: dict, field: dict, schemas: dict) -> dict:
    refs = [field["$ref"]] if "$ref" in field else []
    refs += [part["$ref"] for part in field.get("allOf", []) + field.get("oneOf", []) if "$ref" in part]
    for ref in refs:
        if set(parameter["enum"]) <= set(_component(ref, schemas).get("enum", [])):
            return {"$ref": ref}
    field_types = field.get("type")
    field_types = set(field_types) if isinstance(field_types, list) else {field_types}
    if refs or "enum" in field or parameter.get("type") not in field_types:
        return parameter
    plain = {key: value for key, value in parameter.items() if key != "enum"}
    if plain["type"] == "integer":
        plain.update(minimum=min(parameter["enum"]), maximum=max(parameter["enum"]))
    return plain
