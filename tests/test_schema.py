"""The OpenAPI document is valid, warning-free (every type resolved) and lists every operation."""

import json
import re

import pytest
import yaml
from django.core.management import call_command

from tests.routes import all_routes


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_schema_is_valid_openapi_3_without_warnings(schema):
    assert schema["openapi"].startswith("3.")
    assert set(schema["components"]["securitySchemes"]) == {"apiKey", "session"}


def test_every_api_operation_is_in_the_schema(schema):
    documented = {(path, method) for path, operations in schema["paths"].items() for method in operations}
    for route in all_routes():
        if not route.is_api:
            continue
        path = "/" + re.sub(r"<(?:str|int):pk>", "{id}", route.pattern)
        for method in route.methods:
            assert (path, method) in documented, f"{method.upper()} {path} is missing from the schema"


def test_every_operation_documents_its_error_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404"} <= codes, f"{method.upper()} {path}"
            if method in ("post", "put", "patch"):
                assert "400" in codes, f"{method.upper()} {path}"


def _types(spec: dict) -> set:
    types = spec.get("type")
    return set(types) if isinstance(types, list) else {types}


def test_nullable_values_are_plain_json_schema(schema):
    """OpenAPI 3.1: a field that may be null says so as JSON Schema does, which strict validators
    and generated clients read alike; no 3.0 `nullable` is left over."""
    assert schema["openapi"].startswith("3.1")
    assert "nullable" not in json.dumps(schema)
    plan = schema["components"]["schemas"]["PlanDetail"]["properties"]
    assert plan["partner"]["oneOf"] == [{"$ref": "#/components/schemas/PartnerRef"}, {"type": "null"}]
    assert _types(schema["components"]["schemas"]["Targets"]["properties"]["day30_followups"]) == {
        "integer",
        "null",
    }
