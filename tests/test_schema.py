"""The OpenAPI document is valid, warning-free (every type resolved) and lists every operation; it
states once what a generated client needs (one error model, sort, filters, headers, nullables)."""

import json
import re

import pytest
import yaml
from django.core.management import call_command

from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin
from tests.openapi import types_of
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
        path = re.sub(r"<(?:str|int):(\w+)>", r"{\1}", path)  # an action's own path ids keep their names
        for method in route.methods:
            assert (path, method) in documented, f"{method.upper()} {path} is missing from the schema"


def test_every_operation_documents_its_error_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404"} <= codes, f"{method.upper()} {path}"
            if method in ("post", "put", "patch"):
                assert "400" in codes, f"{method.upper()} {path}"


# --- What a generated client needs (tests/test_generated_client.py drives one) -------------------


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _component(schema, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_every_error_answer_is_the_one_error_model(schema):
    for path, method, operation in _operations(schema):
        for code, answer in operation["responses"].items():
            if code >= "400":
                body = answer["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, f"{method.upper()} {path} {code}"
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["detail"]["type"] == "string"
    assert error["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def test_lists_are_sorted_by_one_comma_separated_sort_and_never_by_ordering(schema):
    sorts = []
    for path, method, operation in _operations(schema):
        names = [parameter["name"] for parameter in operation.get("parameters", [])]
        assert "ordering" not in names, f"{method.upper()} {path}"
        sorts += [(path, p["schema"]) for p in operation.get("parameters", []) if p["name"] == "sort"]
    assert sorts
    for path, sort in sorts:
        assert sort["type"] == "string", path
        assert re.fullmatch(sort["pattern"], sort["examples"][0]), path
    plans = dict(sorts)["/api/v1/plans/"]["pattern"]
    assert re.fullmatch(plans, "-created,name") and not re.fullmatch(plans, "colour")


def test_every_create_that_honours_an_idempotency_key_declares_it_and_only_those_answer_422(schema):
    creates = set()
    for route in all_routes():
        view, actions = route.view_class, getattr(route.callback, "actions", None) or {}
        if route.is_api and actions.get("post") == "create" and issubclass(view, IdempotentCreateMixin):
            creates.add("/" + route.pattern)
    assert {"/api/v1/accounts/", "/api/v1/plans/", "/api/v1/bulk/accounts/"} <= creates
    for path, method, operation in _operations(schema):
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        honours = method == "post" and path in creates
        assert headers == (["Idempotency-Key"] if honours else []), f"{method.upper()} {path}"
        assert ("422" in operation["responses"]) == honours, f"{method.upper()} {path}"


def test_amounts_that_refuse_negatives_have_no_minus_in_their_pattern(schema):
    amounts = {
        "OpportunityRequest": "amount",
        "PatchedOpportunityRequest": "amount",
        "OpportunityRowRequest": "amount",
        "TargetsInputRequest": "day90_pipeline",
    }
    for component, field in amounts.items():
        pattern = schema["components"]["schemas"][component]["properties"][field]["pattern"]
        assert re.search(pattern, "45000.00"), component
        assert not re.search(pattern, "-1.00"), component


def test_a_list_filter_takes_what_its_rows_show(schema):
    """A filter named after a field of the list's rows takes that field's values: the same enum
    component, the same plain type, or the id of the object the field shows."""
    checked = 0
    for path, method, operation in _operations(schema):
        # A download's 200 is the file itself (no JSON): it has no rows.
        content = operation["responses"]["200"]["content"] if method == "get" else {}
        page = content.get("application/json", {}).get("schema", {})
        results = _component(schema, page["$ref"])["properties"].get("results") if "$ref" in page else None
        if results is None:
            continue
        row = _component(schema, results["items"]["$ref"])["properties"]
        for parameter in operation["parameters"]:
            field = row.get(parameter["name"]) or row.get(parameter["name"] + "s", {}).get("items")
            if parameter["in"] != "query" or field is None:
                continue
            taken = parameter["schema"]
            refs = [
                part["$ref"] for part in field.get("oneOf") or field.get("allOf") or [field] if "$ref" in part
            ]
            objects = [_component(schema, ref) for ref in refs if "properties" in _component(schema, ref)]
            if "$ref" in taken:
                assert taken["$ref"] in refs, f"{path} {parameter['name']}"
            elif objects:  # a related object shown as {id, name}: the filter takes its id
                assert types_of(taken) <= types_of(objects[0]["properties"]["id"]), (
                    f"{path} {parameter['name']}"
                )
            else:
                assert types_of(taken) <= types_of(field) and taken.get("format") == field.get("format"), (
                    f"{path} {parameter['name']}: takes {taken}, the rows show {field}"
                )
            checked += 1
    assert checked > 20


def test_nullable_values_are_plain_json_schema(schema):
    """OpenAPI 3.1: a field that may be null says so as JSON Schema does, which strict validators
    and generated clients read alike; no 3.0 `nullable` is left over."""
    assert schema["openapi"].startswith("3.1")
    assert "nullable" not in json.dumps(schema)
    plan = schema["components"]["schemas"]["PlanDetail"]["properties"]
    assert plan["partner"]["oneOf"] == [{"$ref": "#/components/schemas/PartnerRef"}, {"type": "null"}]
    assert types_of(schema["components"]["schemas"]["Targets"]["properties"]["day30_followups"]) == {
        "integer",
        "null",
    }
