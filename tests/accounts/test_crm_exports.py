"""Files exported the way Salesforce and HubSpot export them (tests/fixtures/crm, whose README gives
the expected figures) go in through the portal's mapping step with no edit to the file: the upload
suggests the mapping, the user confirms it (mapping an unknown word where the page offers it), and
the worker imports. A saved mapping is applied to the next file with the same header, and the
rejected-rows download re-imports once its rows are fixed."""

import csv
import datetime
import io
import pathlib
from collections import Counter
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from accounts.forms import ImportMappingForm
from accounts.importing.columns import REASON_COLUMN
from accounts.models import (
    ImportJob,
    ImportMapping,
    Opportunity,
    OpportunityStageChange,
    TargetAccount,
    ValueMapping,
)
from accounts.services.imports import value_mappings_save
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from tests.accounts.test_imports import NEW, T, csv_rows, latest_job, mapping_form, run
from tests.conftest import login, make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import PartnerFactory

CRM = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "crm"
OWNERS = ("Jane Doe", "Marcus Lee", "Priya Raman")
pytestmark = pytest.mark.django_db


@pytest.fixture
def client(tenant, manager_user):
    for name in OWNERS:
        make_member(tenant, full_name=name)
    return login(manager_user)


def upload_file(client, name: str, kind: str, body: bytes | None = None) -> ImportJob:
    """Upload a fixture file (or a variant of it) as is; the job awaits its mapping."""
    body = (CRM / name).read_bytes() if body is None else body
    response = client.post(NEW, {"kind": kind, "file": SimpleUploadedFile(name, body, "text/csv")})
    assert response.status_code == 302, response.content.decode()[-2000:]
    job = latest_job()
    assert response["Location"] == f"{T}/imports/{job.id}/mapping/"
    return job


def mapping_page(client, job: ImportJob):
    response = client.get(f"{T}/imports/{job.id}/mapping/")
    assert response.status_code == 200
    return response


def confirm(client, job: ImportJob, **changes) -> ImportJob:
    """Press Import on the mapping page as it is filled in (plus `changes`), then run the job as the
    worker does."""
    response = client.post(f"{T}/imports/{job.id}/mapping/", {**mapping_form(job), "import": "1", **changes})
    assert response.status_code == 302, response.context and response.context["form"].errors
    return run(ImportJob.unscoped.get(id=job.id))


def import_file(client, name: str, kind: str, **changes) -> ImportJob:
    return confirm(client, upload_file(client, name, kind), **changes)


def word_field(vocabulary: str, word: str) -> str:
    """The mapping page's field for an unknown word (named by the word, in any case or spacing)."""
    return ImportMappingForm.word_key(vocabulary, word)


def column_of(job: ImportJob, label: str) -> str:
    return f"column_{job.header.index(label)}"


def counted(queryset, field: str) -> dict:
    return dict(Counter(queryset.values_list(field, flat=True)))


def accounts(tenant):
    return TargetAccount.unscoped.filter(tenant=tenant)


def opportunities(tenant):
    return Opportunity.unscoped.filter(tenant=tenant)


def sums_by_currency(tenant) -> dict:
    rows = opportunities(tenant).values("currency").annotate(total=Sum("amount"))
    return {row["currency"]: row["total"] for row in rows}


def history(opportunity) -> list[tuple]:
    changes = OpportunityStageChange.unscoped.filter(opportunity=opportunity).order_by("changed_at")
    return [(change.from_stage, change.to_stage, change.changed_at) for change in changes]


def report_of(job: ImportJob) -> tuple:
    return (job.status, job.created_count, job.updated_count, job.unchanged_count, job.rejected_count)


# --- Salesforce -----------------------------------------------------------------------------------


