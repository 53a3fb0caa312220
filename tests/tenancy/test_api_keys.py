"""Tenant API keys: scopes, revocation, tenant binding, storage."""

import pytest
from django.test import Client

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import ApiKey, AuditEvent
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.services import api_key_revoke
from tests.api_cases import bearer
from tests.conftest import login
from tests.factories import ApiKeyFactory, MembershipFactory, PartnerFactory

NEW_PARTNER = {"name": "Northwind Integrators", "tier": "one_to_few"}


@pytest.mark.django_db
def test_a_write_key_creates_and_the_audit_names_the_key(tenant):
    key = ApiKeyFactory(tenant=tenant, name="Salesforce sync", scopes=["read", "write"])
    response = bearer(key).post("/api/v1/partners/", NEW_PARTNER, content_type="application/json")
    assert response.status_code == 201
    event = AuditEvent.unscoped.get(action="partner.created", target_label=NEW_PARTNER["name"])
    assert event.api_key_id == key.id
    assert "Salesforce sync" in event.actor_label


@pytest.mark.django_db
def test_a_revoked_key_is_refused_with_401(tenant, admin_user):
    key = ApiKeyFactory(tenant=tenant)
    assert bearer(key).get("/api/v1/partners/").status_code == 200
    with tenant_context(tenant):
        api_key_revoke(tenant=tenant, actor=admin_user, api_key_id=key.id)
    response = bearer(key).get("/api/v1/partners/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API key."}


@pytest.mark.django_db
def test_unknown_or_malformed_keys_and_no_key_are_401(tenant):
    key = ApiKeyFactory(tenant=tenant)
    tampered = key.raw_key[:-2] + ("AA" if not key.raw_key.endswith("AA") else "BB")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {tampered}").get("/api/v1/partners/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer nonsense").get("/api/v1/partners/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer two words").get("/api/v1/partners/").status_code == 401
    assert Client().get("/api/v1/partners/").status_code == 401


@pytest.mark.django_db
def test_a_key_of_tenant_a_never_sees_tenant_b(tenant, other_tenant):
    key = ApiKeyFactory(tenant=tenant)
    own = PartnerFactory(tenant=tenant, name="Ours")
    theirs = PartnerFactory(tenant=other_tenant, name="Theirs")
    client = bearer(key)
    names = [row["name"] for row in client.get("/api/v1/partners/").json()["results"]]
    assert names == ["Ours"]
    assert client.get(f"/api/v1/partners/{own.id}/").status_code == 200
    assert client.get(f"/api/v1/partners/{theirs.id}/").status_code == 404
    # The key decides the tenant: a header naming the key's own tenant is fine.
    own_header = client.get("/api/v1/partners/", HTTP_X_TENANT="northwind")
    assert [row["name"] for row in own_header.json()["results"]] == ["Ours"]


@pytest.mark.django_db
@pytest.mark.parametrize("named", ["globex", "no-such-tenant"])
def test_an_x_tenant_header_naming_another_tenant_than_the_keys_is_refused(tenant, other_tenant, named):
    PartnerFactory(tenant=tenant, name="Ours")
    response = bearer(ApiKeyFactory(tenant=tenant)).get("/api/v1/partners/", HTTP_X_TENANT=named)
    assert response.status_code == 400
    # The same words whether the named tenant exists or not.
    assert response.json() == {
        "X-Tenant": [
            "This API key acts in tenant 'northwind' and the X-Tenant header names another: send the "
            "key's tenant, or no X-Tenant header (the key decides)."
        ]
    }


@pytest.mark.django_db
def test_keys_are_stored_as_hashes_only(tenant):
    key = ApiKeyFactory(tenant=tenant)
    stored = ApiKey.unscoped.values().get(id=key.id)
    secret = key.raw_key.split("_", 2)[2]
    assert all(secret not in str(value) for value in stored.values())
    assert len(stored["key_hash"]) == 64
    assert key.raw_key.startswith(f"phk_{stored['prefix']}_")


@pytest.mark.django_db
def test_last_use_is_recorded(tenant):
    key = ApiKeyFactory(tenant=tenant)
    assert ApiKey.unscoped.get(id=key.id).last_used_at is None
    bearer(key).get("/api/v1/whoami/")
    assert ApiKey.unscoped.get(id=key.id).last_used_at is not None


@pytest.mark.django_db
def test_whoami_tells_the_tenant_and_scopes_of_a_key(tenant):
    key = ApiKeyFactory(tenant=tenant, name="CRM", scopes=["read"])
    assert bearer(key).get("/api/v1/whoami/").json() == {
        "tenant": "northwind",
        "tenant_name": "Northwind Cloud",
        "principal": "CRM",
        "role": "revops",
        "scopes": ["read"],
        "partner": None,
    }


@pytest.mark.django_db
def test_tenant_admin_creates_a_key_in_the_portal_and_sees_it_once(tenant, admin_user):
    client = login(admin_user)
    created = client.post("/t/northwind/settings/api-keys/new/", {"name": "HubSpot", "access": "read"})
    assert (created.status_code, created["Location"]) == (302, "/t/northwind/settings/api-keys/created/")
    response = client.get(created["Location"])
    assert response.status_code == 200
    raw_key = response.context["raw_key"]
    assert raw_key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    whoami = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}").get("/api/v1/whoami/").json()
    assert whoami["principal"] == "HubSpot"
    listing = client.get("/t/northwind/settings/api-keys/").content.decode()
    assert "HubSpot" in listing
    assert raw_key not in listing


@pytest.mark.django_db
def test_reloading_the_page_of_a_new_key_creates_no_second_key_and_shows_the_secret_no_more(
    tenant, other_tenant, admin_user
):
    MembershipFactory(tenant=other_tenant, user=admin_user, role=Role.TENANT_ADMIN)
    client = login(admin_user)
    created = client.post("/t/northwind/settings/api-keys/new/", {"name": "HubSpot", "access": "read"})
    # Another of the user's tenants does not get to show this tenant's new key.
    elsewhere = client.get("/t/globex/settings/api-keys/created/")
    first = client.get(created["Location"])
    reload = client.get(created["Location"], follow=True)

    assert elsewhere.status_code == 302
    raw_key = first.context["raw_key"]
    assert reload.redirect_chain == [("/t/northwind/settings/api-keys/", 302)]
    assert raw_key not in reload.content.decode()
    assert "A key is shown only once, right after it was created." in reload.content.decode()
    with tenant_context(tenant):
        assert list(ApiKey.objects.values_list("name", flat=True)) == ["HubSpot"]


@pytest.mark.django_db
def test_revoking_in_the_portal_asks_first_then_revokes(tenant, admin_user):
    key = ApiKeyFactory(tenant=tenant, name="Old sync")
    client = login(admin_user)
    confirm = client.get(f"/t/northwind/settings/api-keys/{key.id}/revoke/")
    assert "cannot be undone" in confirm.content.decode()
    assert ApiKey.unscoped.get(id=key.id).revoked_at is None
    client.post(f"/t/northwind/settings/api-keys/{key.id}/revoke/")
    assert ApiKey.unscoped.get(id=key.id).revoked_at is not None
    assert bearer(key).get("/api/v1/partners/").status_code == 401


@pytest.mark.django_db
def test_only_tenant_admins_manage_keys(tenant, manager_user):
    assert login(manager_user).get("/t/northwind/settings/api-keys/").status_code == 403
