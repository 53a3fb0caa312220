"""Tenant and partner isolation, walked over every URL route and API operation.

For each route the walker creates the objects its URL names in tenant B and calls every method
as tenant A: the answer is 404 and no table changes. Partner user P1 calling with partner P2's
objects gets the same, and so does P1's partner-scoped API key, which also never lists P2's rows
and is refused (403) wherever a partner user's role is. A route the walker cannot cover fails
`test_every_route_is_covered`; the meta tests at the end show a leaking route would fail the walk.
"""

import json
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from partnerhub.tenancy.actors import PARTNER_KEY_ROLE
from partnerhub.tenancy.models import ApiKey, Partner, Tenant, User
from partnerhub.tenancy.roles import PARTNER_ROLES, Role, can
from tests.conftest import login, make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import ApiKeyFactory, PartnerFactory, TenantFactory
from tests.openapi import schema_document, types_of
from tests.routes import Route, all_routes, factory_for, owned_by_partner, tenant_models, uncovered

ROUTES = all_routes()
PORTAL_ROUTES = [route for route in ROUTES if route.is_portal]
API_ROUTES = [route for route in ROUTES if route.is_api]
OBJECT_ROUTES = [route for route in PORTAL_ROUTES + API_ROUTES if route.object_kwargs]
API_LIST_ROUTES = [route for route in API_ROUTES if route.is_list]


@dataclass
class World:
    tenant_a: Tenant
    tenant_b: Tenant
    admin_a: User
    key_a: ApiKey
    partner_1: Partner
    partner_2: Partner
    partner_user_1: User
    partner_key_1: ApiKey  # partner P1's read-write key


@pytest.fixture
def world(db) -> World:
    tenant_a = TenantFactory(slug="tenant-a")
    tenant_b = TenantFactory(slug="tenant-b")
    partner_1 = PartnerFactory(tenant=tenant_a, name="P1")
    return World(
        tenant_a=tenant_a,
        tenant_b=tenant_b,
        admin_a=make_member(tenant_a, Role.TENANT_ADMIN),
        key_a=ApiKeyFactory(tenant=tenant_a, scopes=["read", "write"]),
        partner_1=partner_1,
        partner_2=PartnerFactory(tenant=tenant_a, name="P2"),
        partner_user_1=make_member(tenant_a, Role.PARTNER_ADMIN, partner=partner_1),
        partner_key_1=ApiKeyFactory(tenant=tenant_a, partner=partner_1, scopes=["read", "write"]),
    )


def objects_in(tenant: Tenant, route: Route) -> dict[str, int]:
    """A fresh object in `tenant` for every object id the route's URL carries."""
    return {kwarg: factory_for(route.model_for(kwarg))(tenant=tenant).pk for kwarg in route.object_kwargs}


def objects_of_partner(tenant: Tenant, partner: Partner, route: Route) -> dict[str, int]:
    return {
        kwarg: owned_by_partner(route.model_for(kwarg), tenant, partner).pk for kwarg in route.object_kwargs
    }


def call(client: Client, route: Route, method: str, kwargs: dict, **headers):
    url = reverse(route.name, kwargs=kwargs)
    send = getattr(client, method)
    if route.is_api:
        return send(
            url, data=json.dumps({}) if method != "get" else None, content_type="application/json", **headers
        )
    return send(url, data={}, **headers)


def assert_refused(client: Client, route: Route, kwargs: dict, **headers) -> None:
    for method in route.methods:
        before = fingerprint()
        response = call(client, route, method, kwargs, **headers)
        url = reverse(route.name, kwargs=kwargs)
        assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}, not 404"
        assert changed_tables(before, fingerprint()) == [], f"{method.upper()} {url} changed data"


def key_client(key: ApiKey) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")


# --- Coverage -----------------------------------------------------------------------------------


def test_every_route_is_covered():
    assert uncovered(ROUTES) == []
    assert PORTAL_ROUTES and API_ROUTES


