"""API bulk upserts for the CRM sync: keyed on CRM ids, idempotent (the same payload twice changes
nothing the second time), bad rows reported by number (from 1) and field while the good ones are written,
malformed bodies refused with 400, write scope and roles enforced, partners resolved in scope."""

import json

import pytest
from django.test import Client

from accounts.models import AccountMapping, Opportunity, OpportunityStageChange, TargetAccount
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import ApiKeyFactory, OpportunityFactory, PartnerFactory, TargetAccountFactory

ACCOUNTS = "/api/v1/bulk/accounts/"
OPPORTUNITIES = "/api/v1/bulk/opportunities/"
MAPPINGS = "/api/v1/bulk/account-mappings/"
JSON = "application/json"

ROWS = [
    {
        "external_id": "A-1",
        "name": "Acme",
        "domain": "acme.com",
        "industry": "healthcare",
        "segment": "enterprise",
    },
    {"external_id": "A-2", "name": "Globex", "domain": "not a domain"},
    {"external_id": "A-3", "name": "Initech", "domain": "initech.example", "stage": "existing_customer"},
    {
        "external_id": "A-4",
        "name": "Umbrella",
        "domain": "umbrella.example",
        "senior_buyers_engaged": "perhaps",
    },
]


@pytest.fixture
def api(tenant) -> Client:
    key = ApiKeyFactory(tenant=tenant, scopes=["read", "write"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")


def post(client: Client, url: str, body, **headers):
    return client.post(url, json.dumps(body), content_type=JSON, **headers)


def session(user) -> Client:
    client = Client(HTTP_X_TENANT="northwind")
    client.force_login(user)
    return client


# --- Accounts -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_rows_are_reported_by_number_and_field_and_the_good_rows_written(tenant, api):
    response = post(api, ACCOUNTS, {"rows": ROWS})

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    # Counted from 1, as a person counts them: the second row sent is row 2.
    assert [(entry["row"], entry["column"]) for entry in body["rejected"]] == [
        (2, "domain"),
        (4, "senior_buyers_engaged"),
    ]
    with tenant_context(tenant):
        assert sorted(TargetAccount.objects.values_list("external_id", flat=True)) == ["A-1", "A-3"]


@pytest.mark.django_db
def test_a_repeated_row_names_the_first_by_the_number_the_report_gives_it(tenant, api):
    response = post(api, ACCOUNTS, {"rows": [ROWS[0], {**ROWS[0], "name": "Acme again"}]})

    assert response.json()["rejected"] == [
        {
            "row": 2,
            "column": "external_id",
            "reason": "Row 1 has the same external_id (A-1); only the first row with it is imported.",
        }
    ]


@pytest.mark.django_db
def test_the_same_payload_twice_changes_nothing_the_second_time(tenant, api):
    post(api, ACCOUNTS, {"rows": ROWS})
    before = fingerprint()

    second = post(api, ACCOUNTS, {"rows": ROWS})

    assert second.status_code == 200
    assert {key: second.json()[key] for key in ("created", "updated", "unchanged")} == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_a_changed_row_updates_its_account_by_crm_id(tenant, api):
    post(api, ACCOUNTS, {"rows": ROWS[:1]})

    response = post(
        api, ACCOUNTS, {"rows": [{**ROWS[0], "name": "Acme Corporation", "segment": "Mid-market"}]}
    )

    assert response.json()["updated"] == 1
    with tenant_context(tenant):
        account = TargetAccount.objects.get(external_id="A-1")
    assert (account.name, account.segment) == ("Acme Corporation", "mid_market")


@pytest.mark.django_db
def test_an_idempotency_key_replays_the_first_answer(tenant, api):
    first = post(api, ACCOUNTS, {"rows": ROWS}, HTTP_IDEMPOTENCY_KEY="sync-001")
    with tenant_context(tenant):
        TargetAccount.objects.filter(external_id="A-1").delete()

    replay = post(api, ACCOUNTS, {"rows": ROWS}, HTTP_IDEMPOTENCY_KEY="sync-001")

    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    with tenant_context(tenant):
        assert not TargetAccount.objects.filter(external_id="A-1").exists()  # not run again


@pytest.mark.django_db
def test_malformed_bodies_are_refused_with_400(tenant, api):
    cases = [
        ([{"name": "Acme"}], "non_field_errors"),
        ({"rows": {"name": "Acme"}}, "rows"),
        ({"rows": ["Acme"]}, "rows"),
        ({}, "rows"),
        ({"rows": [{"domain": "a.example"}] * 1001}, "rows"),
    ]
    for body, field in cases:
        response = post(api, ACCOUNTS, body)
        assert response.status_code == 400, body
        # Errors are one flat object; a row's error is named by its path (rows[0]).
        assert any(key == field or key.startswith(f"{field}[") for key in response.json()), body
    assert "at most 1000 rows" in str(post(api, ACCOUNTS, cases[-1][0]).json())
    assert api.post(ACCOUNTS, "{not json", content_type=JSON).status_code == 400
    with tenant_context(tenant):
        assert not TargetAccount.objects.exists()


@pytest.mark.django_db
def test_writing_needs_a_write_key_or_a_role_that_changes_accounts(tenant):
    read_key = ApiKeyFactory(tenant=tenant, scopes=["read"])
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {read_key.raw_key}")

    assert post(reader, ACCOUNTS, {"rows": ROWS}).status_code == 403
    assert post(Client(), ACCOUNTS, {"rows": ROWS}).status_code == 401
    assert (
        post(session(make_member(tenant, Role.PRODUCT_MARKETING)), ACCOUNTS, {"rows": ROWS}).status_code
        == 403
    )
    assert post(session(make_member(tenant, Role.SALES)), ACCOUNTS, {"rows": ROWS}).status_code == 200


# --- Opportunities ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_opportunities_upsert_by_crm_id_and_keep_stage_changes_in_the_history(tenant, api):
    with tenant_context(tenant):
        account = TargetAccountFactory(tenant=tenant, domain="acme.com", external_id="A-1")
        opportunity = OpportunityFactory(tenant=tenant, account=account, external_id="O-1", stage="proposal")
    rows = [
        {"external_id": "O-1", "stage": "closed_won", "stage_changed_at": "2026-02-01T09:30:00Z"},
        {
            "external_id": "O-2",
            "name": "New",
            "account_domain": "acme.com",
            "amount": 1200.5,
            "currency": "EUR",
        },
        {"external_id": "O-3", "name": "Orphan", "account_external_id": "A-404", "amount": "100"},
    ]

    response = post(api, OPPORTUNITIES, {"rows": rows})

    body = response.json()
    assert (body["created"], body["updated"]) == (1, 1)
    assert body["rejected"] == [
        {"row": 3, "column": "account_external_id", "reason": "No target account has the CRM id A-404."}
    ]
    with tenant_context(tenant):
        change = OpportunityStageChange.objects.get(opportunity=opportunity)
        assert (change.from_stage, change.to_stage, change.changed_at.isoformat()) == (
            "proposal",
            "closed_won",
            "2026-02-01T09:30:00+00:00",
        )
        assert str(Opportunity.objects.get(external_id="O-2").amount) == "1200.50"
        account.refresh_from_db()
        assert account.stage == "open_opportunity"
    again = post(api, OPPORTUNITIES, {"rows": rows[:2]}).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


@pytest.mark.django_db
def test_opportunities_in_the_nordic_currencies_are_written(tenant, api):
    with tenant_context(tenant):
        TargetAccountFactory(tenant=tenant, domain="acme.com", external_id="A-1")
    rows = [
        {
            "external_id": f"O-{code}",
            "name": code,
            "account_external_id": "A-1",
            "amount": "10",
            "currency": code,
        }
        for code in ("NOK", "SEK", "DKK")
    ]

    body = post(api, OPPORTUNITIES, {"rows": rows}).json()

    assert (body["created"], body["rejected"]) == (3, [])
    with tenant_context(tenant):
        assert sorted(Opportunity.objects.values_list("currency", flat=True)) == ["DKK", "NOK", "SEK"]


# --- Account mapping ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_mappings_match_accounts_by_domain_for_a_partner_of_the_tenant(tenant, api, partner, other_tenant):
    with tenant_context(tenant):
        TargetAccountFactory(tenant=tenant, domain="acme.com")
    foreign = PartnerFactory(tenant=other_tenant)
    rows = [
        {"email": "cio@acme.com", "relationship": "customer"},
        {"domain": "nowhere.example", "company": "Nowhere"},
    ]

    refused = post(api, MAPPINGS, {"partner": foreign.id, "rows": rows})
    response = post(api, MAPPINGS, {"partner": partner.id, "rows": rows})

    assert refused.status_code == 400
    assert "partner" in refused.json()
    body = response.json()
    assert body["created"] == 1
    assert body["rejected"] == [
        {
            "row": 2,
            "column": "domain",
            "reason": "No target account has the domain nowhere.example (Nowhere).",
        }
    ]
    with tenant_context(tenant):
        mapping = AccountMapping.objects.get()
    assert (mapping.partner, mapping.relationship, mapping.source) == (partner, "customer", "api")
