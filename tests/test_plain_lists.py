"""Lists answered from plain rows (partnerhub.tenancy.api.plain) answer byte for byte what their
serializer answers for the same objects. Every such list is found from the routes, so a new one,
or a field added to a serializer, is compared without new test code."""

import datetime
from collections import OrderedDict
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from accounts.models import OpportunityStage
from partnerhub.tenancy.api.plain import PlainListMixin, PlainRows
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.scoping import scope_for
from tests.conftest import make_member
from tests.factories import (
    AccountMappingFactory,
    ApiKeyFactory,
    OpportunityFactory,
    OpportunityInfluenceFactory,
    OpportunityStageChangeFactory,
    PartnerFactory,
    TargetAccountFactory,
)
from tests.routes import all_routes
from tests.test_query_counts import create_filled

PLAIN_LIST_ROUTES = [
    route
    for route in all_routes()
    if route.is_api and route.is_list and issubclass(route.view_class, PlainListMixin)
]


def test_the_big_lists_are_answered_from_plain_rows():
    assert {route.name for route in PLAIN_LIST_ROUTES} >= {
        "account-list",
        "opportunity-list",
        "account-mapping-list",
    }


def serializer_answer(route, tenant, body: dict) -> bytes:
    """What the list's serializer answers for the objects of the page, in the paginator's body."""
    view = route.view_class
    with tenant_context(tenant):
        objects = scope_for(view.queryset_selector(tenant=tenant), tenant=tenant, membership=None)
        page = list(objects.order_by("id")[: len(body["results"])])
        results = view.serializer_class(page, many=True).data
    return JSONRenderer().render(OrderedDict(next=body["next"], previous=body["previous"], results=results))


def listed(route, client, **params):
    response = client.get(reverse(route.name), params)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("route", PLAIN_LIST_ROUTES, ids=str)
def test_a_plain_list_answers_what_its_serializer_answers(tenant, route):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKeyFactory(tenant=tenant, scopes=['read']).raw_key}")
    create_filled(route.view_class.serializer_class.Meta.model, 7, tenant)

    first = listed(route, client, page_size=4)
    body = first.json()
    assert len(body["results"]) == 4
    assert first.content == serializer_answer(route, tenant, body)


@pytest.fixture
def filled(tenant):
    """Rows with every kind of value the three lists show: empty and filled relations, null and
    zero amounts, several currencies, microseconds and none, text JSON escapes specially."""
    owner = make_member(tenant, Role.SALES, email="Owner@Northwind.example")
    # Listed by name, not by id: the first created comes last.
    zeta = PartnerFactory(tenant=tenant, name="Zeta Partners")
    alpha = PartnerFactory(tenant=tenant, name="Alpha")
    plain = TargetAccountFactory(tenant=tenant, name="Ünïcode \u2028 Clinics", industry="", region="")
    busy = TargetAccountFactory(tenant=tenant, owner=owner, senior_buyers_engaged=True, external_id="001-B")
    mixed = TargetAccountFactory(tenant=tenant, name='Quote " and \\ backslash')
    opened = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    first = OpportunityFactory(
        tenant=tenant, account=busy, amount=Decimal("1234.50"), currency="EUR", source_partner=zeta,
        close_date=datetime.date(2026, 1, 31), created_at=opened, stage_changed_at=opened,
    )  # fmt: skip
    OpportunityFactory(tenant=tenant, account=busy, amount=Decimal("0.00"), currency="EUR")
    OpportunityFactory(tenant=tenant, account=mixed, amount=Decimal("10.00"), currency="USD")
    OpportunityFactory(tenant=tenant, account=mixed, amount=Decimal("20.00"), currency="NOK")
    OpportunityFactory(tenant=tenant, account=plain, amount=Decimal("5"), stage=OpportunityStage.CLOSED_WON)
    for partner in (zeta, alpha):
        OpportunityInfluenceFactory(tenant=tenant, opportunity=first, partner=partner)
    for when, (before, after) in enumerate([("", "prospecting"), ("prospecting", "proposal")]):
        changed = opened + datetime.timedelta(days=when, microseconds=when * 17)
        OpportunityStageChangeFactory(
            tenant=tenant, opportunity=first, from_stage=before, to_stage=after, changed_at=changed
        )
    AccountMappingFactory(tenant=tenant, partner=zeta, account=busy, notes="Met at the <summit> & more")
    AccountMappingFactory(tenant=tenant, partner=alpha, account=busy, relationship="active_project")
    AccountMappingFactory(tenant=tenant, partner=alpha, account=plain, created_at=opened)
    return tenant


@pytest.mark.django_db
@pytest.mark.parametrize("route", PLAIN_LIST_ROUTES, ids=str)
def test_every_kind_of_value_is_written_as_the_serializer_writes_it(filled, route):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKeyFactory(tenant=filled, scopes=['read']).raw_key}")

    for params in ({"page_size": 200}, {"page_size": 2}):
        response = listed(route, client, **params)
        assert response.content == serializer_answer(route, filled, response.json())


@pytest.mark.django_db
def test_an_opportunity_page_lists_influencers_by_name_and_history_newest_first(filled):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKeyFactory(tenant=filled, scopes=['read']).raw_key}")

    [first, *_] = client.get("/api/v1/opportunities/").json()["results"]

    with tenant_context(filled):
        by_name = list(Partner.objects.filter(name__in=["Alpha", "Zeta Partners"]).order_by("name"))
    assert first["influencing_partners"] == [partner.id for partner in by_name]
    assert [change["to_stage"] for change in first["stage_history"]] == ["proposal", "prospecting"]
    assert first["stage_history"][1] == {
        "from_stage": "",
        "to_stage": "prospecting",
        "changed_at": "2025-03-04T05:06:07Z",
    }


class Nested(serializers.Serializer):
    id = serializers.IntegerField()


@pytest.mark.parametrize(
    "field",
    [
        serializers.SerializerMethodField(),
        serializers.HyperlinkedRelatedField(view_name="partner-detail", read_only=True),
        serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.CharField()),
        Nested(),
    ],
    ids=["method", "hyperlink", "pk_field", "nested object"],
)
def test_a_field_plain_rows_cannot_follow_is_refused_when_the_rows_are_first_read(field):
    fields = {"id": serializers.IntegerField(), "extra": field}
    listed = type("Listed", (serializers.Serializer,), fields)

    with pytest.raises(TypeError, match="extra"):
        PlainRows(listed())