def test_a_salesforce_accounts_report_imports_as_suggested(tenant, client):
    job = upload_file(client, "salesforce_accounts.csv", "accounts")
    page = mapping_page(client, job)
    # The preset names its columns; the rest are ignored, and the page shows sample values.
    assert [job.columns[job.header.index(label)] for label in ("Account Name", "Website", "Account ID")] == [
        "name",
        "domain",
        "external_id",
    ]
    assert job.columns[job.header.index("Billing Country")] == "country"
    assert job.columns[job.header.index("Account Owner")] == "owner"
    assert "www.meridianhealth.com" in page.content.decode()
    assert not page.context["problems"] and not page.context["form"].word_rows()
    assert not TargetAccount.unscoped.filter(tenant=tenant).exists()  # nothing written before Import

    job = confirm(client, job)
    assert report_of(job) == ("done", 12, 0, 0, 0)
    stored = accounts(tenant)
    assert counted(stored, "region") == {
        "north_america": 5,
        "dach": 2,
        "uk_ireland": 1,
        "france": 1,
        "benelux": 1,
        "nordics": 1,
        "india": 1,
    }
    assert counted(stored, "industry")["financial_services"] == 3 and len(counted(stored, "industry")) == 10
    assert counted(stored, "owner__full_name") == {"Jane Doe": 4, "Marcus Lee": 4, "Priya Raman": 4}
    assert stored.get(external_id="0015g00000TqLmNAAV").domain == "meridianhealth.com"
    assert stored.filter(name="Müller Maschinenbau GmbH").exists()


def salesforce_accounts(client, tenant):
    job = import_file(client, "salesforce_accounts.csv", "accounts")
    assert report_of(job) == ("done", 12, 0, 0, 0)


def test_a_german_excel_resave_imports_the_same_accounts(tenant, client):
    job = import_file(client, "salesforce_accounts_de_excel.csv", "accounts")
    assert report_of(job) == ("done", 12, 0, 0, 0)
    names = set(accounts(tenant).values_list("name", flat=True))
    assert {"Müller Maschinenbau GmbH", "Zürcher Privatbank AG"} <= names
    # The UTF-8 original of the same report then changes nothing: both files say the same.
    job = import_file(client, "salesforce_accounts.csv", "accounts")
    assert report_of(job) == ("done", 0, 0, 12, 0)


def test_a_salesforce_opportunities_report_imports_with_its_amounts_stages_and_dates(
    tenant, client, manager_user
):
    salesforce_accounts(client, tenant)
    referrals = PartnerFactory(tenant=tenant, name="Contoso Consulting")
    with tenant_context(tenant):
        value_mappings_save(
            tenant=tenant,
            actor=manager_user,
            vocabulary="lead_source",
            words={"Partner Referral": str(referrals.id)},
        )
    job = import_file(client, "salesforce_opportunities.csv", "opportunities")
    assert job.options["date_order"] == "mdy"
    assert report_of(job) == ("done", 12, 0, 0, 0)
    assert sums_by_currency(tenant) == {
        "USD": Decimal("748500.00"),
        "EUR": Decimal("270000.00"),
        "CHF": Decimal("96000.00"),
        "GBP": Decimal("54000.00"),
    }
    assert counted(opportunities(tenant), "stage") == {
        "prospecting": 2,
        "qualification": 4,
        "proposal": 2,
        "negotiation": 1,
        "closed_won": 2,
        "closed_lost": 1,
    }
    assert opportunities(tenant).filter(source_partner=referrals).count() == 5
    # 15- and 18-character account ids name the same account: Meridian has its three.
    assert opportunities(tenant).filter(account__name="Meridian Health Systems").count() == 3
    # The history keeps the file's dates (midnight in the tenant's zone), not the import's time.
    deal = opportunities(tenant).get(external_id="0065g00000Kp2QaAAJ")
    assert deal.close_date == datetime.date(2027, 3, 31)
    midnight = datetime.datetime(2026, 11, 18, tzinfo=tenant.zone)
    assert deal.stage_changed_at == midnight
    assert history(deal) == [("", "negotiation", midnight)]


