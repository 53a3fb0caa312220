"""OpenAPI: the authentication schemes and the error responses of every operation."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers


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
    detail = serializers.CharField(help_text="What went wrong, in words fit to show a user.")


FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Field errors: each invalid field (or `non_field_errors`, or `detail`) with its messages. "
        "A field inside a list or an object is named by its path: `rows[2].domain`, `verticals[0]`; "
        "a path's indexes count from 0, as in JSON (`rows[0]` is what a bulk report calls row 1)."
    ),
    "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
    "example": {"name": ["This field is required."]},
}


class AutoSchema(BaseAutoSchema):
    """Documents the errors every operation can answer with, in the shapes the API really uses."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        errors = {
            # A filter, a body or a refused change (a delete that something depends on).
            "400": FIELD_ERRORS,
            "401": ErrorSerializer,  # no or a revoked key
            "403": ErrorSerializer,  # a read key writing, or a role that may not act
            "404": ErrorSerializer,  # outside the caller's tenant or partner, or no such tenant
            "429": ErrorSerializer,  # over PARTNERHUB_API_RATE: retry after the Retry-After seconds
            "500": ErrorSerializer,  # a fault of ours, logged; never an answer to bad input
        }
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors["409"] = ErrorSerializer  # conflicts with stored data, or a retry still running
        if self.method in ("POST", "PUT", "PATCH"):
            errors["413"] = ErrorSerializer  # the body is over the size limit
        if self.method == "POST":
            errors["422"] = ErrorSerializer  # an Idempotency-Key reused for a different request
        for code, body in errors.items():
            responses.setdefault(code, self._get_response_for_code(body, code, direction=direction))
        return responses


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
