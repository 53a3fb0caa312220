"""FX rates as revops keeps them (portal, CSV file, API) and the attribution drill-down a partner
manager reads: who may do what, what a bad file or input answers, and the rule on every row."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.models import DealRegistration
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from reporting.models import FxRate
from tests.conftest import login, make_member
from tests.factories import (
    AccountMappingFactory,
    ApiKeyFactory,
    DealRegistrationFactory,
    FxRateFactory,
    OpportunityFactory,
    PartnerFactory,
    TargetAccountFactory,
)

pytestmark = pytest.mark.django_db
RATES_URL = "/t/northwind/reporting/fx-rates/"
API_RATES = "/api/v1/reporting/fx-rates/"


@pytest.fixture
def revops(tenant):
    return make_member(tenant, Role.REVOPS, email="revops@northwind.example")


@pytest.fixture
def manager(tenant):
    return make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example")


def upload(client, text: str):
    file = SimpleUploadedFile("rates.csv", text.encode(), content_type="text/csv")
    return client.post(RATES_URL + "load/", {"file": file})


def test_a_file_with_bad_rows_loads_nothing_and_names_each_row_and_column(tenant, revops, in_tenant):
    client = login(revops)
    response = upload(
        client,
        "currency,date,rate\nEUR,2026-01-01,1.08\nEURO,2026-01-02,1.09\nGBP,31/01/2026,1.27\n"
        "SEK,2026-01-01,-1\nEUR,2026-01-01,1.10\n",
    )
    assert response.status_code == 200
    problems = [(p.row, p.column) for p in response.context["problems"]]
    assert problems == [(3, "currency"), (4, "date"), (5, "rate"), (6, "date")]
    assert "Nothing was loaded" in response.content.decode()
    assert not FxRate.objects.filter(tenant=tenant).exists()


def test_a_good_file_loads_then_replaces_a_days_rate_with_an_audit_record(tenant, revops, in_tenant):
    client = login(revops)
    response = upload(
        client, "currency;date;rate;quote_currency\neur;2026-01-01;1.08;\nGBP;2026-01-01;1.27;USD\n"
    )
    assert response.status_code == 302
    assert FxRate.objects.filter(tenant=tenant, quote_currency="USD").count() == 2
    response = upload(client, "currency,date,rate\nEUR,2026-01-01,1.0825\nGBP,2026-01-01,1.27\n")
    page = client.get(response.url).content.decode()
    assert "0 new, 1 changed, 1 unchanged" in page
    assert FxRate.objects.get(tenant=tenant, currency="EUR").rate == Decimal("1.0825")
    change = AuditEvent.objects.get(tenant=tenant, action="fx_rate.changed")
    assert (change.before["rate"], change.after["rate"]) == ("1.0800000000", "1.0825000000")


def test_partner_managers_read_rates_but_only_revops_and_admins_change_them(
    tenant, manager, revops, in_tenant
):
    FxRateFactory(tenant=tenant, currency="EUR", rate_date=datetime.date(2026, 1, 1))
    client = login(manager)
    assert "1.0825" in client.get(RATES_URL).content.decode()
    assert client.get(RATES_URL + "new/").status_code == 403
    client.defaults["HTTP_X_TENANT"] = "northwind"
    body = {"currency": "GBP", "rate_date": "2026-01-01", "rate": "1.2"}
    assert client.post(API_RATES, body, content_type="application/json").status_code == 403
    response = login(revops).post(
        RATES_URL + "new/",
        {"currency": "GBP", "quote_currency": "USD", "rate_date": "2026-01-01", "rate": "1.27"},
    )
    assert response.status_code == 302
    assert FxRate.objects.filter(tenant=tenant, currency="GBP").exists()


def test_the_api_sets_replaces_and_refuses_with_field_messages(tenant):
    key = ApiKeyFactory(tenant=tenant)  # the vendor's key acts as revops
    client_headers = {"HTTP_AUTHORIZATION": f"Bearer {key.raw_key}"}
    from django.test import Client

    client = Client(**client_headers)
    body = {"currency": "eur", "rate_date": "2026-02-01", "rate": "1.0800"}
    first = client.post(API_RATES, body, content_type="application/json")
    assert first.status_code == 201 and first.json()["quote_currency"] == "USD"
    again = client.post(API_RATES, {**body, "rate": "1.1"}, content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.json()["rate"] == "1.1000000000"
    same = client.post(API_RATES, {**body, "quote_currency": "EUR"}, content_type="application/json")
    assert same.status_code == 400 and "not into itself" in same.json()["currency"][0]
    negative = client.post(API_RATES, {**body, "rate": "-2"}, content_type="application/json")
    assert negative.status_code == 400
    listed = client.get(API_RATES + "?currency=EUR").json()
    assert [row["rate"] for row in listed["results"]] == ["1.1000000000"]


@pytest.fixture
def attributed(tenant, in_tenant):
    alpha, beta = PartnerFactory(tenant=tenant, name="Alpha"), PartnerFactory(tenant=tenant, name="Beta")
    account = TargetAccountFactory(tenant=tenant, name="Contoso Health")
    opportunity = OpportunityFactory(
        tenant=tenant, account=account, name="Contoso renewal", amount=Decimal("5000")
    )
    DealRegistrationFactory(
        tenant=tenant,
        partner=alpha,
        state=DealRegistration.State.APPROVED,
        opportunity=opportunity,
        protection_ends_at=opportunity.created_at + datetime.timedelta(days=90),
    )
    AccountMappingFactory(tenant=tenant, partner=beta, account=account)
    return {"alpha": alpha, "beta": beta}


def test_the_drill_down_shows_the_rule_of_each_row_and_exports_it(tenant, manager, attributed):
    client = login(manager)
    page = client.get("/t/northwind/reporting/attribution/").content.decode()
    assert "Contoso renewal" in page
    assert "Approved deal registration" in page and "Partner maps the account" in page
    csv = b"".join(client.get("/t/northwind/reporting/attribution/?export=csv").streaming_content).decode()
    assert "Contoso renewal,Contoso Health" in csv and "Approved deal registration" in csv
    only_beta = client.get(f"/t/northwind/reporting/attribution/?partner={attributed['beta'].id}")
    assert [(row.partner_name, row.rules) for row in only_beta.context["rows"]] == [
        ("Beta", ["account_mapping"])
    ]


def test_the_api_pages_rows_with_rules_and_the_split(tenant, manager, attributed):
    client = login(manager)
    client.defaults["HTTP_X_TENANT"] = "northwind"
    body = client.get("/api/v1/reporting/attribution/?kind=sourced").json()
    assert body["count"] == 1
    assert body["results"][0]["rules"] == ["deal_registration"]
    assert body["summary"]["sourced"] == "5000.00"
    assert client.get("/api/v1/reporting/attribution/?period=2026-Q9").status_code == 400
    assert client.get("/api/v1/reporting/attribution/?period=2001-Q1").json()["count"] == 0
    assert client.get("/api/v1/reporting/attribution/?period=all&kind=sourced").json()["count"] == 1


def test_partners_never_see_attribution(tenant, partner_user, attributed):
    client = login(partner_user)
    client.defaults["HTTP_X_TENANT"] = "northwind"
    assert client.get("/t/northwind/reporting/attribution/").status_code == 403
    assert client.get("/api/v1/reporting/attribution/").status_code == 403
    assert client.get(API_RATES).status_code == 403


def test_revops_sets_the_sourced_window_in_the_api_and_the_portal(tenant, revops, manager, in_tenant):
    client = login(revops)
    client.defaults["HTTP_X_TENANT"] = "northwind"
    assert client.get("/api/v1/reporting/settings/").json() == {
        "sourced_window_days": 30,
        "reporting_currency": "USD",
    }
    changed = client.patch(
        "/api/v1/reporting/settings/", {"sourced_window_days": 45}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["sourced_window_days"] == 45
    too_long = client.patch(
        "/api/v1/reporting/settings/", {"sourced_window_days": 400}, content_type="application/json"
    )
    assert too_long.status_code == 400 and "sourced_window_days" in too_long.json()
    event = AuditEvent.objects.get(tenant=tenant, action="reporting_settings.changed")
    assert (event.before, event.after) == ({"sourced_window_days": 30}, {"sourced_window_days": 45})
    pm = login(manager)
    assert 'value="45"' in pm.get("/t/northwind/reporting/settings/").content.decode()
    assert pm.post("/t/northwind/reporting/settings/", {"sourced_window_days": 10}).status_code == 403
    assert (
        login(revops).post("/t/northwind/reporting/settings/", {"sourced_window_days": 10}).status_code == 302
    )


def test_a_file_loads_in_the_same_statements_whatever_its_length(tenant, revops, in_tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.services.fx import fx_rates_load

    def statements(days: int) -> int:
        rows = "".join(f"EUR,2026-01-{day:02d},1.{day:02d}\n" for day in range(1, days + 1))
        with CaptureQueriesContext(connection) as queries:
            fx_rates_load(tenant=tenant, actor=revops, content=f"currency,date,rate\n{rows}".encode())
        return len(queries)

    assert statements(2) == statements(28)  # the second load changes the first two days, adds 26
    assert FxRate.objects.filter(tenant=tenant).count() == 28
