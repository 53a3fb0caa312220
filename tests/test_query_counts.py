"""Every list page and list endpoint runs the same number of queries for 5 rows as for 50.

List routes are found from the URL configuration (tests/routes.py), so a new list is covered
without new test code; its model's rows come from `<Model>Factory`.
"""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mdf.selectors.funds import current_quarter
from mdf.services import allocation_create, fund_create
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Partner, User
from partnerhub.tenancy.roles import Role, can
from tests.conftest import login, make_member
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
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


def _related_row(model, tenant):
    if model is User:
        return UserFactory()
    if model is ContentType:
        return ContentType.objects.get_for_model(Partner)
    factory = factory_for(model)
    assert factory is not None, f"no {model.__name__}Factory to fill a relation with"
    return factory(tenant=tenant)


def create_filled(model, count: int, tenant) -> None:
    """`count` rows with every relation they may leave empty filled too, each with an object of
    its own: a list that serializes or renders it without select_related then grows a query per
    row, and the counts below differ."""
    rows = factory_for(model).create_batch(count, tenant=tenant)
    optional = [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one and field.null and field.name not in UNFILLED.get(model.__name__, ())
    ]
    with tenant_context(tenant):
        for row in rows:
            empty = [field for field in optional if getattr(row, field.attname) is None]
            for field in empty:
                setattr(row, field.name, _related_row(field.related_model, tenant))
            if empty:
                row.save(update_fields=[field.name for field in empty])


# Optional relations left empty, and why.
UNFILLED = {
    # A play names the plan's market and quarter (one play per market per quarter): set by step 4.
    "Plan": ("play",),
    # Only partner roles have a partner (a check constraint): the factory's staff member has none.
    "Membership": ("partner",),
    # One scope per policy (a check constraint): the factory's are partners'; the programs' are
    # counted with every scope in tests/leads/test_sla_policies.py.
    "SlaPolicy": ("program",),
    # Ledger entries are never updated (the database refuses it), so none can be filled afterwards;
    # the lists read the concerned type with the entry (select_related) and show no actor but its label.
    "LedgerEntry": ("concerns_type", "actor", "api_key"),
    # One source per kind (a check constraint): the factory's requests are strategic; the list shows
    # a proposal's template and a catalog request's item by id only (tests/mdf/test_requests_api.py).
    "FundRequest": ("catalog_item", "template"),
}


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
    model = listed_model(route, tenant)
    client = login(admin)
    url = reverse(route.name, kwargs={"tenant_slug": tenant.slug} if route.is_portal else {})
    headers = {"HTTP_X_TENANT": tenant.slug} if route.is_api else {}
    create_filled(model, 10, tenant)
    with_10 = queries_for(client, url, **headers)
    create_filled(model, 90, tenant)
    with_100 = queries_for(client, url, **headers)
    assert with_100 == with_10


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


@pytest.mark.django_db
def test_the_funds_page_and_my_funds_query_counts_do_not_grow(tenant, partner, partner_user):
    """The funds of a quarter with their bars, a fund's allocations, and a partner's My funds: the
    same queries for 1 fund as for 7, each with more partners and pools."""
    quarter = current_quarter(tenant=tenant)

    def fund_with(name, partners):
        with tenant_context(tenant):
            fund = fund_create(
                tenant=tenant,
                actor=None,
                name=name,
                year=quarter.year,
                quarter=quarter.quarter,
                amount=Decimal("9000"),
            )
            for owner in partners:
                allocation_create(
                    tenant=tenant, actor=None, fund_id=fund.id, partner_id=owner.id, amount=Decimal("10")
                )
            allocation_create(
                tenant=tenant, actor=None, fund_id=fund.id, tier="one_to_many", amount=Decimal("10")
            )
        return fund

    first = fund_with("First", [partner])
    staff, mine = login(make_member(tenant, Role.PARTNER_MANAGER)), login(partner_user)
    pages = [
        (staff, "/t/northwind/funds/"),
        (staff, f"/t/northwind/funds/{first.id}/"),
        (mine, "/t/northwind/my-funds/"),
    ]
    before = [queries_for(client, url) for client, url in pages]
    for n in range(6):
        fund_with(f"More {n}", [partner, *PartnerFactory.create_batch(3, tenant=tenant)])
    with tenant_context(tenant):
        for other in PartnerFactory.create_batch(5, tenant=tenant):
            allocation_create(
                tenant=tenant, actor=None, fund_id=first.id, partner_id=other.id, amount=Decimal("10")
            )
    assert [queries_for(client, url) for client, url in pages] == before
