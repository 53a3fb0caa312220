"""A partner's own account list: recorded as the partner names it, matched to the vendor's target
accounts out of the partner's sight. Whatever a partner sends, what it is told is the same whether
the vendor targets the domain or not; staff see the resulting mapping, which ranks the partner."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AccountClaim, AccountMapping, ImportJob, TargetAccount
from accounts.services import account_create
from accounts.services.claims import NOT_A_PARTNER
from accounts.tasks import run_import_task
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import PARTNER_ROLES, Role
from tests.accounts.test_imports import confirm_mapping
from tests.api_cases import CREATE, DELETE, DETAIL, EVERYONE, LIST, WRITE_KEY, APIResourceCases, session
from tests.conftest import login
from tests.factories import TargetAccountFactory

JSON = "application/json"
CLAIMS = "/api/v1/account-claims/"


@pytest.fixture
def acme(tenant):
    return TargetAccountFactory(tenant=tenant, name="Acme Corporation (strategic)", domain="acme.com")


def answer_without_ids(response) -> dict:
    body = response.json()
    return {key: value for key, value in body.items() if key not in ("id", "domain", "created_at")}


class TestAccountClaimAPI(APIResourceCases):
    url = CLAIMS
    model = AccountClaim
    operations = {LIST, DETAIL, CREATE, DELETE}
    readers = EVERYONE  # partner users: their own company's claims only
    writers = PARTNER_ROLES  # a partner's own list: staff map accounts themselves
    refusals = {WRITE_KEY: NOT_A_PARTNER}  # the service's refusal: a key is no partner
    actor = Role.PARTNER_USER
    list_queries = 5
    audits = {CREATE: "claim.recorded", DELETE: "claim.deleted"}
    invalid = {"domain": "not a domain"}

    def create_payload(self, tenant, partner):
        return {
            "domain": "initech.example",
            "company_name": "Initech",
            "relationship": "customer",
            "notes": "x",
        }

    def expected(self, operation, payload, partner):
        return {**payload, "partner": partner.id}

    def shown(self, row):
        return {"partner": row.partner_id, "domain": row.domain, "company_name": row.company_name}


@pytest.mark.django_db
def test_a_partner_is_answered_alike_for_a_targeted_and_an_unknown_domain(
    tenant, partner, partner_user, acme
):
    client = session(partner_user)
    known = client.post(
        CLAIMS, {"domain": "https://www.acme.com/about", "relationship": "customer"}, content_type=JSON
    )
    unknown = client.post(
        CLAIMS, {"domain": "initech.example", "relationship": "customer"}, content_type=JSON
    )

    assert known.status_code == unknown.status_code == 201
    assert answer_without_ids(known) == answer_without_ids(unknown)
    assert "Acme Corporation" not in known.content.decode()  # the vendor's own name for it
    listed = client.get(CLAIMS).json()["results"]
    assert sorted(claim["domain"] for claim in listed) == ["acme.com", "initech.example"]
    # Staff see the match, which ranks the partner; the unknown domain waits.
    with tenant_context(tenant):
        mapping = AccountMapping.objects.get()
        assert (mapping.partner, mapping.account, mapping.source) == (partner, acme, "partner_upload")
        assert AccountClaim.objects.get(domain="acme.com").mapping == mapping
        assert AccountClaim.objects.get(domain="initech.example").mapping is None


@pytest.mark.django_db
def test_an_account_id_sent_in_a_claim_is_not_read(tenant, partner, partner_user, acme):
    # A claim names a company by its domain only.
    response = session(partner_user).post(
        CLAIMS, {"domain": "globex.example", "account": acme.id}, content_type=JSON
    )
    assert response.status_code == 201
    assert "account" not in response.json()
    with tenant_context(tenant):
        assert not AccountMapping.objects.exists()


@pytest.mark.django_db
def test_a_claim_waits_for_the_account_and_matches_when_the_vendor_adds_it(
    tenant, partner, partner_user, manager_user
):
    session(partner_user).post(CLAIMS, {"domain": "initech.example"}, content_type=JSON)
    with tenant_context(tenant):
        assert not AccountMapping.objects.exists()
        account = account_create(tenant=tenant, actor=manager_user, name="Initech", domain="initech.example")
        assert AccountMapping.objects.get().account == account
        assert AccountClaim.objects.get().mapping.account == account


@pytest.mark.django_db
def test_the_same_claim_twice_changes_nothing_and_a_bad_domain_is_a_field_error(tenant, partner_user, acme):
    client = session(partner_user)
    first = client.post(CLAIMS, {"domain": "acme.com", "company_name": "Acme"}, content_type=JSON)
    again = client.post(CLAIMS, {"domain": "ACME.com", "company_name": "Acme"}, content_type=JSON)
    assert again.json()["id"] == first.json()["id"]
    bad = client.post(CLAIMS, {"domain": "not a domain"}, content_type=JSON)
    assert bad.status_code == 400
    assert list(bad.json()) == ["domain"]
    with tenant_context(tenant):
        assert AccountClaim.objects.count() == AccountMapping.objects.count() == 1


@pytest.mark.django_db
def test_removing_a_claim_removes_the_mapping_it_made(tenant, partner_user, acme):
    client = session(partner_user)
    claim_id = client.post(CLAIMS, {"domain": "acme.com"}, content_type=JSON).json()["id"]
    assert client.delete(f"{CLAIMS}{claim_id}/").status_code == 204
    with tenant_context(tenant):
        assert not AccountClaim.objects.exists()
        assert not AccountMapping.objects.exists()


@pytest.mark.django_db
def test_my_accounts_page_lists_and_adds_companies_as_the_partner_named_them(
    tenant, partner, partner_user, acme
):
    client = login(partner_user)
    empty = client.get("/t/northwind/my-accounts/").content.decode()
    assert "No companies listed yet" in empty
    known = client.post(
        "/t/northwind/my-accounts/new/",
        {"domain": "acme.com", "company_name": "Acme", "relationship": "customer"},
    )
    unknown = client.post(
        "/t/northwind/my-accounts/new/",
        {"domain": "initech.example", "company_name": "Initech", "relationship": "customer"},
    )
    assert known.status_code == unknown.status_code == 302
    page = client.get("/t/northwind/my-accounts/").content.decode()
    assert "acme.com" in page and "initech.example" in page
    assert "Acme Corporation" not in page
    assert client.get("/t/northwind/account-mapping/").status_code == 403


@pytest.mark.django_db
def test_a_partners_upload_reports_only_malformed_rows_never_unknown_domains(
    tenant, partner, partner_user, acme
):
    client = login(partner_user)
    content = (
        "Company name,Website,Relationship\n"
        "Acme,https://acme.com,customer\nInitech,initech.example,\nBad,not a domain,\n"
    )
    response = client.post(
        "/t/northwind/imports/my-accounts/",
        {"file": SimpleUploadedFile("mine.csv", content.encode(), "text/csv")},
    )
    assert response.status_code == 302
    job = ImportJob.unscoped.latest("id")
    assert (job.kind, job.partner) == ("claims", partner)
    confirm_mapping(client, job)
    run_import_task(tenant_id=tenant.id, job_id=job.id)
    job = ImportJob.unscoped.get(id=job.id)
    assert (job.created_count, job.rejected_count) == (2, 1)
    assert [(error["row"], error["column"]) for error in job.errors] == [(4, "domain")]
    assert "initech" not in json.dumps(job.errors)
    with tenant_context(tenant):
        assert AccountMapping.objects.get().account == acme


@pytest.mark.django_db
def test_staff_turn_a_partners_unmatched_company_into_a_target_account(
    tenant, partner, partner_user, manager_user, acme
):
    client = session(partner_user)
    client.post(CLAIMS, {"domain": "acme.com", "company_name": "Acme"}, content_type=JSON)
    client.post(CLAIMS, {"domain": "initech.example", "company_name": "Initech"}, content_type=JSON)
    staff = login(manager_user)
    page = staff.get("/t/northwind/account-mapping/suggestions/").content.decode()
    assert "initech.example" in page and "acme.com" not in page  # acme.com is a target account
    assert "?name=Initech&amp;domain=initech.example" in page
    form = staff.get("/t/northwind/accounts/new/?name=Initech&domain=initech.example")
    initial = form.context["form"].initial
    assert (initial["name"], initial["domain"]) == ("Initech", "initech.example")
    created = staff.post(
        "/t/northwind/accounts/new/",
        {"name": "Initech", "domain": "initech.example", "manual_stage": "net_new"},
    )
    assert created.status_code == 302
    assert "initech.example" not in staff.get("/t/northwind/account-mapping/suggestions/").content.decode()
    with tenant_context(tenant):
        assert AccountMapping.objects.filter(partner=partner).count() == 2
    assert login(partner_user).get("/t/northwind/account-mapping/suggestions/").status_code == 403


@pytest.mark.django_db
def test_an_upload_of_many_companies_writes_in_a_fixed_number_of_queries(
    tenant, partner, partner_user, django_assert_max_num_queries
):
    from accounts.services.claims import claims_record

    TargetAccountFactory.create_batch(3, tenant=tenant)
    domains = [account.domain for account in TargetAccount.unscoped.filter(tenant=tenant)]

    def rows(count):
        return [(n, {"domain": domains[n % 3] if n < 3 else f"c{n}.example"}) for n in range(count)]

    with tenant_context(tenant), django_assert_max_num_queries(25):
        report = claims_record(tenant=tenant, actor=partner_user, rows=rows(200))
    assert report.created == 200
    with tenant_context(tenant):
        assert AccountMapping.objects.filter(partner=partner).count() == 3
