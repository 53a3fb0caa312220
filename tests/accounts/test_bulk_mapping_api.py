"""The bulk API with a saved mapping: a nightly sync sends its CRM's own column names and values as
the CRM exports them, names the tenant's saved mapping beside `rows`, and the rows are read as an
upload through that mapping is; a rejection names the CRM's column. An unknown name (another
tenant's included) is a 400 listing the tenant's names; GET /api/v1/import-mappings/ lists them."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import AccountMapping, ImportJob, Opportunity, TargetAccount
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from tests.api_cases import bearer, session
from tests.conftest import make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import ApiKeyFactory, ImportMappingFactory, TargetAccountFactory

ACCOUNTS = "/api/v1/bulk/accounts/"
OPPORTUNITIES = "/api/v1/bulk/opportunities/"
MAPPINGS = "/api/v1/bulk/account-mappings/"
IMPORT_MAPPINGS = "/api/v1/import-mappings/"
JSON = "application/json"

# A Salesforce accounts report as the tenant saved its mapping: Industry is ignored (the tenant's
# Salesforce industries are not its verticals).
SALESFORCE_ACCOUNTS = {
    "Account Name": "name",
    "Website": "domain",
    "Billing Country": "country",
    "Account ID": "external_id",
    "Account Owner": "owner",
    "Industry": "",
}
SALESFORCE_OPPORTUNITIES = {
    "Opportunity ID": "external_id",
    "Opportunity Name": "name",
    "Account ID": "account_external_id",
    "Stage": "stage",
    "Amount": "amount",
    "Close Date": "close_date",
}


@pytest.fixture
def api(tenant) -> Client:
    return bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))


@pytest.fixture
def accounts_report(tenant):
    return ImportMappingFactory(
        tenant=tenant,
        kind=ImportJob.Kind.ACCOUNTS,
        name="Salesforce accounts report",
        columns=SALESFORCE_ACCOUNTS,
    )


@pytest.fixture
def opportunities_report(tenant):
    return ImportMappingFactory(
        tenant=tenant,
        kind=ImportJob.Kind.OPPORTUNITIES,
        name="Salesforce opportunities report",
        columns=SALESFORCE_OPPORTUNITIES,
        options={"date_order": "mdy", "decimal_mark": ".", "currency": "EUR"},
    )


def post(client: Client, url: str, body, **headers):
    return client.post(url, json.dumps(body), content_type=JSON, **headers)


def salesforce_account(number: int, **cells) -> dict:
    return {
        "Account Name": f"Woodgrove {number}",
        "Website": f"https://www.woodgrove{number}.example/about",
        "Billing Country": "Germany",
        "Account ID": f"001A00000{number}",
        "Account Owner": "Dana Whitfield",
        "Industry": "Mining & Metals",
        **cells,
    }


# --- Rows keyed by the CRM's columns -----------------------------------------------------------


@pytest.mark.django_db
def test_a_salesforce_payload_through_a_saved_mapping_creates_the_accounts(tenant, api, accounts_report):
    owner = make_member(tenant, Role.SALES, full_name="Dana Whitfield")

    response = post(
        api,
        ACCOUNTS,
        {"mapping": "salesforce ACCOUNTS report", "rows": [salesforce_account(1), salesforce_account(2)]},
    )

    assert response.status_code == 200
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": []}
    with tenant_context(tenant):
        accounts = list(TargetAccount.objects.order_by("external_id"))
    assert [(a.external_id, a.name, a.domain) for a in accounts] == [
        ("001A000001", "Woodgrove 1", "woodgrove1.example"),
        ("001A000002", "Woodgrove 2", "woodgrove2.example"),
    ]
    # The owner by full name, the region from the billing country, the ignored Industry left out.
    assert {(a.owner_id, a.region, a.industry) for a in accounts} == {(owner.id, "dach", "")}


@pytest.mark.django_db
def test_a_rejection_names_the_crm_column_and_the_field(tenant, api, accounts_report):
    make_member(tenant, Role.SALES, full_name="Dana Whitfield")
    rows = [
        salesforce_account(1, Website="not a domain"),
        salesforce_account(2, **{"account owner": "Nobody Known"}),  # the CRM's key in another case
        {"Website": "woodgrove3.example"},  # a new account without its name column
        salesforce_account(4),
    ]

    body = post(api, ACCOUNTS, {"mapping": accounts_report.name, "rows": rows}).json()

    assert body["created"] == 1
    assert [(e["row"], e["column"], e["field"]) for e in body["rejected"]] == [
        (1, "Website", "domain"),
        (2, "account owner", "owner"),
        (3, "Account Name", "name"),
    ]
    assert "Nobody Known" in body["rejected"][1]["reason"]


@pytest.mark.django_db
def test_us_dates_and_currency_amounts_through_an_opportunities_mapping(tenant, api, opportunities_report):
    account = TargetAccountFactory(tenant=tenant, external_id="001A000001")
    rows = [
        {
            "Opportunity ID": "006A000001",
            "Opportunity Name": "Woodgrove expansion",
            "Account ID": "001A000001",
            "Stage": "Proposal/Price Quote",
            "Amount": "USD 45,000.00",
            "Close Date": "03/04/2027",
        },
        {
            "Opportunity ID": "006A000002",
            "Opportunity Name": "Woodgrove renewal",
            "Account ID": "001A000001",
            "Stage": "Closed Won",
            "Amount": "12,500.50",
            "Close Date": "12/31/2026",
        },
        {
            "Opportunity ID": "006A000003",
            "Account ID": "001A000001",
            "Amount": "1,000",
            "Close Date": "31/12/2026",
        },
    ]

    body = post(api, OPPORTUNITIES, {"mapping": "Salesforce opportunities report", "rows": rows}).json()

    assert body["created"] == 2
    # Month first, as the mapping reads dates: 31/12/2026 is no date.
    assert [(e["row"], e["column"], e["field"]) for e in body["rejected"]] == [
        (3, "Close Date", "close_date")
    ]
    with tenant_context(tenant):
        opportunities = {o.external_id: o for o in Opportunity.objects.filter(account=account)}
    first, second = opportunities["006A000001"], opportunities["006A000002"]
    assert (first.amount, first.currency, first.close_date, first.stage) == (
        Decimal("45000.00"),
        "USD",
        datetime.date(2027, 3, 4),
        "proposal",
    )
    # An amount without a currency takes the mapping's default currency, not the tenant's (USD).
    assert (second.amount, second.currency, second.close_date, second.stage) == (
        Decimal("12500.50"),
        "EUR",
        datetime.date(2026, 12, 31),
        "closed_won",
    )


@pytest.mark.django_db
def test_a_partners_accounts_through_a_mapping_of_that_kind(tenant, api, partner):
    account = TargetAccountFactory(tenant=tenant, domain="woodgrove.example")
    ImportMappingFactory(
        tenant=tenant,
        kind=ImportJob.Kind.MAPPINGS,
        name="Contoso's CRM",
        columns={"Company Domain Name": "domain", "Partner relationship": "relationship"},
    )

    body = post(
        api,
        MAPPINGS,
        {
            "partner": partner.id,
            "mapping": "contoso's crm",
            "rows": [{"Company Domain Name": "woodgrove.example", "Partner relationship": "Active project"}],
        },
    ).json()

    assert (body["created"], body["rejected"]) == (1, [])
    with tenant_context(tenant):
        assert AccountMapping.objects.get(account=account, partner=partner).relationship == "active_project"


# --- Unknown names ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_mapping_name_is_a_400_listing_the_tenants_names_of_that_kind(
    tenant, api, accounts_report, opportunities_report
):
    ImportMappingFactory(tenant=tenant, kind=ImportJob.Kind.ACCOUNTS, name="HubSpot companies export")
    before = fingerprint()

    response = post(api, ACCOUNTS, {"mapping": "Salesforce report", "rows": [salesforce_account(1)]})

    assert response.status_code == 400
    assert list(response.json()) == ["mapping"]
    (message,) = response.json()["mapping"]
    assert "“Salesforce report”" in message
    assert "“HubSpot companies export”, “Salesforce accounts report”" in message
    assert "opportunities report" not in message  # another kind's name
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_a_mapping_of_another_kind_is_unknown_to_an_endpoint(tenant, api, opportunities_report):
    response = post(api, ACCOUNTS, {"mapping": opportunities_report.name, "rows": [salesforce_account(1)]})

    assert response.status_code == 400
    assert response.json()["mapping"] == [
        "No saved mapping of kind “accounts” is named “Salesforce opportunities report”: this tenant has "
        "none of that kind yet (save one in an import's mapping step)."
    ]


@pytest.mark.django_db
def test_another_tenants_mapping_name_is_unknown(tenant, other_tenant, api, accounts_report):
    ImportMappingFactory(
        tenant=other_tenant,
        kind=ImportJob.Kind.ACCOUNTS,
        name="Globex CRM export",
        columns=SALESFORCE_ACCOUNTS,
    )
    before = fingerprint()

    response = post(api, ACCOUNTS, {"mapping": "Globex CRM export", "rows": [salesforce_account(1)]})

    assert response.status_code == 400
    # The caller's own mapping is listed, nothing of Globex's.
    assert response.json()["mapping"] == [
        "No saved mapping of kind “accounts” is named “Globex CRM export”. This tenant's are: "
        "“Salesforce accounts report”."
    ]
    assert changed_tables(before, fingerprint()) == []


# --- Idempotency --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_idempotency_key_replays_a_mapped_call_and_refuses_it_with_another_mapping(
    tenant, api, accounts_report
):
    ImportMappingFactory(
        tenant=tenant, kind=ImportJob.Kind.ACCOUNTS, name="Other report", columns=SALESFORCE_ACCOUNTS
    )
    body = {"mapping": accounts_report.name, "rows": [salesforce_account(1, **{"Account Owner": ""})]}
    first = post(api, ACCOUNTS, body, HTTP_IDEMPOTENCY_KEY="nightly-2026-12-01")

    replay = post(api, ACCOUNTS, body, HTTP_IDEMPOTENCY_KEY="nightly-2026-12-01")
    other = post(
        api, ACCOUNTS, {**body, "mapping": "Other report"}, HTTP_IDEMPOTENCY_KEY="nightly-2026-12-01"
    )

    assert first.json()["created"] == 1
    assert (replay.json(), replay["Idempotent-Replayed"]) == (first.json(), "true")
    assert other.status_code == 422


@pytest.mark.django_db
def test_a_refused_mapping_name_leaves_the_idempotency_key_free(tenant, api, accounts_report):
    rows = [salesforce_account(1, **{"Account Owner": ""})]
    refused = post(api, ACCOUNTS, {"mapping": "Typo report", "rows": rows}, HTTP_IDEMPOTENCY_KEY="sync-7")

    corrected = post(
        api, ACCOUNTS, {"mapping": accounts_report.name, "rows": rows}, HTTP_IDEMPOTENCY_KEY="sync-7"
    )

    assert refused.status_code == 400
    assert (corrected.status_code, corrected.json()["created"]) == (200, 1)


# --- The list of saved mappings -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_import_mappings_list_shows_the_tenants_own_filtered_by_kind(
    tenant, other_tenant, accounts_report, opportunities_report
):
    ImportMappingFactory(tenant=other_tenant, kind=ImportJob.Kind.OPPORTUNITIES, name="Globex deals")
    reader = bearer(ApiKeyFactory(tenant=tenant, scopes=["read"]))

    everything = reader.get(IMPORT_MAPPINGS).json()["results"]
    opportunities = reader.get(IMPORT_MAPPINGS, {"kind": "opportunities"}).json()["results"]

    assert [(row["kind"], row["name"]) for row in everything] == [
        ("accounts", "Salesforce accounts report"),
        ("opportunities", "Salesforce opportunities report"),
    ]
    assert opportunities == [
        {
            "id": opportunities_report.id,
            "name": "Salesforce opportunities report",
            "kind": "opportunities",
            "columns": SALESFORCE_OPPORTUNITIES,
            "options": {
                "date_order": "mdy",
                "decimal_mark": ".",
                "currency": "EUR",
                "replace_external_ids": False,
            },
            "updated_at": opportunities_report.updated_at.isoformat().replace("+00:00", "Z"),
        }
    ]


@pytest.mark.django_db
def test_partner_users_cannot_list_import_mappings_and_staff_can(tenant, partner_user, accounts_report):
    staff = session(make_member(tenant, Role.SALES))

    refused = session(partner_user).get(IMPORT_MAPPINGS)

    assert refused.status_code == 403
    assert "Salesforce" not in refused.content.decode()
    assert [row["name"] for row in staff.get(IMPORT_MAPPINGS).json()["results"]] == [
        "Salesforce accounts report"
    ]
