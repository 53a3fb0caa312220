"""Partner-scoped API keys: a partner admin creates, lists and revokes its own company's keys in the
portal; a key acts as a user of its partner (docs/api.md, "Partner keys")."""

import pytest
from django.test import Client

from partnerhub.tenancy import services
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import ApiKey, AuditEvent
from partnerhub.tenancy.roles import Role
from tests.api_cases import bearer
from tests.conftest import login, make_member
from tests.factories import AccountClaimFactory, ApiKeyFactory

KEYS = "/t/northwind/settings/api-keys/"


@pytest.fixture
def partner_admin(tenant, partner):
    return make_member(tenant, Role.PARTNER_ADMIN, partner=partner, email="pat@contoso.example")


@pytest.mark.django_db
def test_a_partner_admin_creates_its_companys_key_and_sees_it_once(tenant, partner, partner_admin):
    client = login(partner_admin)
    created = client.post(f"{KEYS}new/", {"name": "Contoso CRM", "access": "write"})
    assert (created.status_code, created["Location"]) == (302, f"{KEYS}created/")
    shown = client.get(created["Location"])
    raw_key = shown.context["raw_key"]
    again = client.get(created["Location"], follow=True)

    assert raw_key in shown.content.decode()
    assert "It acts as a user of Contoso Consulting." in shown.content.decode()
    assert raw_key not in again.content.decode()
    whoami = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}").get("/api/v1/whoami/").json()
    assert (whoami["principal"], whoami["role"], whoami["partner"]) == (
        "Contoso CRM",
        "partner_user",
        partner.id,
    )
    key = ApiKey.unscoped.get(name="Contoso CRM")
    assert (key.partner_id, key.scopes) == (partner.id, ["read", "write"])
    event = AuditEvent.unscoped.get(action="apikey.created")
    assert (event.actor_id, event.after["partner"]) == (partner_admin.id, partner.id)


@pytest.mark.django_db
def test_a_partner_admin_lists_and_revokes_only_its_own_companys_keys(
    tenant, partner, other_partner, partner_admin
):
    own = ApiKeyFactory(tenant=tenant, partner=partner, name="Contoso CRM")
    theirs = ApiKeyFactory(tenant=tenant, partner=other_partner, name="Fabrikam CRM")
    vendor = ApiKeyFactory(tenant=tenant, name="Salesforce sync")
    client = login(partner_admin)

    listing = client.get(KEYS).content.decode()
    revoke_theirs = client.post(f"{KEYS}{theirs.id}/revoke/")
    revoke_vendor = client.post(f"{KEYS}{vendor.id}/revoke/")
    revoke_own = client.post(f"{KEYS}{own.id}/revoke/")

    assert "Contoso CRM" in listing
    assert "Fabrikam CRM" not in listing and "Salesforce sync" not in listing
    assert (revoke_theirs.status_code, revoke_vendor.status_code) == (404, 404)
    assert revoke_own.status_code == 302
    assert ApiKey.unscoped.get(id=own.id).revoked_at is not None
    assert ApiKey.unscoped.filter(id__in=[theirs.id, vendor.id], revoked_at__isnull=True).count() == 2
    assert bearer(own).get("/api/v1/whoami/").status_code == 401
    assert bearer(theirs).get("/api/v1/whoami/").status_code == 200


@pytest.mark.django_db
def test_a_partner_user_manages_no_keys(tenant, partner, partner_user):
    key = ApiKeyFactory(tenant=tenant, partner=partner)
    client = login(partner_user)
    assert client.get(KEYS).status_code == 403
    assert client.post(f"{KEYS}new/", {"name": "Mine", "access": "read"}).status_code == 403
    assert client.post(f"{KEYS}{key.id}/revoke/").status_code == 403
    with tenant_context(tenant), pytest.raises(ServiceError, match="Your role cannot manage API keys"):
        services.api_key_create(tenant=tenant, actor=partner_user, name="Mine", scopes=["read"])
    assert ApiKey.unscoped.filter(tenant=tenant).count() == 1
    assert ApiKey.unscoped.get(id=key.id).revoked_at is None


@pytest.mark.django_db
def test_a_partner_admin_cannot_revoke_another_partners_key_through_the_service(
    tenant, other_partner, partner_admin
):
    theirs = ApiKeyFactory(tenant=tenant, partner=other_partner)
    with tenant_context(tenant), pytest.raises(ServiceError, match="No such API key"):
        services.api_key_revoke(tenant=tenant, actor=partner_admin, api_key_id=theirs.id)
    assert ApiKey.unscoped.get(id=theirs.id).revoked_at is None


@pytest.mark.django_db
def test_tenant_admins_see_every_key_with_its_partner_and_create_vendor_keys(tenant, partner, admin_user):
    ApiKeyFactory(tenant=tenant, partner=partner, name="Contoso CRM")
    client = login(admin_user)
    client.post(f"{KEYS}new/", {"name": "HubSpot", "access": "read"})

    listing = client.get(KEYS).content.decode()

    assert "Contoso CRM" in listing and "Contoso Consulting" in listing
    assert "HubSpot" in listing and "Vendor (revops)" in listing
    assert ApiKey.unscoped.get(name="HubSpot").partner_id is None


@pytest.mark.django_db
def test_a_partner_key_reads_its_partners_rows_only_and_audits_as_the_key_of_its_partner(
    tenant, partner, other_partner
):
    AccountClaimFactory(tenant=tenant, partner=other_partner, company_name="Fabrikam's customer")
    key = ApiKeyFactory(tenant=tenant, partner=partner, name="Contoso CRM", scopes=["read", "write"])
    client = bearer(key)

    partners = client.get("/api/v1/partners/").json()["results"]
    claimed = client.post(
        "/api/v1/account-claims/",
        {"company_name": "Acme", "domain": "acme.example"},
        content_type="application/json",
    )
    claims = client.get("/api/v1/account-claims/").json()["results"]
    refused = client.post("/api/v1/partners/", {"name": "Mine now"}, content_type="application/json")

    assert [row["name"] for row in partners] == ["Contoso Consulting"]
    assert claimed.status_code == 201, claimed.content
    assert [(row["company_name"], row["partner"]) for row in claims] == [("Acme", partner.id)]
    assert (refused.status_code, refused.json()) == (403, {"detail": "Your role does not allow this."})
    event = AuditEvent.unscoped.get(action="claim.recorded")
    assert event.api_key_id == key.id
    assert event.actor_label == f"API key “Contoso CRM” ({key.prefix}) of Contoso Consulting"


@pytest.mark.django_db
def test_a_read_partner_key_writes_nothing(tenant, partner):
    key = ApiKeyFactory(tenant=tenant, partner=partner, scopes=["read"])
    response = bearer(key).post(
        "/api/v1/account-claims/",
        {"company_name": "Acme", "domain": "acme.example"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (403, {"detail": "This API key has no “write” scope."})
