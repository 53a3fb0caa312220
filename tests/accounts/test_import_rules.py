"""How rows name what they refer to, the same through a CSV import and the bulk API: owners by
email or full name, accounts by CRM id, domain or exact name (a name two accounts share is
reported, never guessed), countries through the tenant's region mapping, Salesforce's 15- and
18-character ids as one record, and a CRM id that differs from the account on the same domain."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Opportunity, TargetAccount
from accounts.services.imports import value_mappings_save
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from tests.accounts.test_imports import NEW, T, imported, latest_job, mapping_form, run
from tests.api_cases import bearer
from tests.conftest import login, make_member
from tests.factories import ApiKeyFactory, TargetAccountFactory

ACCOUNTS = "/api/v1/bulk/accounts/"
OPPORTUNITIES = "/api/v1/bulk/opportunities/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def api(tenant):
    return bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))


def post(api, url, rows) -> dict:
    response = api.post(url, json.dumps({"rows": rows}), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def problems(body) -> list[tuple]:
    return [(entry["row"], entry["column"], entry["reason"]) for entry in body["rejected"]]


def test_an_owner_is_found_by_email_or_full_name_and_a_shared_name_is_refused(tenant, api):
    jane = make_member(tenant, email="jane@northwind.example", full_name="Jane Doe")
    make_member(tenant, email="alex.1@northwind.example", full_name="Alex Kim")
    make_member(tenant, email="alex.2@northwind.example", full_name="Alex Kim")
    body = post(
        api,
        ACCOUNTS,
        [
            {"name": "Acme", "domain": "acme.com", "owner": "jane doe"},
            {"name": "Globex", "domain": "globex.com", "owner": "JANE@northwind.example"},
            {"name": "Initech", "domain": "initech.com", "owner": "Alex Kim"},
            {"name": "Umbrella", "domain": "umbrella.com", "owner": "Nobody Here"},
        ],
    )
    assert body["created"] == 2
    assert set(TargetAccount.unscoped.filter(owner=jane).values_list("name", flat=True)) == {"Acme", "Globex"}
    assert problems(body) == [
        (3, "owner", "2 staff members are named Alex Kim: give the email."),
        (4, "owner", "No staff member of this tenant has the email or name Nobody Here."),
    ]


def test_an_opportunity_finds_its_account_by_exact_name_and_a_shared_name_is_reported(tenant, api):
    acme = TargetAccountFactory(tenant=tenant, name="Acme Corp", external_id="")
    TargetAccountFactory(tenant=tenant, name="Twin Co")
    TargetAccountFactory(tenant=tenant, name="Twin Co")
    deal = {"stage": "qualification", "amount": "USD 10,000.00", "name": "Deal"}
    body = post(
        api,
        OPPORTUNITIES,
        [
            {**deal, "external_id": "O-1", "account_name": "acme corp"},
            {**deal, "external_id": "O-2", "account_name": "Twin Co"},
            {**deal, "external_id": "O-3", "account_name": "Acme"},
        ],
    )
    assert body["created"] == 1
    assert Opportunity.unscoped.get(external_id="O-1").account == acme
    assert problems(body) == [
        (2, "account_name", "2 target accounts are named Twin Co: give the account's CRM id or domain."),
        (3, "account_name", "No target account is named Acme."),
    ]


def test_a_salesforce_id_in_its_15_or_18_character_form_is_one_account(tenant, api):
    account = TargetAccountFactory(tenant=tenant, external_id="0015g00000TqLmNAAV", domain="meridian.com")
    body = post(
        api, ACCOUNTS, [{"external_id": "0015g00000TqLmN", "domain": "meridian.com", "name": "Meridian"}]
    )
    assert (body["created"], body["updated"], body["rejected"]) == (0, 1, [])
    account.refresh_from_db()
    assert (account.name, account.external_id) == (
        "Meridian",
        "0015g00000TqLmNAAV",
    )  # the id is kept as stored
    # One letter's case differs: another record (Salesforce ids are case-sensitive), so refused here.
    body = post(
        api, ACCOUNTS, [{"external_id": "0015g00000TqlmN", "domain": "meridian.com", "name": "Other"}]
    )
    assert [(row, column) for row, column, _ in problems(body)] == [(1, "external_id")]


def test_a_country_goes_through_the_tenants_region_mapping_before_the_built_in_one(tenant, api, manager_user):
    with tenant_context(tenant):
        value_mappings_save(
            tenant=tenant, actor=manager_user, vocabulary="region", words={"Switzerland": "france"}
        )
    body = post(
        api,
        ACCOUNTS,
        [
            {"name": "Zurich", "domain": "zurich.example", "country": "Switzerland"},
            {"name": "Berlin", "domain": "berlin.example", "country": "DE"},
            {"name": "Given", "domain": "given.example", "country": "Germany", "region": "nordics"},
        ],
    )
    assert body["created"] == 3
    regions = dict(TargetAccount.unscoped.values_list("name", "region"))
    # The tenant's mapping wins; else the country's usual region; a region column wins over both.
    assert regions == {"Zurich": "france", "Berlin": "dach", "Given": "nordics"}


def test_a_crm_id_clash_on_the_same_domain_says_what_to_do_and_replacing_is_a_choice(tenant, manager_user):
    account = TargetAccountFactory(tenant=tenant, external_id="SF-OLD", domain="acme.com", name="Acme")
    client = login(manager_user)
    content = "Account Name,Website,Account ID\nAcme Inc,www.acme.com,SF-NEW\n"
    job = imported(client, content, name="accounts.csv")
    assert job.rejected_count == 1
    reason = job.errors[0]["reason"]
    assert job.errors[0]["column"] == "external_id"
    assert "has the CRM id SF-OLD, not SF-NEW" in reason and "Replace the CRM id" in reason
    account.refresh_from_db()
    assert (account.external_id, account.name) == ("SF-OLD", "Acme")

    # Importing again with the option replaces the id (and the name); the import's audit counts it.
    client.post(NEW, {"kind": "accounts", "file": SimpleUploadedFile("accounts.csv", content.encode())})
    job = latest_job()
    client.post(
        f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), "replace_external_ids": "on", "import": "1"}
    )
    job = run(job)
    assert (job.updated_count, job.rejected_count) == (1, 0)
    account.refresh_from_db()
    assert (account.external_id, account.name) == ("SF-NEW", "Acme Inc")
    event = AuditEvent.unscoped.filter(tenant=tenant, action="account.imported").latest("id")
    assert (event.after["updated"], event.after["rejected"]) == (1, 0)