def test_a_classic_report_with_its_footer_updates_the_same_records(tenant, client):
    salesforce_accounts(client, tenant)
    first = import_file(client, "salesforce_opportunities.csv", "opportunities")
    assert report_of(first) == ("done", 12, 0, 0, 0)
    before = {opp.external_id: (opp.account_id, opp.amount, opp.stage) for opp in opportunities(tenant)}

    job = upload_file(client, "salesforce_opportunities_classic_footer.csv", "opportunities")
    assert job.total_rows == 12  # the footer is not a row
    job = confirm(client, job)
    # Every 15-character id is one of the 18-character records: nothing created, nothing rejected
    # (Fjordline's 0015g00000XeFgH is not Saraswati's 0015g00000XefgH).
    assert report_of(job) == ("done", 0, 0, 12, 0)
    after = {opp.external_id: (opp.account_id, opp.amount, opp.stage) for opp in opportunities(tenant)}
    assert after == before


def test_a_classic_report_alone_imports_its_twelve_rows(tenant, client):
    salesforce_accounts(client, tenant)
    job = import_file(client, "salesforce_opportunities_classic_footer.csv", "opportunities")
    assert report_of(job) == ("done", 12, 0, 0, 0)
    assert sums_by_currency(tenant)["USD"] == Decimal("748500.00")


def german_resave(name: str) -> bytes:
    """`name` as a German Excel saves it: semicolons, Windows-1252, day-first dates with dots and
    decimal commas ("USD 185.000,00")."""
    rows = list(csv.reader(io.StringIO((CRM / name).read_text())))

    def german(value: str) -> str:
        parts = value.split("/")
        if len(parts) == 3 and all(part.isdigit() for part in parts):
            month, day, year = parts
            return f"{int(day):02}.{int(month):02}.{year}"
        if value.startswith("USD ") or value[:4] in {"EUR ", "GBP ", "CHF "}:
            return value.replace(",", " ").replace(".", ",").replace(" ", ".").replace(".", " ", 1)
        return value

    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(
        [rows[0], *[[german(value) for value in row] for row in rows[1:]]]
    )
    return out.getvalue().encode("cp1252")


def test_a_german_resave_of_opportunities_reads_day_first_dates_and_decimal_commas(tenant, client):
    salesforce_accounts(client, tenant)
    body = german_resave("salesforce_opportunities.csv")
    assert b"USD 185.000,00" in body and b"31.03.2027" in body
    job = upload_file(client, "opportunities-de.csv", "opportunities", body)
    assert (job.options["date_order"], job.options["decimal_mark"]) == ("dmy", ",")
    job = confirm(client, job)
    assert report_of(job) == ("done", 12, 0, 0, 0)
    assert sums_by_currency(tenant)["USD"] == Decimal("748500.00")
    assert opportunities(tenant).get(external_id="0065g00000Kp2QaAAJ").close_date == datetime.date(
        2027, 3, 31
    )


# --- HubSpot --------------------------------------------------------------------------------------


def test_hubspot_companies_then_deals_import_mapping_the_one_unknown_industry(tenant, client):
    tenant.default_currency = "EUR"
    tenant.save(update_fields=["default_currency"])
    job = upload_file(client, "hubspot_companies.csv", "accounts")
    words = mapping_page(client, job).context["form"].word_rows()
    # HubSpot writes industries as internal values; one of them no vocabulary knows yet.
    assert [(word.field, word.word, word.rows) for _, word in words] == [
        ("industry", "MECHANICAL_OR_INDUSTRIAL_ENGINEERING", 1)
    ]
    job = confirm(
        client, job, **{word_field("industry", "MECHANICAL_OR_INDUSTRIAL_ENGINEERING"): "manufacturing"}
    )
    assert report_of(job) == ("done", 10, 0, 0, 0)
    assert len(counted(accounts(tenant), "industry")) == 10
    assert accounts(tenant).get(external_id="18934521077").industry == "manufacturing"
    assert counted(accounts(tenant), "owner__full_name") == {"Jane Doe": 4, "Marcus Lee": 3, "Priya Raman": 3}

    job = upload_file(client, "hubspot_deals.csv", "opportunities")
    assert not mapping_page(client, job).context["form"].word_rows()  # HubSpot's stages are known
    job = confirm(client, job)
    assert report_of(job) == ("done", 12, 0, 0, 0)
    # Amounts without a currency took the tenant's default, and the report says so.
    assert sums_by_currency(tenant) == {"USD": Decimal("313750"), "EUR": Decimal("645000")}
    assert job.notices == {"default_currency:EUR": 8}
    page = client.get(f"{T}/imports/{job.id}/").content.decode()
    assert "8 new opportunities had no currency in the file and took the default currency, EUR." in page
    assert counted(opportunities(tenant), "stage") == {
        "prospecting": 2,
        "qualification": 2,
        "proposal": 3,
        "negotiation": 2,
        "closed_won": 2,
        "closed_lost": 1,
    }
    deal = opportunities(tenant).get(external_id="27581940311")
    assert deal.close_date == datetime.date(2026, 10, 30)
    # No stage-change column: the history starts at the deal's Create Date.
    assert history(deal) == [("", "closed_won", datetime.datetime(2026, 4, 8, 9, 30, tzinfo=tenant.zone))]


