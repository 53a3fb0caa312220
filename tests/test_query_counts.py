"""Every list page and list endpoint runs the same number of queries for 5 rows as for 50.

List routes are found from the URL configuration (tests/routes.py), so a new list is covered
without new test code; its model's rows come from `<Model>Factory`.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role, can
from tests.conftest import login, make_member
from tests.factories import MembershipFactory, PartnerFactory
from tests.routes import all_routes, factory_for, owned_by_partner

LIST_ROUTES = [route for route in all_routes() if route.is_list]


def open_to_partner_users(route) -> bool:
    view = route.view_class
    permission = view.permission_read if route.is_api else view.permission
    return permission is None or can(Role.PARTNER_USER, permission)


PARTNER_LIST_ROUTES = [route for route in LIST_ROUTES if open_to_partner_users(route)]


def listed_model(route, tenant):
    if route.is_api:
        return route.view_class.serializer_class.Meta.model
    with tenant_context(tenant):
        return route.view_class.queryset_selector(tenant=tenant).model


def queries_for(client, url, **headers) -> int:
    client.get(url, **headers)  # the session's first request does one-off work (last tenant)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured)


def test_every_kind_of_list_is_measured():
    assert any(route.is_api for route in LIST_ROUTES)
    assert any(route.is_portal for route in LIST_ROUTES)
    assert any(route.is_api for route in PARTNER_LIST_ROUTES)
    assert any(route.is_portal for route in PARTNER_LIST_ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("route", LIST_ROUTES, ids=str)
def test_list_query_count_does_not_grow_with_rows(tenant, route):
    admin = make_member(tenant, Role.TENANT_ADMIN)
    factory = factory_for(listed_model(route, tenant))
    client = login(admin)
    url = reverse(route.name, kwargs={"tenant_slug": tenant.slug} if route.is_portal else {})
    headers = {"HTTP_X_TENANT": tenant.slug} if route.is_api else {}
    factory.create_batch(5, tenant=tenant)
    with_5 = queries_for(client, url, **headers)
    factory.create_batch(45, tenant=tenant)
    with_50 = queries_for(client, url, **headers)
    assert with_50 == with_5


@pytest.mark.django_db
@pytest.mark.parametrize("route", PARTNER_LIST_ROUTES, ids=str)
def test_partner_users_list_query_count_does_not_grow_with_rows(tenant, partner, partner_user, route):
    model = listed_model(route, tenant)
    client = login(partner_user)
    url = reverse(route.name, kwargs={"tenant_slug": tenant.slug} if route.is_portal else {})
    headers = {"HTTP_X_TENANT": tenant.slug} if route.is_api else {}

    def add(count):  # rows of their own company, and rows they must not see
        factory_for(model).create_batch(count, tenant=tenant)
        for _ in range(count):
            owned_by_partner(model, tenant, partner)

    add(5)
    with_5 = queries_for(client, url, **headers)
    add(45)
    assert queries_for(client, url, **headers) == with_5


@pytest.mark.django_db
def test_dashboard_and_partner_page_query_counts_do_not_grow(tenant):
    client = login(make_member(tenant, Role.TENANT_ADMIN))
    partner = PartnerFactory(tenant=tenant)

    def add(count):
        PartnerFactory.create_batch(count, tenant=tenant)
        MembershipFactory.create_batch(count, tenant=tenant, role=Role.PARTNER_USER, partner=partner)

    add(5)
    pages = ["/t/northwind/", f"/t/northwind/partners/{partner.id}/"]
    before = [queries_for(client, page) for page in pages]
    add(45)
    assert [queries_for(client, page) for page in pages] == before


@pytest.mark.django_db
def test_partner_home_query_count_does_not_grow(tenant, partner, partner_user):
    client = login(partner_user)
    MembershipFactory.create_batch(5, tenant=tenant, role=Role.PARTNER_USER, partner=partner)
    before = queries_for(client, "/t/northwind/")
    MembershipFactory.create_batch(45, tenant=tenant, role=Role.PARTNER_USER, partner=partner)
    assert queries_for(client, "/t/northwind/") == before
