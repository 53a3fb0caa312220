"""The OpenAPI document the API serves at /api/schema/, generated in process (no request, no
database), as plain JSON: what schemathesis, the walker and the generated client read."""

import json

from drf_spectacular.generators import SchemaGenerator


def schema_document() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def types_of(spec: dict) -> set:
    """A property's types: OpenAPI 3.1 writes a nullable one as a list, `["integer", "null"]`."""
    types = spec.get("type")
    return set(types) if isinstance(types, list) else {types}
