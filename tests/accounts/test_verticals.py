"""Industries are the tenant's own verticals. A vertical the tenant adds ("Aerospace") is offered and
accepted everywhere an industry comes in (the account form, the API, the bulk API, a CSV import and
its vocabulary) and shown by its label; another tenant refuses it. Archived, it leaves the pickers
and is refused for new input, while the accounts holding it keep it and still show it. Renamed,
every page shows the new name."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import MarketKind, TargetAccount
from accounts.services import plan_set_market
from accounts.services.imports import value_mappings_save
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import TenantVertical
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.services import vertical_add, vertical_archive, vertical_rename
from tests.accounts.test_account_views import account_form, csv_rows
from tests.accounts.test_imports import imported, latest_job, mapping_form, run
from tests.api_cases import bearer
from tests.conftest import PLAN_YEAR, login, make_member
from tests.factories import ApiKeyFactory, PartnerFactory, PlanFactory, TargetAccountFactory

T = "/t/northwind"
JSON = "application/json"
pytestmark = pytest.mark.django_db


@pytest.fixture
def aerospace(tenant, admin_user) -> TenantVertical:
    with tenant_context(tenant):
        return vertical_add(tenant=tenant, actor=admin_user, label="Aerospace")


@pytest.fixture
def api(tenant):
    return bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))


def industry_choices(response) -> list[tuple[str, str]]:
    return list(response.context["form"].fields["industry"].choices)


def account(tenant, domain: str) -> TargetAccount:
    return TargetAccount.unscoped.get(tenant=tenant, domain=domain)


def upsert(client, rows):
    return client.post("/api/v1/bulk/accounts/", json.dumps({"rows": rows}), content_type=JSON)


def shown_industry(client, target: TargetAccount) -> str:
    page = client.get(f"{T}/accounts/{target.id}/").content.decode()
    return page.split("<dt>Industry</dt><dd>", 1)[1].split("</dd>", 1)[0]


def test_an_account_created_with_a_vertical_the_tenant_added_is_accepted_and_shows_its_label(
    tenant, manager_user, aerospace
):
    client = login(manager_user)

    form = client.get(f"{T}/accounts/new/")
    response = client.post(f"{T}/accounts/new/", account_form(industry="aerospace"))
    created = account(tenant, "litware.example")
    listed = client.get(f"{T}/accounts/").content.decode()

    assert industry_choices(form)[0] == ("", "No industry")
    assert industry_choices(form)[-1] == ("aerospace", "Aerospace")
    assert response.status_code == 302
    assert created.industry == "aerospace"
    assert shown_industry(client, created) == "Aerospace"
    assert '<td class="small">Aerospace</td>' in listed


def test_the_api_the_bulk_api_and_a_csv_import_take_the_vertical_by_value_or_label(
    tenant, manager_user, aerospace, api
):
    created = api.post(
        "/api/v1/accounts/",
        {"name": "Airbus", "domain": "airbus.example", "industry": "aerospace"},
        content_type=JSON,
    )
    bulk = upsert(api, [{"name": "Embraer", "domain": "embraer.example", "industry": "AEROSPACE"}])
    job = imported(login(manager_user), "Name,Domain,Industry\nBoeing,boeing.example,Aerospace\n")

    assert created.status_code == 201 and created.json()["industry"] == "aerospace"
    assert (bulk.json()["created"], bulk.json()["rejected"]) == (1, [])
    assert (job.status, job.created_count, job.errors) == ("done", 1, [])
    for domain in ("airbus.example", "embraer.example", "boeing.example"):
        assert account(tenant, domain).industry == "aerospace"


def test_another_tenant_refuses_a_vertical_it_does_not_have(tenant, other_tenant, aerospace):
    foreign = bearer(ApiKeyFactory(tenant=other_tenant, scopes=["read", "write"]))

    created = foreign.post(
        "/api/v1/accounts/",
        {"name": "Airbus", "domain": "airbus.example", "industry": "aerospace"},
        content_type=JSON,
    )
    bulk = upsert(foreign, [{"name": "Airbus", "domain": "airbus.example", "industry": "aerospace"}])
    partner = foreign.post(
        "/api/v1/partners/", {"name": "Jet Partners", "verticals": ["aerospace"]}, content_type=JSON
    )

    assert created.status_code == 400
    assert created.json() == {
        "industry": ["“aerospace” is not one of this tenant's verticals (GET /api/v1/verticals/)."]
    }
    assert bulk.json()["created"] == 0
    assert [(entry["column"], entry["reason"]) for entry in bulk.json()["rejected"]] == [
        (
            "industry",
            "“aerospace” is not one of this tenant's industry values and the import vocabulary does not "
            "map it: map it in Admin → Import vocabulary or in the import's mapping step.",
        )
    ]
    assert partner.status_code == 400 and list(partner.json()) == ["verticals[0]"]
    assert not TargetAccount.unscoped.filter(domain="airbus.example").exists()


def test_an_archived_vertical_leaves_the_pickers_but_an_account_holding_it_keeps_and_shows_it(
    tenant, admin_user, manager_user, aerospace, api
):
    boeing = TargetAccountFactory(tenant=tenant, name="Boeing", domain="boeing.example", industry="aerospace")
    with tenant_context(tenant):
        vertical_archive(tenant=tenant, actor=admin_user, vertical_id=aerospace.id)
    client = login(manager_user)

    new_form = client.get(f"{T}/accounts/new/")
    edit_form = client.get(f"{T}/accounts/{boeing.id}/edit/")
    new_account = client.post(f"{T}/accounts/new/", account_form(industry="aerospace"))
    kept = client.post(
        f"{T}/accounts/{boeing.id}/edit/",
        account_form(name="Boeing Company", domain="boeing.example", industry="aerospace", external_id=""),
    )
    by_api = api.post(
        "/api/v1/accounts/",
        {"name": "Airbus", "domain": "airbus.example", "industry": "aerospace"},
        content_type=JSON,
    )
    patched = api.patch(f"/api/v1/accounts/{boeing.id}/", {"industry": "aerospace"}, content_type=JSON)
    filtered = client.get(f"{T}/accounts/?industry=aerospace")

    assert "aerospace" not in dict(industry_choices(new_form))
    assert ("aerospace", "Aerospace (archived)") in industry_choices(edit_form)
    assert new_account.status_code == 200
    assert "industry" in new_account.context["form"].errors
    assert kept.status_code == 302
    assert account(tenant, "boeing.example").industry == "aerospace"
    assert by_api.status_code == 400 and list(by_api.json()) == ["industry"]
    assert patched.status_code == 200
    assert shown_industry(client, boeing) == "Aerospace"
    assert [row.name for row in filtered.context["rows"]] == ["Boeing Company"]


def test_a_partner_keeps_an_archived_vertical_it_holds_but_none_is_added(tenant, admin_user, aerospace, api):
    jet = PartnerFactory(tenant=tenant, name="Jet Partners", verticals=["aerospace"])
    other = PartnerFactory(tenant=tenant, name="Other Partners", verticals=["healthcare"])
    with tenant_context(tenant):
        vertical_archive(tenant=tenant, actor=admin_user, vertical_id=aerospace.id)

    kept = api.patch(f"/api/v1/partners/{jet.id}/", {"verticals": ["aerospace", "retail"]}, content_type=JSON)
    added = api.patch(f"/api/v1/partners/{other.id}/", {"verticals": ["aerospace"]}, content_type=JSON)
    page = login(admin_user).get(f"{T}/partners/{jet.id}/").content.decode()

    assert kept.status_code == 200 and kept.json()["verticals"] == ["aerospace", "retail"]
    assert added.status_code == 400 and list(added.json()) == ["verticals[0]"]
    assert "<dt>Verticals</dt><dd>Aerospace, Retail</dd>" in page


def test_renaming_a_vertical_changes_the_label_every_page_shows(
    tenant, admin_user, manager_user, aerospace, api
):
    boeing = TargetAccountFactory(tenant=tenant, name="Boeing", domain="boeing.example", industry="aerospace")
    plan = PlanFactory(tenant=tenant, name="Aerospace Q4", year=PLAN_YEAR)
    with tenant_context(tenant):
        plan_set_market(
            tenant=tenant,
            actor=manager_user,
            plan_id=plan.id,
            market_kind=MarketKind.VERTICAL,
            market_value="aerospace",
        )
        vertical_rename(
            tenant=tenant, actor=admin_user, vertical_id=aerospace.id, label="Aerospace & defense"
        )
    client = login(manager_user)

    export = csv_rows(client.get(f"{T}/accounts/?export=csv"))
    plans = api.get("/api/v1/plans/").json()["results"]

    assert shown_industry(client, boeing) == "Aerospace &amp; defense"
    assert export[1][export[0].index("Industry")] == "Aerospace & defense"
    assert [(row["market_value"], row["market_label"]) for row in plans] == [
        ("aerospace", "Aerospace & defense")
    ]
    assert "Aerospace &amp; defense" in client.get(f"{T}/plans/").content.decode()


def test_the_history_of_an_account_names_its_industries_by_the_tenants_labels(
    tenant, manager_user, aerospace
):
    boeing = TargetAccountFactory(
        tenant=tenant, name="Boeing", domain="boeing.example", industry="healthcare"
    )
    client = login(manager_user)
    client.post(
        f"{T}/accounts/{boeing.id}/edit/",
        account_form(
            name="Boeing",
            domain="boeing.example",
            industry="aerospace",
            region="north_america",
            external_id="",
        ),
    )

    [entry] = client.get(f"{T}/accounts/{boeing.id}/").context["history"]

    assert [(change.label, change.before, change.after) for change in entry.changes] == [
        ("Industry", "Healthcare", "Aerospace")
    ]


def test_the_import_vocabulary_maps_a_crm_word_to_a_vertical_the_tenant_added(
    tenant, other_tenant, admin_user, manager_user, aerospace, api
):
    row = {"name": "Boeing", "domain": "boeing.example", "industry": "Aviation & Aerospace"}
    before = upsert(api, [row])
    with tenant_context(tenant):
        value_mappings_save(
            tenant=tenant,
            actor=manager_user,
            vocabulary="industry",
            words={"Aviation & Aerospace": "aerospace"},
        )
    after = upsert(api, [row])

    assert [entry["column"] for entry in before.json()["rejected"]] == ["industry"]
    assert after.json()["created"] == 1
    assert account(tenant, "boeing.example").industry == "aerospace"
    with tenant_context(other_tenant), pytest.raises(ServiceError, match="is not a value of this vocabulary"):
        value_mappings_save(
            tenant=other_tenant,
            actor=make_member(other_tenant, Role.PARTNER_MANAGER),
            vocabulary="industry",
            words={"Aviation & Aerospace": "aerospace"},
        )
    with tenant_context(tenant):
        vertical_archive(tenant=tenant, actor=admin_user, vertical_id=aerospace.id)
        with pytest.raises(ServiceError, match="is not a value of this vocabulary"):
            value_mappings_save(
                tenant=tenant, actor=manager_user, vocabulary="industry", words={"Jets": "aerospace"}
            )


def test_the_mapping_step_offers_a_vertical_the_tenant_added_for_an_unknown_industry(
    tenant, manager_user, aerospace
):
    client = login(manager_user)
    body = b"Name,Domain,Industry\nBoeing,boeing.example,Aviation & Aerospace\n"
    client.post(
        f"{T}/imports/new/", {"kind": "accounts", "file": SimpleUploadedFile("a.csv", body, "text/csv")}
    )

    job = latest_job()
    page = client.get(f"{T}/imports/{job.id}/mapping/")
    [(field, word)] = page.context["form"].word_rows()
    client.post(
        f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), "import": "1", field.name: "aerospace"}
    )
    done = run(job)

    assert word.word == "Aviation & Aerospace"
    assert ("aerospace", "Aerospace") in list(field.field.choices)
    assert (done.status, done.created_count) == ("done", 1)
    assert account(tenant, "boeing.example").industry == "aerospace"


def test_a_sync_resending_an_archived_vertical_keeps_it_but_gives_it_to_no_other_account(
    tenant, admin_user, aerospace, api
):
    TargetAccountFactory(tenant=tenant, name="Boeing", domain="boeing.example", industry="aerospace")
    TargetAccountFactory(tenant=tenant, name="Acme", domain="acme.example", industry="retail")
    with tenant_context(tenant):
        vertical_archive(tenant=tenant, actor=admin_user, vertical_id=aerospace.id)
    rows = [
        {"name": "Boeing", "domain": "boeing.example", "industry": "aerospace"},
        {"name": "Acme", "domain": "acme.example", "industry": "aerospace"},
        {"name": "Airbus", "domain": "airbus.example", "industry": "Aerospace"},
    ]
    body = api.post("/api/v1/bulk/accounts/", {"rows": rows}, content_type=JSON).json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 1)
    assert [(entry["row"], entry["column"]) for entry in body["rejected"]] == [
        (2, "industry"),
        (3, "industry"),
    ]
    assert "archived vertical" in body["rejected"][0]["reason"]
    assert account(tenant, "acme.example").industry == "retail"
