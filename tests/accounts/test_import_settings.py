"""The import settings pages: the tenant's import vocabulary (its own words, the built-in ones that
apply, mapping, changing and removing a word) and its saved column mappings beside the presets.
Staff who may view accounts read them; only roles that may change accounts change them; partner
users are refused. Each change is in the audit trail, before → after."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.importing.columns import header_signature
from accounts.models import ImportJob, ImportMapping, ValueMapping
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import ImportMappingFactory, PartnerFactory, ValueMappingFactory

T = "/t/northwind"
VOCABULARY = f"{T}/imports/vocabulary/"
NEW_WORD = f"{T}/imports/vocabulary/new/"
SAVED = f"{T}/imports/saved-mappings/"
STAGE = ValueMapping.Field.OPPORTUNITY_STAGE

DEALS_CSV = """\
Deal ID,Deal Name,Associated Company,Deal Stage,Amount,Close Date
D-1,Acme renewal,Acme,Verbal Commit,"45,000.00",2026-12-31
D-2,Acme expansion,Acme,closedwon,"12,000.00",2026-11-30
"""


def stage_word(tenant, word: str, value: str, **fields) -> ValueMapping:
    return ValueMappingFactory(
        tenant=tenant, field=STAGE, source_value=word, key=word.lower(), value=value, **fields
    )


def upload(client, content: str, kind: str = "opportunities") -> ImportJob:
    """Upload a file; its job waits in the mapping step."""
    response = client.post(
        f"{T}/imports/new/", {"kind": kind, "file": SimpleUploadedFile("deals.csv", content.encode())}
    )
    assert response.status_code == 302
    return ImportJob.unscoped.latest("id")


def mapping_page(client, job: ImportJob) -> str:
    return client.get(f"{T}/imports/{job.id}/mapping/").content.decode()


def events(tenant, action: str) -> list[AuditEvent]:
    return list(AuditEvent.unscoped.filter(tenant=tenant, action=action).order_by("id"))


@pytest.fixture
def client(manager_user):
    return login(manager_user)


# --- The vocabulary -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_vocabulary_lists_the_tenants_own_words_and_the_built_in_ones_not_another_tenants(
    tenant, other_tenant, client, manager_user
):
    stage_word(tenant, "Verbal Commit", "negotiation", updated_by=manager_user)
    stage_word(other_tenant, "Handshake", "closed_won")

    page = client.get(VOCABULARY).content.decode()

    assert "<strong>Verbal Commit</strong>" in page
    assert '<option value="negotiation" selected>Negotiation</option>' in page
    assert manager_user.display_name in page  # who changed it
    assert "Handshake" not in page
    # The built-in words that apply where the tenant mapped none, e.g. HubSpot's internal stage names.
    assert "<td><code>closedwon</code></td><td>Closed won</td>" in page
    for title in ("Opportunity stages", "Industries", "Countries → regions", "Lead sources → partners"):
        assert f"<h2>{title}</h2>" in page


@pytest.mark.django_db
def test_a_word_the_tenant_maps_itself_leaves_the_built_in_list(tenant, client):
    stage_word(tenant, "closedwon", "closed_lost")

    page = client.get(VOCABULARY).content.decode()

    assert "<strong>closedwon</strong>" in page
    assert "<td><code>closedwon</code></td>" not in page
    assert "<td><code>closedlost</code></td><td>Closed lost</td>" in page


@pytest.mark.django_db
def test_the_vocabulary_filters_by_field_and_says_when_a_vocabulary_is_empty(tenant, client):
    stage_word(tenant, "Verbal Commit", "negotiation")

    industries = client.get(VOCABULARY, {"field": "industry"}).content.decode()
    stages = client.get(VOCABULARY, {"field": STAGE}).content.decode()

    assert "<h2>Industries</h2>" in industries
    assert "<h2>Opportunity stages</h2>" not in industries
    assert "Verbal Commit" not in industries
    assert "No words of your own yet" in industries
    assert "<strong>Verbal Commit</strong>" in stages


@pytest.mark.django_db
def test_mapping_changing_and_removing_a_word_is_audited_before_and_after(tenant, client):
    added = client.post(NEW_WORD, {"field": STAGE, "word": " Verbal Commit ", "value": "negotiation"})

    assert added.status_code == 302
    assert added.url == f"{VOCABULARY}?field={STAGE}"
    with tenant_context(tenant):
        mapping = ValueMapping.objects.get(field=STAGE, source_value="Verbal Commit")
    assert mapping.value == "negotiation"
    assert "“Verbal Commit” now reads as Negotiation." in client.get(added.url).content.decode()

    changed = client.post(f"{VOCABULARY}{mapping.id}/edit/", {"value": "closed_won"})
    assert changed.status_code == 302

    confirm = client.get(f"{VOCABULARY}{mapping.id}/delete/").content.decode()
    assert "Remove the mapping of “Verbal Commit”?" in confirm
    assert "offers to map it" in confirm  # PartnerHub does not know the word without the mapping
    removed = client.post(f"{VOCABULARY}{mapping.id}/delete/")
    assert removed.status_code == 302

    with tenant_context(tenant):
        assert not ValueMapping.objects.filter(field=STAGE).exists()
    mapped = events(tenant, "vocabulary.mapped")
    assert [(event.before, event.after) for event in mapped] == [
        (None, {"field": STAGE, "word": "Verbal Commit", "value": "negotiation"}),
        ({"value": "negotiation"}, {"field": STAGE, "word": "Verbal Commit", "value": "closed_won"}),
    ]
    [unmapped] = events(tenant, "vocabulary.unmapped")
    assert unmapped.before == {"field": STAGE, "word": "Verbal Commit", "value": "closed_won"}


@pytest.mark.django_db
def test_removing_a_word_the_built_in_vocabulary_knows_says_what_it_reads_as_again(tenant, client):
    mapping = stage_word(tenant, "closedwon", "closed_lost")

    confirm = client.get(f"{VOCABULARY}{mapping.id}/delete/").content.decode()

    assert "It reads as Closed lost now. Without it, files that write it read as Closed won" in confirm


@pytest.mark.django_db
def test_removing_a_stage_mapping_makes_the_next_import_ask_for_the_word_again(tenant, client):
    job = upload(client, DEALS_CSV)
    unknown = "Stage “Verbal Commit”"
    assert unknown in mapping_page(client, job)
    assert "Stage “closedwon”" not in mapping_page(client, job)  # built in

    client.post(NEW_WORD, {"field": STAGE, "word": "Verbal Commit", "value": "negotiation"})
    assert unknown not in mapping_page(client, job)

    with tenant_context(tenant):
        mapping = ValueMapping.objects.get(field=STAGE, key="verbal commit")
    client.post(f"{VOCABULARY}{mapping.id}/delete/")

    assert unknown in mapping_page(client, upload(client, DEALS_CSV))


@pytest.mark.django_db
def test_a_lead_source_maps_to_a_partner_of_the_tenant_only(tenant, other_tenant, client, partner):
    foreign = PartnerFactory(tenant=other_tenant, name="Globex Partner")

    refused = client.post(
        NEW_WORD, {"field": "lead_source", "word": "Partner Referral - Globex", "value": str(foreign.id)}
    )
    accepted = client.post(
        NEW_WORD, {"field": "lead_source", "word": "Partner Referral - Contoso", "value": str(partner.id)}
    )

    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert accepted.status_code == 302
    with tenant_context(tenant):
        assert list(ValueMapping.objects.values_list("source_value", "value")) == [
            ("Partner Referral - Contoso", str(partner.id))
        ]
    page = client.get(VOCABULARY, {"field": "lead_source"}).content.decode()
    assert f'<option value="{partner.id}" selected>Contoso Consulting</option>' in page


@pytest.mark.django_db
def test_the_word_form_on_its_own_page_offers_every_vocabulary(tenant, client):
    page = client.get(NEW_WORD).content.decode()

    assert '<select name="field"' in page
    assert '<optgroup label="Opportunity stage">' in page
    assert '<optgroup label="Industry">' in page


# --- Who may change it --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_role_that_cannot_change_accounts_reads_the_settings_but_cannot_change_them(tenant):
    mapping = stage_word(tenant, "Verbal Commit", "negotiation")
    saved = ImportMappingFactory(tenant=tenant, name="Salesforce EU accounts")
    reader = login(make_member(tenant, Role.PRODUCT_MARKETING))

    vocabulary = reader.get(VOCABULARY).content.decode()
    saved_page = reader.get(SAVED).content.decode()
    before = fingerprint()
    answers = [
        reader.post(NEW_WORD, {"field": STAGE, "word": "Commit", "value": "negotiation"}).status_code,
        reader.post(f"{VOCABULARY}{mapping.id}/edit/", {"value": "closed_won"}).status_code,
        reader.post(f"{VOCABULARY}{mapping.id}/delete/").status_code,
        reader.post(f"{SAVED}{saved.id}/delete/").status_code,
        reader.get(NEW_WORD).status_code,
    ]

    assert "<strong>Verbal Commit</strong>" in vocabulary
    assert "Negotiation" in vocabulary
    assert 'name="word"' not in vocabulary
    assert 'name="value"' not in vocabulary
    assert "/delete/" not in vocabulary
    assert "<strong>Salesforce EU accounts</strong>" in saved_page
    assert "/delete/" not in saved_page
    assert answers == [403] * 5
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_a_partner_user_is_refused_the_import_settings(tenant, partner_user):
    mapping = stage_word(tenant, "Verbal Commit", "negotiation")
    client = login(partner_user)

    answers = [
        client.get(VOCABULARY).status_code,
        client.get(SAVED).status_code,
        client.post(NEW_WORD, {"field": STAGE, "word": "Commit", "value": "negotiation"}).status_code,
        client.post(f"{VOCABULARY}{mapping.id}/delete/").status_code,
    ]

    # The pages refuse the role; the tenant's words are out of a partner user's scope altogether.
    assert answers == [403, 403, 403, 404]
    assert "Import vocabulary" not in client.get(f"{T}/").content.decode()


# --- Saved mappings -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_saved_mappings_list_the_tenants_own_with_their_columns_and_the_presets_beside(
    tenant, other_tenant, client, manager_user
):
    ImportMappingFactory(
        tenant=tenant,
        kind=ImportJob.Kind.OPPORTUNITIES,
        name="Pipedrive deals",
        columns={"Deal title": "name", "Value": "amount", "Notes": ""},
        options={"date_order": "dmy", "decimal_mark": ",", "currency": "EUR"},
        created_by=manager_user,
    )
    ImportMappingFactory(tenant=other_tenant, name="Globex accounts")

    page = client.get(SAVED).content.decode()

    assert "<strong>Pipedrive deals</strong>" in page
    assert "<code>Deal title</code> → Name" in page
    assert '<code>Notes</code> → <span class="muted">ignored</span>' in page
    assert "Dates: Day first, European (31.12.2026)" in page
    assert "Amounts without a currency: EUR" in page
    assert manager_user.display_name in page
    assert "Globex accounts" not in page
    # The presets that ship, read-only.
    assert "<strong>HubSpot deals export</strong>" in page
    assert "<code>Deal Stage</code> → Stage" in page


@pytest.mark.django_db
def test_no_saved_mappings_yet_says_how_one_is_saved(tenant, client):
    page = client.get(SAVED).content.decode()

    assert "No saved mappings yet" in page
    assert "<strong>Salesforce accounts report</strong>" in page


@pytest.mark.django_db
def test_a_deleted_saved_mapping_no_longer_maps_the_next_file_and_is_audited(tenant, client):
    header = ["Deal ID", "Deal Name", "Associated Company", "Deal Stage", "Amount", "Close Date"]
    saved = ImportMappingFactory(
        tenant=tenant,
        kind=ImportJob.Kind.OPPORTUNITIES,
        name="Our HubSpot deals",
        columns={"Deal ID": "external_id", "Deal Name": "name", "Associated Company": "account_name"},
        signature=header_signature(header),
    )
    applied = "Mapped like your saved mapping <strong>Our HubSpot deals</strong>"
    assert applied in mapping_page(client, upload(client, DEALS_CSV))

    confirm = client.get(f"{SAVED}{saved.id}/delete/").content.decode()
    deleted = client.post(f"{SAVED}{saved.id}/delete/")

    assert "Delete the saved mapping “Our HubSpot deals”?" in confirm
    assert deleted.status_code == 302
    assert deleted.url == SAVED
    with tenant_context(tenant):
        assert not ImportMapping.objects.exists()
    [event] = events(tenant, "import_mapping.deleted")
    assert event.before == {"name": "Our HubSpot deals"}
    assert applied not in mapping_page(client, upload(client, DEALS_CSV))


# --- Links --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_settings_are_linked_from_the_imports_the_mapping_step_and_the_navigation(tenant, client):
    imports = client.get(f"{T}/imports/").content.decode()
    step = mapping_page(client, upload(client, DEALS_CSV))
    vocabulary = client.get(VOCABULARY).content.decode()

    assert f'href="{VOCABULARY}"' in imports
    assert f'href="{SAVED}"' in imports
    assert f'href="{VOCABULARY}"' in step  # beside the unknown words
    # The navigation marks the vocabulary, not Imports, as the current page.
    assert f'<a href="{VOCABULARY}" class="active" aria-current="page">Import vocabulary</a>' in vocabulary
    assert f'<a href="{T}/imports/" >Imports</a>' in vocabulary