# --- Saved mappings and unknown stages ------------------------------------------------------------


def test_a_saved_mapping_is_applied_to_the_next_file_with_the_same_header(tenant, client):
    job = upload_file(client, "salesforce_accounts.csv", "accounts")
    # The user maps Type (not in the preset) to the stage set by hand and saves the mapping.
    confirm(
        client,
        job,
        **{column_of(job, "Type"): "stage", "save_as": "Salesforce accounts report (ours)"},
    )
    saved = ImportMapping.unscoped.get(tenant=tenant, name="Salesforce accounts report (ours)")
    assert saved.columns["Type"] == "stage"
    assert AuditEvent.unscoped.filter(tenant=tenant, action="import_mapping.saved").count() == 1

    # The German re-save has the same header (other delimiter and encoding): the saved mapping is
    # applied, and the page says which.
    job = upload_file(client, "salesforce_accounts_de_excel.csv", "accounts")
    page = mapping_page(client, job)
    assert job.saved_mapping == saved
    assert "Salesforce accounts report (ours)" in page.content.decode()
    assert job.columns[job.header.index("Type")] == "stage"
    job = confirm(client, job)
    assert report_of(job) == ("done", 0, 0, 12, 0)
    assert counted(accounts(tenant), "manual_stage") == {"existing_customer": 6, "net_new": 6}


def test_an_unknown_stage_is_offered_for_mapping_and_once_mapped_its_rows_go_in(tenant, client):
    salesforce_accounts(client, tenant)
    original = (CRM / "salesforce_opportunities.csv").read_text()
    body = original.replace('"Negotiation/Review"', '"Legal Review"').encode()
    job = upload_file(client, "opportunities.csv", "opportunities", body)
    words = mapping_page(client, job).context["form"].word_rows()
    assert [(word.vocabulary, word.word, word.rows) for _, word in words] == [
        ("opportunity_stage", "Legal Review", 1)
    ]
    # "Preview with these choices" reads the row with the word as chosen, and saves nothing.
    url = f"{T}/imports/{job.id}/mapping/"
    preview = client.post(
        url,
        {**mapping_form(job), word_field("opportunity_stage", "Legal Review"): "negotiation", "preview": "1"},
    ).context["preview"]
    assert preview[0]["number"] == 2 and preview[0]["errors"] == [] and "negotiation" in preview[0]["cells"]
    assert not ValueMapping.unscoped.filter(tenant=tenant).exists()
    job = confirm(client, job, **{word_field("opportunity_stage", "legal  review"): "negotiation"})
    assert report_of(job) == ("done", 12, 0, 0, 0)
    assert opportunities(tenant).get(external_id="0065g00000Kp2QaAAJ").stage == "negotiation"
    mapping = ValueMapping.unscoped.get(tenant=tenant, field="opportunity_stage")
    assert (mapping.source_value, mapping.value) == ("Legal Review", "negotiation")
    event = AuditEvent.unscoped.get(tenant=tenant, action="vocabulary.mapped")
    assert event.after == {"field": "opportunity_stage", "word": "Legal Review", "value": "negotiation"}
    # The next file with that stage is read through the tenant's vocabulary: nothing to offer.
    job = upload_file(client, "opportunities.csv", "opportunities", body)
    assert not mapping_page(client, job).context["form"].word_rows()


