"""Dashboard series in the API: read from the rollups; a partner's people and keys read only their
own company's series, and another partner's id answers as an unknown one."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from reporting.services.rollups import rollups_refresh
from tests.conftest import login
from tests.factories import ApiKeyFactory, LeadFactory, OpportunityFactory, ProgramFactory
from tests.reporting.journey import sourced_by

pytestmark = pytest.mark.django_db
URL = "/api/v1/reporting/series/"


@pytest.fixture
def figures(tenant, partner, other_partner):
    now = timezone.now()
    LeadFactory(tenant=tenant, program=ProgramFactory(tenant=tenant, partner=partner, launched_at=now))
    LeadFactory(tenant=tenant, program=ProgramFactory(tenant=tenant, partner=other_partner, launched_at=now))
    opportunity = OpportunityFactory(
        tenant=tenant, amount=Decimal("750.00"), currency=tenant.default_currency
    )
    sourced_by(tenant, opportunity, partner)
    rollups_refresh(tenant)


def session(user):
    """A signed-in person's API client: the session names its tenant with X-Tenant."""
    client = login(user)
    client.defaults["HTTP_X_TENANT"] = "northwind"
    return client


def test_staff_read_a_series_for_all_partners_or_one(tenant, admin_user, partner, figures):
    client = session(admin_user)

    everyone = client.get(URL, {"metric": "leads", "periods": 3}).json()
    one = client.get(URL, {"metric": "pipeline_sourced", "partner": partner.id}).json()

    assert [point["count"] for point in everyone["points"]] == [0, 0, 2]
    assert everyone["partner"] is None and everyone["refreshed_at"]
    assert len(one["points"]) == 12 and one["points"][-1]["value"] == "750.00"


def test_a_partner_reads_its_own_series_only(tenant, partner, partner_user, other_partner, figures):
    client = session(partner_user)

    own = client.get(URL, {"metric": "leads", "period": "week", "periods": 1}).json()
    other = client.get(URL, {"metric": "leads", "partner": other_partner.id})
    missing = client.get(URL, {"metric": "leads", "partner": 999999})

    assert own["partner"] == partner.id and own["points"][0]["count"] == 1
    assert other.status_code == 400 and missing.status_code == 400
    assert other.json() == missing.json()  # no hint that the other partner exists


def test_a_partner_key_is_scoped_like_its_people(tenant, partner, other_partner, figures):
    key = ApiKeyFactory(tenant=tenant, partner=partner, scopes=["read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")

    body = client.get(URL, {"metric": "leads", "periods": 1}).json()

    assert body["partner"] == partner.id and body["points"][0]["count"] == 1


def test_bad_input_is_a_400_on_the_field(tenant, admin_user):
    client = session(admin_user)

    assert "metric" in client.get(URL).json()
    assert "period" in client.get(URL, {"metric": "leads", "period": "day"}).json()
    assert "periods" in client.get(URL, {"metric": "leads", "periods": 1000}).json()
