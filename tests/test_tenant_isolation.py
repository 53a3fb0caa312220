"""Tenant and partner isolation, walked over every URL route and API operation.

For each route the walker creates the objects its URL names in tenant B and calls every method
as tenant A: the answer is 404 and no table changes. Partner user P1 calling with partner P2's
objects gets the same. A route the walker cannot cover fails `test_every_route_is_covered`.
"""

import json
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from partnerhub.tenancy.models import ApiKey, Partner, Tenant, User
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import ApiKeyFactory, PartnerFactory, TenantFactory
from tests.routes import Route, all_routes, factory_for, owned_by_partner, uncovered

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
        # Tenant A's key, and A's session in A, on tenant B's object ids.
        assert_refused(key_client(world.key_a), route, kwargs_b)
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


# --- Partner isolation --------------------------------------------------------------------------


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_partner_user_cannot_reach_another_partners_objects(world, route):
    client = login(world.partner_user_1)
    kwargs = objects_of_partner(world.tenant_a, world.partner_2, route)
    headers = {"HTTP_X_TENANT": world.tenant_a.slug} if route.is_api else {}
    if route.is_portal:
        kwargs["tenant_slug"] = world.tenant_a.slug
    assert_refused(client, route, kwargs, **headers)
