"""The tenant's own list of verticals: every tenant starts with the fourteen defaults (new ones and,
by the data migration, those that existed before); a tenant admin adds, renames, reorders, archives
and restores them in Settings → Verticals, each change audited before → after; the API lists them."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, TenantVertical
from partnerhub.tenancy.services import tenant_create, vertical_add, verticals_install
from partnerhub.tenancy.taxonomy import Vertical
from tests.api_cases import bearer, session
from tests.conftest import login
from tests.factories import ApiKeyFactory

T = "/t/northwind"
VERTICALS = f"{T}/settings/verticals/"
DEFAULTS = [(value, str(label)) for value, label in Vertical.choices]


def listed(tenant) -> list[tuple[str, str]]:
    """(value, label) of the tenant's verticals, in their order."""
    rows = TenantVertical.unscoped.filter(tenant=tenant).order_by("position", "id")
    return list(rows.values_list("value", "label"))


def vertical(tenant, value: str) -> TenantVertical:
    return TenantVertical.unscoped.get(tenant=tenant, value=value)


def followed_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def events(tenant, action: str) -> list[tuple[dict | None, dict | None]]:
    found = AuditEvent.unscoped.filter(tenant=tenant, action=action).order_by("id")
    return [(event.before, event.after) for event in found]


# --- Every tenant starts with the defaults ------------------------------------------------------


@pytest.mark.django_db
def test_a_new_tenant_starts_with_the_fourteen_default_verticals_in_order():
    tenant = tenant_create(actor=None, slug="fabrikam", name="Fabrikam")

    assert listed(tenant) == DEFAULTS
    assert len(DEFAULTS) == 14
    assert not TenantVertical.unscoped.filter(tenant=tenant, archived_at__isnull=False).exists()


@pytest.mark.django_db
def test_installing_the_defaults_again_keeps_the_tenants_edits(tenant, admin_user):
    with tenant_context(tenant):
        TenantVertical.objects.filter(tenant=tenant, value="retail").update(label="Retail & e-commerce")
        TenantVertical.objects.filter(tenant=tenant, value="energy").delete()

        added = verticals_install(tenant=tenant)

    assert [row.value for row in added] == ["energy"]
    assert vertical(tenant, "retail").label == "Retail & e-commerce"
    assert TenantVertical.unscoped.filter(tenant=tenant).count() == 14


@pytest.mark.django_db
def test_the_data_migration_gives_existing_tenants_the_defaults_once(tenant, other_tenant):
    for each in (tenant, other_tenant):
        with tenant_context(each):
            TenantVertical.objects.filter(tenant=each).delete()
    migration = importlib.import_module("partnerhub.tenancy.migrations.0007_install_default_verticals")
    historical = MigrationLoader(connection).project_state(("tenancy", "0006_tenant_verticals")).apps

    migration.install_default_verticals(historical, None)
    migration.install_default_verticals(historical, None)

    assert listed(tenant) == DEFAULTS
    assert listed(other_tenant) == DEFAULTS


# --- Settings → Verticals -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_settings_page_links_to_the_verticals_which_list_in_order(tenant, admin_user):
    client = login(admin_user)

    settings_page = client.get(f"{T}/settings/")
    page = client.get(VERTICALS)

    assert VERTICALS in settings_page.content.decode()
    assert page.status_code == 200
    assert [(row.value, row.label) for row in page.context["rows"]] == DEFAULTS


@pytest.mark.django_db
def test_an_admin_adds_a_vertical_its_value_made_from_the_name_and_audited(tenant, admin_user):
    client = login(admin_user)

    response = client.post(f"{VERTICALS}new/", {"label": "  Aerospace   &  defense "}, follow=True)

    assert followed_messages(response) == ["Vertical “Aerospace & defense” added (value aerospace_defense)."]
    assert listed(tenant)[-1] == ("aerospace_defense", "Aerospace & defense")
    added = vertical(tenant, "aerospace_defense")
    assert events(tenant, "vertical.added") == [
        (
            None,
            {
                "value": "aerospace_defense",
                "label": "Aerospace & defense",
                "position": 14,
                "archived_at": None,
            },
        )
    ]
    assert AuditEvent.unscoped.get(action="vertical.added").target_id == str(added.id)


@pytest.mark.django_db
def test_a_name_taken_is_refused_and_a_value_taken_gets_a_number(tenant, admin_user):
    client = login(admin_user)
    client.post(f"{VERTICALS}new/", {"label": "Aerospace"})

    taken = client.post(f"{VERTICALS}new/", {"label": "AEROSPACE"})
    numbered = client.post(f"{VERTICALS}new/", {"label": "Aerospace!"})

    assert taken.status_code == 200
    assert taken.context["form"].errors["label"] == ["The tenant has a vertical named AEROSPACE already."]
    assert numbered.status_code == 302
    assert listed(tenant)[-2:] == [("aerospace", "Aerospace"), ("aerospace_2", "Aerospace!")]


@pytest.mark.django_db
def test_renaming_changes_the_label_only_and_is_audited_before_and_after(tenant, admin_user):
    retail = vertical(tenant, "retail")
    client = login(admin_user)

    form = client.get(f"{VERTICALS}{retail.id}/rename/")
    response = client.post(f"{VERTICALS}{retail.id}/rename/", {"label": "Retail & e-commerce"})

    assert form.context["form"].initial == {"label": "Retail"}
    assert response.status_code == 302
    assert vertical(tenant, "retail").label == "Retail & e-commerce"
    assert events(tenant, "vertical.renamed") == [({"label": "Retail"}, {"label": "Retail & e-commerce"})]