def test_a_route_the_walker_cannot_build_fails_coverage():
    def stray_view(request):
        raise AssertionError("never called")

    problems = uncovered(
        [
            Route("reports/export/", "reports_export", stray_view),
            Route(
                "t/<slug:tenant_slug>/widgets/<int:widget_id>/",
                "widgets:detail",
                stray_view,
                ["tenant_slug", "widget_id"],
            ),
        ]
    )
    assert any("reports/export/" in problem and "PUBLIC_ROUTES" in problem for problem in problems)
    assert any("'widget_id' names no tenant-owned model" in problem for problem in problems)
    assert any("does not inherit TenantView" in problem for problem in problems)


# --- Tenant isolation ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", PORTAL_ROUTES, ids=str)
def test_portal_route_refuses_another_tenant(world, route):
    client = login(world.admin_a)
    # Tenant A's admin on tenant B's URL, with B's objects: the same 404 as a tenant that does not exist.
    assert_refused(client, route, {"tenant_slug": world.tenant_b.slug, **objects_in(world.tenant_b, route)})
    if route.object_kwargs:
        # Tenant A's own URL carrying tenant B's object ids.
        assert_refused(
            client, route, {"tenant_slug": world.tenant_a.slug, **objects_in(world.tenant_b, route)}
        )


@pytest.mark.parametrize("route", API_ROUTES, ids=str)
def test_api_route_refuses_another_tenant(world, route):
    session = login(world.admin_a)
    kwargs_b = objects_in(world.tenant_b, route)
    # A session naming a tenant its user does not belong to.
    assert_refused(session, route, kwargs_b, HTTP_X_TENANT=world.tenant_b.slug)
    if route.object_kwargs:
        # Tenant A's key, A's partner key, and A's session in A, on tenant B's object ids.
        assert_refused(key_client(world.key_a), route, kwargs_b)
        assert_refused(key_client(world.partner_key_1), route, kwargs_b)
        assert_refused(session, route, kwargs_b, HTTP_X_TENANT=world.tenant_a.slug)


@pytest.mark.parametrize("route", API_LIST_ROUTES, ids=str)
def test_api_list_never_shows_another_tenants_rows(world, route):
    model = route.view_class.serializer_class.Meta.model
    factory = factory_for(model)
    own, foreign = factory(tenant=world.tenant_a), factory(tenant=world.tenant_b)
    response = key_client(world.key_a).get(reverse(route.name))
    ids = {row["id"] for row in response.json()["results"]}
    assert own.pk in ids
    assert foreign.pk not in ids
    # A partner key of tenant A: nothing of tenant B either (its own rows, or a 403).
    foreign_partners = owned_by_partner(model, world.tenant_b, PartnerFactory(tenant=world.tenant_b))
    partner_answer = key_client(world.partner_key_1).get(reverse(route.name))
    assert partner_answer.status_code in (200, 403)
    if partner_answer.status_code == 200:
        assert {foreign.pk, foreign_partners.pk}.isdisjoint(listed_ids(partner_answer))


def listed_ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- Partner isolation --------------------------------------------------------------------------


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_partner_user_cannot_reach_another_partners_objects(world, route):
    client = login(world.partner_user_1)
    kwargs = objects_of_partner(world.tenant_a, world.partner_2, route)
    headers = {"HTTP_X_TENANT": world.tenant_a.slug} if route.is_api else {}
    if route.is_portal:
        kwargs["tenant_slug"] = world.tenant_a.slug
    assert_refused(client, route, kwargs, **headers)


# --- Partner-scoped API keys --------------------------------------------------------------------


def required_permission(route: Route, method: str) -> str | None:
    """The role permission the route's view asks of a user for `method` (RolePermissionMixin)."""
    view = route.view_class
    action = (getattr(route.callback, "actions", None) or {}).get(method)
    if action in getattr(view, "action_permissions", {}):
        return view.action_permissions[action]
    return getattr(view, "permission_read" if method == "get" else "permission_write", None)


