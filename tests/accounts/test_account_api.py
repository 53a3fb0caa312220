"""REST API of accounts, opportunities (with stage history) and account mapping: CRUD through the
services, ids resolved inside the tenant, partner scope, read keys."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import (
    AccountMapping,
    AccountStage,
    Opportunity,
    OpportunityInfluence,
    OpportunityStageChange,
    TargetAccount,
)
from partnerhub.tenancy.roles import Role
from tests.api_cases import CREATE, CRUD, REPLACE, STAFF, WRITE_KEY, APIResourceCases, audits_of, bearer
from tests.conftest import make_member
from tests.factories import (
    AccountMappingFactory,
    ApiKeyFactory,
    OpportunityFactory,
    OpportunityInfluenceFactory,
    OpportunityStageChangeFactory,
    PartnerFactory,
    PlanAccountFactory,
    TargetAccountFactory,
    UserFactory,
)

ACCOUNTS = "/api/v1/accounts/"
OPPORTUNITIES = "/api/v1/opportunities/"
MAPPINGS = "/api/v1/account-mappings/"
JSON = "application/json"


@pytest.fixture
def writer(tenant) -> Client:
    return bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))


@pytest.fixture
def reader(tenant) -> Client:
    return bearer(ApiKeyFactory(tenant=tenant, scopes=["read"]))


# --- The generated cases -----------------------------------------------------------------------


class CRMResourceCases(APIResourceCases, abstract=True):
    """The CRM mirror (accounts, opportunities, account mapping): the vendor's, read by staff and
    changed by the account editors; big lists, paged by keyset."""

    operations = CRUD | {REPLACE}
    readers = STAFF
    writers = {
        Role.TENANT_ADMIN,
        Role.PARTNER_MANAGER,
        Role.FIELD_MARKETING,
        Role.SALES,
        Role.CHANNEL,
        Role.REVOPS,
        WRITE_KEY,
    }
    keyset = True


class TestAccountAPI(CRMResourceCases):
    url = ACCOUNTS
    model = TargetAccount
    list_queries = 4
    audits = audits_of("account")
    invalid = {"domain": "alpine", "manual_stage": "lost_cause"}

    def row(self, tenant, partner=None):
        return TargetAccountFactory(tenant=tenant, owner=UserFactory())

    def create_payload(self, tenant, partner):
        owner = make_member(tenant, Role.SALES)
        return {
            "name": "Alpine Clinics",
            "domain": "alpine-clinics.example",
            "industry": "healthcare",
            "region": "dach",
            "manual_stage": "existing_customer",
            "owner": owner.email,
            "external_id": "001-ALP",
        }

    def expected(self, operation, payload, partner):
        if operation != CREATE:
            return payload
        derived = {"stage": "existing_customer", "opportunity_count": 0, "open_pipeline_amount": None}
        return {**payload, **derived, "partner_count": 0}

    def update_payload(self, tenant, partner):
        return {"name": "Alpine Health", "senior_buyers_engaged": True}

    def replace_payload(self, tenant, partner):
        return {"name": "Alpine Health", "domain": "alpine-health.example"}

    def shown(self, row):
        return {"name": row.name, "domain": row.domain, "owner": row.owner.email}


class TestOpportunityAPI(CRMResourceCases):
    url = OPPORTUNITIES
    model = Opportunity
    list_queries = 6
    audits = audits_of("opportunity")
    invalid = {"currency": "NOX", "stage": "won_at_golf"}

    def row(self, tenant, partner=None):
        opportunity = OpportunityFactory(tenant=tenant, source_partner=PartnerFactory(tenant=tenant))
        OpportunityInfluenceFactory(tenant=tenant, opportunity=opportunity)
        OpportunityStageChangeFactory(tenant=tenant, opportunity=opportunity)
        return opportunity

    def create_payload(self, tenant, partner):
        return {
            "account": TargetAccountFactory(tenant=tenant).id,
            "name": "Clinic rollout",
            "stage": "qualification",
            "amount": "48000.00",
            "currency": "EUR",
            "close_date": "2027-03-15",
            "external_id": "006-ROLL",
            "source_partner": partner.id,
            "influencing_partners": [partner.id],
        }

    def update_payload(self, tenant, partner):
        return {"name": "Clinic rollout, phase 2", "amount": "30000.00", "close_date": "2027-06-30"}

    def replace_payload(self, tenant, partner):
        return {"account": TargetAccountFactory(tenant=tenant).id, "name": "Rollout", "amount": "10.00"}

    def shown(self, row):
        return {"account": row.account_id, "name": row.name, "source_partner": row.source_partner_id}


class TestAccountMappingAPI(CRMResourceCases):
    url = MAPPINGS
    model = AccountMapping
    list_queries = 4
    audits = audits_of("mapping")
    invalid = {"relationship": "old_friends"}

    def create_payload(self, tenant, partner):
        account = TargetAccountFactory(tenant=tenant)
        return {"partner": partner.id, "account": account.id, "relationship": "customer", "notes": "EHR"}

    def expected(self, operation, payload, partner):
        if operation != CREATE:
            return payload
        return {**payload, "partner_name": partner.name, "source": "api"}

    def update_payload(self, tenant, partner):
        return {"relationship": "active_project", "notes": "EHR rollout"}

    def replace_payload(self, tenant, partner):
        return {"relationship": "customer", "notes": ""}

    def shown(self, row):
        return {"partner": row.partner_id, "account": row.account_id, "account_domain": row.account.domain}


# --- Accounts -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_accounts_domain_and_owner_are_read_loosely_and_its_stage_is_derived(tenant, writer, manager_user):
    created = writer.post(
        ACCOUNTS,
        {
            "name": "Alpine Clinics",
            "domain": "https://www.Alpine-Clinics.example/",
            "manual_stage": "existing_customer",
            "owner": "PM@northwind.example",
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["domain"], body["stage"], body["owner"]) == (
        "alpine-clinics.example",
        "existing_customer",
        "pm@northwind.example",
    )
    patched = writer.patch(
        f"{ACCOUNTS}{body['id']}/",
        {"manual_stage": "net_new", "stage": "open_opportunity"},
        content_type=JSON,
    )
    assert (patched.json()["manual_stage"], patched.json()["stage"]) == ("net_new", "net_new")


@pytest.mark.django_db
def test_an_accounts_stage_and_open_pipeline_follow_its_opportunities(tenant, writer):
    account = TargetAccountFactory(tenant=tenant)
    OpportunityFactory(tenant=tenant, account=account, amount=Decimal("1000"), currency="EUR")
    OpportunityFactory(tenant=tenant, account=account, amount=Decimal("500.50"), currency="EUR")
    OpportunityFactory(tenant=tenant, account=account, stage="closed_won", currency="USD")
    writer.patch(f"{ACCOUNTS}{account.id}/", {"senior_buyers_engaged": True}, content_type=JSON)
    writer.post(
        OPPORTUNITIES,
        {"account": account.id, "name": "Upsell", "amount": "10", "currency": "EUR"},
        content_type=JSON,
    )
    body = writer.get(f"{ACCOUNTS}{account.id}/").json()
    assert body["stage"] == "open_opportunity"
    assert (body["opportunity_count"], body["open_opportunity_count"]) == (4, 3)
    assert (body["open_pipeline_amount"], body["open_pipeline_currency"]) == ("1510.50", "EUR")


@pytest.mark.django_db
def test_a_duplicate_domain_or_crm_id_is_a_400_on_its_field(tenant, writer):
    TargetAccountFactory(tenant=tenant, domain="alpine.example")
    response = writer.post(ACCOUNTS, {"name": "Alpine", "domain": "ALPINE.example"}, content_type=JSON)
    assert response.status_code == 400
    assert response.json() == {"domain": ["An account with this domain already exists."]}
    TargetAccountFactory(tenant=tenant, domain="borealis.example", external_id="001-BOR")
    same_crm_id = writer.post(
        ACCOUNTS, {"name": "Cobalt", "domain": "cobalt.example", "external_id": "001-BOR"}, content_type=JSON
    )
    assert same_crm_id.json() == {"external_id": ["An account with this CRM id already exists."]}
    bad = writer.post(ACCOUNTS, {"name": "Alpine", "domain": "alpine"}, content_type=JSON)
    assert bad.status_code == 400
    assert "is not a web domain" in bad.json()["domain"][0]
    assert TargetAccount.unscoped.count() == 2


@pytest.mark.django_db
def test_the_owner_must_be_this_tenants_staff(tenant, other_tenant, writer, partner_user):
    make_member(other_tenant, Role.SALES, email="sales@globex.example")
    for email in ("casey@contoso.example", "sales@globex.example", "nobody@example.com"):
        response = writer.post(
            ACCOUNTS, {"name": "Alpine", "domain": "alpine.example", "owner": email}, content_type=JSON
        )
        assert response.status_code == 400
        assert "owner" in response.json()
    assert not TargetAccount.unscoped.exists()


@pytest.mark.django_db
def test_an_account_named_in_a_plan_is_not_deleted(tenant, writer):
    named = PlanAccountFactory(tenant=tenant, account__name="Alpine Clinics")
    response = writer.delete(f"{ACCOUNTS}{named.account_id}/")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Alpine Clinics is named in a plan, so it cannot be deleted: take it out of the plan first."
    }
    assert TargetAccount.unscoped.filter(id=named.account_id).exists()


@pytest.mark.django_db
def test_each_tenants_account_list_shows_its_own_accounts_and_their_latest_counts(tenant, other_tenant):
    # The list's query is built once per tenant and process (accounts.selectors.account_list): what
    # it keeps is the query, per tenant, never the rows.
    ours = TargetAccountFactory(tenant=tenant, name="Alpine Clinics")
    TargetAccountFactory(tenant=other_tenant, name="Globex Retail")
    readers = {
        slug: bearer(ApiKeyFactory(tenant=owner, scopes=["read"]))
        for slug, owner in (("ours", tenant), ("theirs", other_tenant))
    }

    def listed(slug):
        results = readers[slug].get(ACCOUNTS).json()["results"]
        return [(row["name"], row["opportunity_count"], row["partner_count"]) for row in results]

    assert listed("ours") == [("Alpine Clinics", 0, 0)]
    assert listed("theirs") == [("Globex Retail", 0, 0)]
    OpportunityFactory(tenant=tenant, account=ours)
    AccountMappingFactory(tenant=tenant, account=ours)
    assert listed("ours") == [("Alpine Clinics", 1, 1)]
    assert listed("theirs") == [("Globex Retail", 0, 0)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("stage=existing_customer", ["Cobalt Bank"]),
        ("industry=retail", ["Borealis Retail"]),
        ("q=cobalt", ["Cobalt Bank"]),
        ("senior_buyers_engaged=true", ["Alpine Clinics"]),
    ],
)
def test_account_filters(tenant, reader, query, expected):
    TargetAccountFactory(tenant=tenant, name="Alpine Clinics", senior_buyers_engaged=True)
    TargetAccountFactory(tenant=tenant, name="Borealis Retail", industry="retail")
    TargetAccountFactory(tenant=tenant, name="Cobalt Bank", stage=AccountStage.EXISTING_CUSTOMER)
    response = reader.get(f"{ACCOUNTS}?{query}")
    assert [row["name"] for row in response.json()["results"]] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=cD1hYmM=", "cursor"),  # well formed, but its position (p=abc) is no id
        ("page_size=201", "page_size"),
        ("page_size=-1", "page_size"),
    ],
)
def test_a_cursor_or_page_size_the_big_lists_cannot_serve_is_a_400_naming_it(tenant, reader, query, field):
    TargetAccountFactory(tenant=tenant)
    response = reader.get(f"{ACCOUNTS}?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- Opportunities ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_opportunity_is_created_with_its_partners_and_first_stage(tenant, writer, partner, other_partner):
    account = TargetAccountFactory(tenant=tenant)
    opened = timezone.now() - timedelta(days=10)
    response = writer.post(
        OPPORTUNITIES,
        {
            "account": account.id,
            "name": "Clinic rollout",
            "stage": "qualification",
            "amount": "48000.00",
            "currency": "EUR",
            "close_date": "2026-12-15",
            "external_id": "006-ROLL",
            "source_partner": partner.id,
            "influencing_partners": [partner.id, other_partner.id],
            "stage_changed_at": opened.isoformat(),
        },
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["account"], body["stage"], body["amount"], body["source_partner"]) == (
        account.id,
        "qualification",
        "48000.00",
        partner.id,
    )
    assert sorted(body["influencing_partners"]) == sorted([partner.id, other_partner.id])
    [first] = body["stage_history"]
    assert (first["from_stage"], first["to_stage"]) == ("", "qualification")
    assert parse_datetime(first["changed_at"]) == opened
    assert TargetAccount.unscoped.get(id=account.id).stage == AccountStage.OPEN_OPPORTUNITY


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent, stored", [("NOK", "NOK"), ("sek", "SEK"), ("Danish Krone", "DKK"), ("XAU", "XAU")]
)
def test_an_opportunity_is_kept_in_any_active_iso_4217_currency(tenant, writer, sent, stored):
    account = TargetAccountFactory(tenant=tenant)
    body = {"account": account.id, "name": "Oslo clinics", "amount": "1000.00", "currency": sent}

    response = writer.post(OPPORTUNITIES, body, content_type=JSON)

    assert response.status_code == 201, response.content
    assert response.json()["currency"] == stored
    assert Opportunity.unscoped.get(id=response.json()["id"]).currency == stored


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["NOX", "DEM", "", "kroner"])
def test_a_currency_that_is_no_active_iso_4217_code_is_a_400_on_its_field(tenant, writer, sent):
    account = TargetAccountFactory(tenant=tenant)
    body = {"account": account.id, "name": "Oslo clinics", "amount": "1000.00", "currency": sent}

    response = writer.post(OPPORTUNITIES, body, content_type=JSON)

    assert response.status_code == 400
    assert list(response.json()) == ["currency"]
    assert not Opportunity.unscoped.exists()


@pytest.mark.django_db
def test_a_stage_change_synced_from_the_crm_is_kept_with_the_crms_time(tenant, writer):
    opportunity = OpportunityFactory(tenant=tenant, stage="prospecting")
    url = f"{OPPORTUNITIES}{opportunity.id}/"
    crm_time = timezone.now() - timedelta(hours=5)
    moved = writer.patch(
        url, {"stage": "proposal", "stage_changed_at": crm_time.isoformat()}, content_type=JSON
    )
    unchanged = writer.patch(url, {"amount": "30000.00"}, content_type=JSON)
    won = writer.patch(url, {"stage": "closed_won"}, content_type=JSON)
    assert moved.status_code == unchanged.status_code == won.status_code == 200
    history = won.json()["stage_history"]
    assert [(change["from_stage"], change["to_stage"]) for change in history] == [
        ("proposal", "closed_won"),
        ("prospecting", "proposal"),
    ]
    assert parse_datetime(history[1]["changed_at"]) == crm_time
    assert won.json()["amount"] == "30000.00"
    assert OpportunityStageChange.unscoped.filter(opportunity=opportunity).count() == 2
    assert TargetAccount.unscoped.get(id=opportunity.account_id).stage == AccountStage.EXISTING_CUSTOMER


@pytest.mark.django_db
def test_influencing_partners_are_replaced_only_when_sent(tenant, writer, partner, other_partner):
    opportunity = OpportunityFactory(tenant=tenant)
    url = f"{OPPORTUNITIES}{opportunity.id}/"
    writer.patch(url, {"influencing_partners": [partner.id]}, content_type=JSON)
    writer.patch(url, {"name": "Renamed"}, content_type=JSON)
    assert writer.get(url).json()["influencing_partners"] == [partner.id]
    writer.patch(url, {"influencing_partners": [other_partner.id]}, content_type=JSON)
    assert list(OpportunityInfluence.unscoped.values_list("partner_id", flat=True)) == [other_partner.id]


@pytest.mark.django_db
def test_another_tenants_ids_are_refused_in_an_opportunity(tenant, other_tenant, writer, partner):
    account = TargetAccountFactory(tenant=tenant)
    foreign_account = TargetAccountFactory(tenant=other_tenant)
    foreign_partner = PartnerFactory(tenant=other_tenant)
    base = {"account": account.id, "name": "Rollout", "amount": "10"}
    for field, value in [
        ("account", foreign_account.id),
        ("source_partner", foreign_partner.id),
        ("influencing_partners", [partner.id, foreign_partner.id]),
    ]:
        response = writer.post(OPPORTUNITIES, {**base, field: value}, content_type=JSON)
        assert response.status_code == 400
        assert "does not exist" in str(response.json()[field])
    assert not Opportunity.unscoped.exists()


@pytest.mark.django_db
def test_opportunity_filters(tenant, reader, partner):
    alpine = TargetAccountFactory(tenant=tenant)
    OpportunityFactory(tenant=tenant, account=alpine, name="Renewal", source_partner=partner)
    OpportunityFactory(tenant=tenant, account=alpine, name="Pilot", stage="closed_lost")
    OpportunityFactory(tenant=tenant, name="Elsewhere")

    def names(query):
        return sorted(row["name"] for row in reader.get(f"{OPPORTUNITIES}?{query}").json()["results"])

    assert names(f"account={alpine.id}") == ["Pilot", "Renewal"]
    assert names(f"account={alpine.id}&status=open") == ["Renewal"]
    assert names(f"source_partner={partner.id}") == ["Renewal"]
    assert names("status=closed") == ["Pilot"]


@pytest.mark.django_db
def test_an_opportunity_create_with_an_idempotency_key_is_replayed(tenant, writer):
    account = TargetAccountFactory(tenant=tenant)
    body = {"account": account.id, "name": "Rollout", "amount": "10"}
    first = writer.post(OPPORTUNITIES, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="crm-1")
    second = writer.post(OPPORTUNITIES, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="crm-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert Opportunity.unscoped.count() == 1


@pytest.mark.django_db
def test_deleting_an_opportunity_rederives_the_account(tenant, writer):
    account = TargetAccountFactory(tenant=tenant, manual_stage=AccountStage.EXISTING_CUSTOMER)
    created = writer.post(
        OPPORTUNITIES, {"account": account.id, "name": "Rollout", "amount": "10"}, content_type=JSON
    ).json()
    assert writer.delete(f"{OPPORTUNITIES}{created['id']}/").status_code == 204
    assert TargetAccount.unscoped.get(id=account.id).stage == AccountStage.EXISTING_CUSTOMER


# --- Keys and roles -----------------------------------------------------------------------------


# --- Account mapping ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_key_maps_a_partner_to_an_account_named_by_domain(tenant, writer, partner):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics", domain="alpine.example")
    response = writer.post(
        MAPPINGS,
        {"partner": partner.id, "account_domain": "https://alpine.example/", "relationship": "customer"},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["account"], body["account_name"], body["account_domain"], body["partner_name"]) == (
        account.id,
        "Alpine Clinics",
        "alpine.example",
        "Contoso Consulting",
    )
    assert (body["relationship"], body["source"]) == ("customer", "api")
    unknown = writer.post(
        MAPPINGS, {"partner": partner.id, "account_domain": "nowhere.example"}, content_type=JSON
    )
    assert unknown.json() == {"account_domain": ["No target account has the domain nowhere.example."]}
    nothing = writer.post(MAPPINGS, {"partner": partner.id}, content_type=JSON)
    assert nothing.status_code == 400
    assert "account" in nothing.json()
    assert AccountMapping.unscoped.count() == 1


@pytest.mark.django_db
def test_a_mappings_partner_does_not_change(tenant, writer, partner, other_partner):
    mapping = AccountMappingFactory(tenant=tenant, partner=partner)
    moved = writer.patch(f"{MAPPINGS}{mapping.id}/", {"partner": other_partner.id}, content_type=JSON)
    assert moved.status_code == 400
    assert "do not change" in moved.json()["partner"][0]
    assert AccountMapping.unscoped.get(id=mapping.id).partner_id == partner.id


@pytest.mark.django_db
def test_staff_filter_mapping_by_partner_and_relationship(tenant, reader, partner, other_partner):
    AccountMappingFactory(tenant=tenant, partner=partner, relationship="customer")
    wanted = AccountMappingFactory(tenant=tenant, partner=other_partner, relationship="customer")
    AccountMappingFactory(tenant=tenant, partner=other_partner, relationship="relationship")
    response = reader.get(f"{MAPPINGS}?partner={other_partner.id}&relationship=customer")
    assert [row["id"] for row in response.json()["results"]] == [wanted.id]


# --- Schema -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_documents_the_three_collections_and_the_nested_history():
    schema = Client().get("/api/schema/?format=json").json()
    assert {
        "/api/v1/accounts/",
        "/api/v1/accounts/{id}/",
        "/api/v1/opportunities/",
        "/api/v1/opportunities/{id}/",
        "/api/v1/account-mappings/",
        "/api/v1/account-mappings/{id}/",
    } <= set(schema["paths"])
    opportunity = schema["components"]["schemas"]["Opportunity"]["properties"]
    assert opportunity["stage_history"]["readOnly"] is True
    assert opportunity["stage_history"]["items"]["$ref"].endswith("/StageChange")
    assert "stage" not in schema["components"]["schemas"]["AccountRequest"]["properties"]