@pytest.mark.django_db
def test_moving_a_vertical_up_and_down_reorders_the_list_and_is_audited(tenant, admin_user):
    education = vertical(tenant, "education")
    client = login(admin_user)

    client.post(f"{VERTICALS}{education.id}/move/", {"direction": "up"})
    up = [value for value, _ in listed(tenant)][:3]
    client.post(f"{VERTICALS}{education.id}/move/", {"direction": "down"})
    client.post(f"{VERTICALS}{education.id}/move/", {"direction": "down"})
    down = [value for value, _ in listed(tenant)][:4]
    first = vertical(tenant, "healthcare")
    refused = client.post(f"{VERTICALS}{first.id}/move/", {"direction": "up"}, follow=True)

    assert up == ["healthcare", "education", "life_sciences"]
    assert down == ["healthcare", "life_sciences", "manufacturing", "education"]
    assert events(tenant, "vertical.moved") == [
        ({"position": 2}, {"position": 1}),
        ({"position": 1}, {"position": 2}),
        ({"position": 2}, {"position": 3}),
    ]
    assert followed_messages(refused)[-1] == "Healthcare is first already."


@pytest.mark.django_db
def test_archiving_asks_first_then_archives_and_restoring_brings_it_back(tenant, admin_user):
    retail = vertical(tenant, "retail")
    client = login(admin_user)

    question = client.get(f"{VERTICALS}{retail.id}/archive/")
    client.post(f"{VERTICALS}{retail.id}/archive/")
    archived = vertical(tenant, "retail")
    again = client.get(f"{VERTICALS}{retail.id}/archive/")
    client.post(f"{VERTICALS}{retail.id}/restore/")

    assert question.context["title"] == "Archive “Retail”?"
    assert "keep it and still show its name" in question.context["message"]
    assert archived.archived_at is not None
    assert again.context["refusal"] == "Retail is archived already."
    assert vertical(tenant, "retail").archived_at is None
    [(before, after)] = events(tenant, "vertical.archived")
    assert before == {"archived_at": None} and after["archived_at"] == archived.archived_at.isoformat()
    assert events(tenant, "vertical.restored") == [(after, {"archived_at": None})]


@pytest.mark.django_db
def test_the_audit_trail_reads_the_changes_in_words(tenant, admin_user):
    client = login(admin_user)
    client.post(f"{VERTICALS}new/", {"label": "Aerospace"})
    client.post(f"{VERTICALS}{vertical(tenant, 'aerospace').id}/rename/", {"label": "Aerospace & defense"})

    trail = client.get(f"{T}/audit/").content.decode()

    assert "Vertical added" in trail and "Vertical renamed" in trail
    assert "Aerospace &amp; defense" in trail


@pytest.mark.django_db
def test_only_whoever_may_change_the_tenants_settings_keeps_the_list(tenant, manager_user):
    retail = vertical(tenant, "retail")
    client = login(manager_user)

    pages = [
        client.get(VERTICALS).status_code,
        client.post(f"{VERTICALS}new/", {"label": "Aerospace"}).status_code,
        client.post(f"{VERTICALS}{retail.id}/archive/").status_code,
    ]

    assert pages == [403, 403, 403]
    assert listed(tenant) == DEFAULTS
    with tenant_context(tenant), pytest.raises(ServiceError, match="Only tenant admins"):
        vertical_add(tenant=tenant, actor=manager_user, label="Aerospace")


@pytest.mark.django_db
def test_one_tenants_list_is_its_own(tenant, other_tenant, admin_user):
    login(admin_user).post(f"{VERTICALS}new/", {"label": "Aerospace"})

    assert ("aerospace", "Aerospace") in listed(tenant)
    assert listed(other_tenant) == DEFAULTS


# --- The API ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_lists_the_tenants_verticals_in_order_with_the_archived_ones(
    tenant, other_tenant, admin_user
):
    login(admin_user).post(f"{VERTICALS}new/", {"label": "Aerospace"})
    login(admin_user).post(f"{VERTICALS}{vertical(tenant, 'retail').id}/archive/")

    response = bearer(ApiKeyFactory(tenant=tenant, scopes=["read"])).get("/api/v1/verticals/")

    rows = response.json()["results"]
    assert response.status_code == 200
    assert [(row["value"], row["label"]) for row in rows] == [*DEFAULTS, ("aerospace", "Aerospace")]
    assert [row["value"] for row in rows if row["archived"]] == ["retail"]
    assert set(rows[0]) == {"id", "value", "label", "position", "archived", "archived_at"}


@pytest.mark.django_db
def test_the_api_list_is_for_staff_and_read_only(tenant, partner_user, manager_user):
    key = bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))

    assert session(partner_user).get("/api/v1/verticals/").status_code == 403
    assert session(manager_user).get("/api/v1/verticals/").status_code == 200
    assert (
        key.post("/api/v1/verticals/", {"label": "Aerospace"}, content_type="application/json").status_code
        == 405
    )