def open_to_partner_keys(route: Route, method: str) -> bool:
    permission = required_permission(route, method)
    return permission is None or can(PARTNER_KEY_ROLE, permission)


API_OBJECT_ROUTES = [route for route in API_ROUTES if route.object_kwargs]
# Operations a partner key's role may not call, whatever its scopes.
STAFF_ONLY = [
    (route, method)
    for route in API_ROUTES
    for method in route.methods
    if not open_to_partner_keys(route, method)
]


def check_partner_key_objects(world: World, route: Route) -> None:
    """P1's key on P2's objects: the 404 of an object that does not exist, under every method, and
    nothing stored changes."""
    assert_refused(
        key_client(world.partner_key_1), route, objects_of_partner(world.tenant_a, world.partner_2, route)
    )


def check_partner_key_list(world: World, route: Route) -> None:
    """P1's key lists P1's rows (where its role may list) and never P2's nor staff-only ones."""
    model = route.view_class.serializer_class.Meta.model
    own = owned_by_partner(model, world.tenant_a, world.partner_1)
    theirs = owned_by_partner(model, world.tenant_a, world.partner_2)
    response = key_client(world.partner_key_1).get(reverse(route.name))
    if not open_to_partner_keys(route, "get"):
        assert (response.status_code, response.json()) == (403, {"detail": "Your role does not allow this."})
        return
    assert response.status_code == 200, response.content
    ids = listed_ids(response)
    assert theirs.pk not in ids, f"{route} lists partner P2's row to P1's key"
    if model.partner_scope is not None:
        assert own.pk in ids, f"{route} hides P1's own row from P1's key"


@pytest.mark.parametrize("route", API_OBJECT_ROUTES, ids=str)
def test_a_partner_key_cannot_reach_another_partners_objects(world, route):
    check_partner_key_objects(world, route)


@pytest.mark.parametrize("route", API_LIST_ROUTES, ids=str)
def test_a_partner_key_never_lists_another_partners_rows(world, route):
    check_partner_key_list(world, route)


@pytest.mark.parametrize(
    "operation", STAFF_ONLY, ids=lambda operation: f"{operation[1].upper()} {operation[0]}"
)
def test_a_partner_key_is_refused_where_a_partner_users_role_is(world, operation):
    """A read-write partner key passes its scope check; the role check of a partner user refuses it:
    a 403 with the reason, or the 404 of an object its scope hides (a staff-only row)."""
    route, method = operation
    kwargs = objects_of_partner(world.tenant_a, world.partner_1, route)
    visible = all(route.model_for(kwarg).partner_scope is not None for kwarg in route.object_kwargs)
    before = fingerprint()
    response = call(key_client(world.partner_key_1), route, method, kwargs)
    expected = (
        (403, {"detail": "Your role does not allow this."}) if visible else (404, {"detail": "Not found."})
    )
    assert (response.status_code, response.json()) == expected, f"{method.upper()} {route}"
    assert changed_tables(before, fingerprint()) == [], f"{method.upper()} {route} changed data"


def test_the_staff_only_operations_are_found():
    names = {(route.name, method) for route, method in STAFF_ONLY}
    assert {("handoff-list", "post"), ("handoff-recall", "post"), ("lead-list", "get")} <= names
    assert ("handoff-accept", "post") not in names


# --- Partner writes: ids in the body ------------------------------------------------------------

DOCUMENT = schema_document()
# Body fields that name an object by id, by the name of the model they point to (the field name
# without _id/_ids, or one of these). A new id field whose model cannot be told fails the walk.
ID_FIELD_MODELS = {"account": "targetaccount", "master": "activationpackage", "owner": None}
# Sent to every partner-writable operation besides its documented fields: an id a route does not
# document must be ignored, never resolved.
PROBE_FIELDS = ("partner", "partner_id", "account", "account_id", "plan", "program")