def test_an_unknown_stage_left_unmapped_rejects_only_its_rows(tenant, client):
    salesforce_accounts(client, tenant)
    body = (
        (CRM / "salesforce_opportunities.csv").read_text().replace('"Negotiation/Review"', '"Legal Review"')
    )
    job = confirm(client, upload_file(client, "opportunities.csv", "opportunities", body.encode()))
    assert report_of(job) == ("done", 11, 0, 0, 1)
    assert [(entry["row"], entry["column"]) for entry in job.errors] == [(2, "stage")]
    assert "Legal Review" in job.errors[0]["reason"]


# --- The rejected rows, fixed and uploaded again --------------------------------------------------


def test_the_rejected_rows_download_reimports_once_fixed_changing_nothing_else(tenant, client):
    original = (CRM / "salesforce_accounts.csv").read_text()
    broken = original.replace('"www.meridianhealth.com"', '"meridian health"').replace(
        '"Marcus Lee","Harborview', '"Marcus Leigh","Harborview'
    )
    job = confirm(client, upload_file(client, "salesforce_accounts.csv", "accounts", broken.encode()))
    assert report_of(job) == ("done", 10, 0, 0, 2)

    download = client.get(f"{T}/imports/{job.id}/?export=rows")
    assert download.status_code == 200
    rows = csv_rows(download)
    header = next(csv.reader(io.StringIO(original)))
    # The file's own columns, then why each row was refused.
    assert rows[0] == [*header, REASON_COLUMN]
    assert [row[1] for row in rows[1:]] == ["Meridian Health Systems", "Harborview Savings Bank"]
    assert "domain" in rows[1][-1].lower() or "web" in rows[1][-1].lower()
    assert "Marcus Leigh" in rows[2][-1]
    assert [row[:-1] for row in rows[1:]] == [
        row
        for row in csv.reader(io.StringIO(broken))
        if row[1] in {"Meridian Health Systems", "Harborview Savings Bank"}
    ]

    # The user fixes the two cells and uploads the download as it is, reason column and all.
    rows[1][header.index("Website")] = "www.meridianhealth.com"
    rows[2][header.index("Account Owner")] = "Marcus Lee"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(rows)
    state = fingerprint()
    job = upload_file(client, "rejected-rows.csv", "accounts", fixed.getvalue().encode())
    assert job.columns[-1] == ""  # the reason column is ignored
    job = confirm(client, job)
    assert report_of(job) == ("done", 2, 0, 0, 0)
    # The two accounts and the job's own bookkeeping are all that changed.
    assert set(changed_tables(state, fingerprint())) <= {
        "accounts_targetaccount",
        "accounts_importjob",
        "tenancy_auditevent",
    }
    assert accounts(tenant).count() == 12
    assert accounts(tenant).get(name="Harborview Savings Bank").owner.full_name == "Marcus Lee"
    # Uploading the whole original again now changes nothing.
    job = import_file(client, "salesforce_accounts.csv", "accounts")
    assert report_of(job) == ("done", 0, 0, 12, 0)


def test_the_preview_shows_rows_it_cannot_read_as_the_file_writes_them_with_the_reason(tenant, client):
    job = upload_file(client, "hubspot_deals.csv", "opportunities")  # before its companies
    preview = mapping_page(client, job).context["preview"]
    first = preview[0]
    assert first["number"] == 2
    assert "Orbital Robotics Inc." in first["cells"] and "$120,000" in first["cells"]
    assert [error["column"] for error in first["errors"]] == ["account_external_id"]
    assert not opportunities(tenant).exists()
