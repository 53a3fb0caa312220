"""How rows name what they refer to, the same through a CSV import and the bulk API: owners by
email or full name, accounts by CRM id, domain or exact name (a name two accounts share is
reported, never guessed), countries through the tenant's region mapping, Salesforce's 15- and
18-character ids as one record, and a CRM id that differs from the account on the same domain."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.forms import ImportMappingForm
from accounts.importing.reading import MAX_IMPORT_COLUMNS
from accounts.models import ImportJob, ImportMapping, Opportunity, TargetAccount
from accounts.services.imports import value_mappings_save
from accounts.tasks import discard_abandoned_imports_task
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent
from tests.accounts.test_imports import NEW, T, csv_rows, imported, latest_job, mapping_form, run
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


# --- Edges an outside tester found ---------------------------------------------------------------


def upload(client, content: str, kind: str = "opportunities"):
    client.post(NEW, {"kind": kind, "file": SimpleUploadedFile("file.csv", content.encode())})
    return latest_job()


def test_a_word_choice_lands_on_its_word_even_when_the_list_changed_meanwhile(tenant, manager_user):
    TargetAccountFactory(tenant=tenant, external_id="A-1")
    client = login(manager_user)
    content = "Opportunity ID,Name,Account ID,Stage,Amount\nO-1,One,A-1,Alpha,1\nO-2,Two,A-1,Beta,2\n"
    job = upload(client, content)
    page = client.get(f"{T}/imports/{job.id}/mapping/")
    assert [word.word for _, word in page.context["form"].word_rows()] == ["Alpha", "Beta"]
    # Someone maps Alpha before this user presses Import: the page's list is now Beta alone.
    with tenant_context(tenant):
        value_mappings_save(
            tenant=tenant,
            actor=manager_user,
            vocabulary="opportunity_stage",
            words={"Alpha": "qualification"},
        )
    choices = {
        ImportMappingForm.word_key("opportunity_stage", "Alpha"): "prospecting",
        ImportMappingForm.word_key("opportunity_stage", "Beta"): "closed_won",
    }
    client.post(f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), **choices, "import": "1"})
    run(job)
    stages = dict(Opportunity.unscoped.values_list("external_id", "stage"))
    assert stages == {"O-1": "qualification", "O-2": "closed_won"}


@pytest.mark.parametrize(("default", "stored"), [("AUD", "AUD"), ("EUR", "USD"), ("USD", "USD")])
def test_a_bare_dollar_is_the_tenants_dollar_else_the_us_dollar(tenant, api, default, stored):
    tenant.default_currency = default
    tenant.save(update_fields=["default_currency"])
    TargetAccountFactory(tenant=tenant, external_id="A-1")
    row = {"external_id": "O-1", "account_external_id": "A-1", "name": "Deal", "amount": "$80,000"}
    assert post(api, OPPORTUNITIES, [row])["created"] == 1
    assert Opportunity.unscoped.values_list("amount", "currency").get() == (80000, stored)


def test_an_amount_written_in_another_currency_than_its_column_is_refused(tenant, api):
    TargetAccountFactory(tenant=tenant, external_id="A-1")
    row = {"external_id": "O-1", "account_external_id": "A-1", "name": "Deal"}
    body = post(
        api,
        OPPORTUNITIES,
        [
            {**row, "amount": "EUR 80,000", "currency": "USD"},
            {**row, "external_id": "O-2", "amount": "EUR 5", "currency": "eur"},
        ],
    )
    assert body["created"] == 1
    assert problems(body) == [(1, "currency", "The amount is written in EUR, the currency column says USD.")]


def test_a_placeholder_country_gives_no_region(tenant, api):
    rows = [
        {"name": name, "domain": f"{name.lower()}.example", "country": name}
        for name in ("Other", "none", "Turkey", "Germany")
    ]
    assert post(api, ACCOUNTS, rows)["created"] == 4
    regions = dict(TargetAccount.unscoped.values_list("name", "region"))
    assert (regions["Other"], regions["none"], regions["Germany"]) == ("", "", "dach")


def test_a_mapping_of_a_file_with_a_repeated_column_name_is_not_saved(tenant, manager_user):
    client = login(manager_user)
    job = upload(client, "Account Name,Website,Website\nAcme,junk,acme.com\n", kind="accounts")
    form = {**mapping_form(job), "column_1": "", "column_2": "domain", "save_as": "CRM", "import": "1"}
    response = client.post(f"{T}/imports/{job.id}/mapping/", form)
    assert response.status_code == 200
    assert "more than one column named Website" in str(response.context["form"].errors["save_as"])
    assert not ImportMapping.unscoped.filter(tenant=tenant).exists()


def test_a_saved_mapping_name_is_not_taken_over_by_a_file_with_other_columns(tenant, manager_user):
    client = login(manager_user)
    first = upload(client, "Account Name,Website\nAcme,acme.com\n", kind="accounts")
    client.post(f"{T}/imports/{first.id}/mapping/", {**mapping_form(first), "save_as": "CRM", "import": "1"})
    other = upload(client, "Company,Domain,Owner\nGlobex,globex.com,\n", kind="accounts")
    form = {**mapping_form(other), "save_as": "crm", "import": "1"}
    response = client.post(f"{T}/imports/{other.id}/mapping/", form)
    assert "is for files with other columns" in str(response.context["form"].errors["save_as"])
    assert ImportMapping.unscoped.get(tenant=tenant).columns == {"Account Name": "name", "Website": "domain"}


def test_words_the_vocabulary_cannot_hold_or_that_mean_themselves_are_refused(tenant, manager_user):
    with tenant_context(tenant):
        for word, message in [("x" * 201, "at most 200 characters"), ("Proposal", "PartnerHub's own values")]:
            with pytest.raises(ServiceError, match=message):
                value_mappings_save(
                    tenant=tenant,
                    actor=manager_user,
                    vocabulary="opportunity_stage",
                    words={word: "negotiation"},
                )


def test_a_partner_user_cannot_download_the_raw_rows_of_a_file_staff_uploaded_for_it(
    tenant, manager_user, partner, partner_user
):
    client = login(manager_user)
    content = "domain,notes\nnot a domain,secret note\n"
    client.post(
        f"{T}/imports/mapping/",
        {"partner": partner.id, "file": SimpleUploadedFile("m.csv", content.encode())},
    )
    job = latest_job()
    client.post(f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), "import": "1"})
    job = run(job)
    assert job.rejected_count == 1
    assert client.get(f"{T}/imports/{job.id}/?export=rows").status_code == 200
    partner_client = login(partner_user)
    assert partner_client.get(f"{T}/imports/{job.id}/?export=rows").status_code == 404
    page = partner_client.get(f"{T}/imports/{job.id}/")
    assert page.status_code == 200  # the report, with its row-and-column problems, but no raw rows
    assert 'id="rejected-rows-download"' not in page.content.decode()
    assert 'id="rejected-rows-download"' in client.get(f"{T}/imports/{job.id}/").content.decode()


def test_the_rejected_rows_download_quotes_a_cell_a_spreadsheet_would_run(tenant, manager_user):
    client = login(manager_user)
    job = upload(
        client, 'Account Name,Website\n"=HYPERLINK(""http://x.example"")",not a domain\n', kind="accounts"
    )
    client.post(f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), "import": "1"})
    assert run(job).rejected_count == 1
    rows = csv_rows(client.get(f"{T}/imports/{job.id}/?export=rows"))
    assert rows[1][:2] == ['\'=HYPERLINK("http://x.example")', "not a domain"]


def test_a_file_wider_than_the_mapping_page_can_post_is_refused_at_upload(tenant, manager_user):
    header = ",".join(f"Column {n}" for n in range(MAX_IMPORT_COLUMNS + 1))
    response = login(manager_user).post(
        NEW,
        {
            "kind": "accounts",
            "file": SimpleUploadedFile("wide.csv", f"{header}\n{'x,' * MAX_IMPORT_COLUMNS}x\n".encode()),
        },
    )
    assert response.status_code == 200
    assert f"PartnerHub reads at most {MAX_IMPORT_COLUMNS}" in str(response.context["form"].errors["file"])


def test_an_upload_is_discarded_from_its_mapping_step_or_by_the_sweep_after_a_week(tenant, manager_user):
    client = login(manager_user)
    job = upload(client, "Account Name,Website\nAcme,acme.com\n", kind="accounts")
    response = client.post(f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), "discard": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.content) == ("cancelled", "")
    assert not TargetAccount.unscoped.exists()
    assert AuditEvent.unscoped.filter(tenant=tenant, action="import.discarded").count() == 1
    assert "Discarded" in client.get(f"{T}/imports/{job.id}/").content.decode()

    old, recent = (upload(client, "Account Name,Website\nAcme,acme.com\n", kind="accounts") for _ in range(2))
    with tenant_context(tenant):
        ImportJob.objects.filter(id=old.id).update(created_at=timezone.now() - datetime.timedelta(days=8))
    discard_abandoned_imports_task()
    statuses = dict(ImportJob.unscoped.filter(id__in=[old.id, recent.id]).values_list("id", "status"))
    assert statuses == {old.id: "cancelled", recent.id: "mapping"}