def _operation(route: Route, method: str) -> dict:
    path = "/" + re.sub(r"<(?:str|int):pk>", "{id}", route.pattern)
    return DOCUMENT["paths"][path][method]


def _body_properties(operation: dict) -> dict:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema.get("properties", {})


def _is_id_field(name: str, spec: dict) -> bool:
    integer = "integer" in types_of(spec) | types_of(spec.get("items", {}))
    return integer and (name.endswith(("_id", "_ids")) or name in ID_FIELD_MODELS or name in tenant_models())


def _model_named(field: str):
    base = re.sub(r"_ids?$", "", field)
    name = ID_FIELD_MODELS.get(base, base.replace("_", ""))
    return tenant_models().get(name) if name else None


def partner_writes() -> list[tuple[Route, str]]:
    writes = []
    for route in API_ROUTES:
        view = route.view_class
        actions = getattr(route.callback, "actions", {}) or {}
        for method in route.methods:
            if method not in ("post", "put", "patch"):
                continue
            action = actions.get(method)
            permission = view.action_permissions.get(action) or view.permission_write
            if permission is None or any(can(role, permission) for role in PARTNER_ROLES):
                writes.append((route, method))
    return writes


PARTNER_WRITES = partner_writes()


def test_the_partner_writes_are_found():
    assert any(route.name == "account-claim-list" for route, _ in PARTNER_WRITES)


@pytest.mark.parametrize("principal", ["session", "partner_key"])
@pytest.mark.parametrize("write", PARTNER_WRITES, ids=lambda write: f"{write[1].upper()} {write[0]}")
def test_a_partner_user_cannot_name_an_object_it_may_not_read_in_a_body(world, write, principal):
    route, method = write
    client = login(world.partner_user_1) if principal == "session" else key_client(world.partner_key_1)
    kwargs = objects_of_partner(world.tenant_a, world.partner_1, route)
    properties = _body_properties(_operation(route, method))
    fields = {name for name, spec in properties.items() if _is_id_field(name, spec)} | set(PROBE_FIELDS)
    for field in sorted(fields):
        model = _model_named(field)
        assert model is not None or field in PROBE_FIELDS, f"{route}: which model does the id {field!r} name?"
        if model is None:
            continue
        # A row of the tenant that partner user 1 may not read: partner 2's, or a staff-only one.
        hidden = owned_by_partner(model, world.tenant_a, world.partner_2)
        value = [hidden.pk] if "array" in types_of(properties.get(field, {})) else hidden.pk
        before = fingerprint()
        response = call_with(client, route, method, kwargs, {field: value}, HTTP_X_TENANT=world.tenant_a.slug)
        assert response.status_code >= 400 or field not in properties, (
            f"{method.upper()} {route} accepted {field}={hidden.pk} of an object the partner may not read"
        )
        if response.status_code >= 400:
            assert changed_tables(before, fingerprint()) == [], f"{method.upper()} {route} changed data"
        assert str(hidden) not in response.content.decode(), f"{method.upper()} {route} told {hidden}"


def call_with(client: Client, route: Route, method: str, kwargs: dict, body: dict, **headers):
    url = reverse(route.name, kwargs=kwargs)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", **headers)


# --- The walker catches a leak ------------------------------------------------------------------


def test_the_walker_catches_a_route_that_leaks_to_a_partner_key(world, settings):
    settings.ROOT_URLCONF = "tests.leaky_routes"
    routes = {route.name: route for route in all_routes(get_resolver("tests.leaky_routes"))}
    assert uncovered(list(routes.values())) == []  # it is walked like any other route...
    with pytest.raises(AssertionError, match="lists partner P2's row to P1's key"):
        check_partner_key_list(world, routes["leaky-handoff-list"])  # ...and its list leak is caught
    for name in ("leaky-handoff-detail", "leaky-handoff-accept"):
        with pytest.raises(AssertionError, match="not 404"):
            check_partner_key_objects(world, routes[name])
