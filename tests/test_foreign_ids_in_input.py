"""Another tenant's (or another partner's) ids sent as input are refused like ids that do not
exist: resolved inside the caller's scope, never a silent cross-link, never a 500."""

import pytest
from django.test import Client

from partnerhub.tenancy.models import Invitation, Membership, Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import ApiKeyFactory, MembershipFactory, PartnerFactory

JSON = "application/json"


@pytest.fixture
def foreign(other_tenant):
    """A partner and a staff member of tenant B."""
    return {
        "partner": PartnerFactory(tenant=other_tenant, name="Initech"),
        "staff": make_member(other_tenant, Role.PARTNER_MANAGER, email="pm@globex.example"),
    }


@pytest.mark.django_db
def test_api_refuses_another_tenants_staff_as_account_manager(tenant, foreign):
    key = ApiKeyFactory(tenant=tenant)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}").post(
        "/api/v1/partners/", {"name": "Litware", "account_manager": "pm@globex.example"}, content_type=JSON
    )
    assert response.status_code == 400
    assert "does not exist" in response.json()["account_manager"][0]
    assert not Partner.unscoped.filter(name="Litware").exists()


@pytest.mark.django_db
def test_partner_form_refuses_another_tenants_user_as_account_manager(tenant, manager_user, foreign):
    response = login(manager_user).post(
        "/t/northwind/partners/new/",
        {"name": "Litware", "tier": "one_to_few", "status": "active", "account_manager": foreign["staff"].id},
    )
    assert "Select a valid choice" in str(response.context["form"].errors["account_manager"])
    assert not Partner.unscoped.filter(name="Litware").exists()


@pytest.mark.django_db
def test_invite_form_refuses_another_tenants_partner(tenant, manager_user, foreign):
    response = login(manager_user).post(
        "/t/northwind/members/invite/",
        {"email": "x@example.com", "role": Role.PARTNER_USER, "partner": foreign["partner"].id},
    )
    assert "Select a valid choice" in str(response.context["form"].errors["partner"])
    assert not Invitation.unscoped.exists()


@pytest.mark.django_db
def test_role_form_refuses_another_tenants_partner(tenant, admin_user, foreign):
    colleague = MembershipFactory(tenant=tenant, role=Role.SALES)
    response = login(admin_user).post(
        f"/t/northwind/members/{colleague.id}/role/",
        {"role": Role.PARTNER_USER, "partner": foreign["partner"].id},
    )
    assert "Select a valid choice" in str(response.context["form"].errors["partner"])
    assert Membership.unscoped.get(id=colleague.id).role == Role.SALES


@pytest.mark.django_db
def test_list_filters_refuse_another_tenants_partner(tenant, manager_user, foreign):
    client = login(manager_user)
    page = client.get(f"/t/northwind/members/?partner={foreign['partner'].id}")
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    api = client.get(f"/api/v1/memberships/?partner={foreign['partner'].id}", HTTP_X_TENANT="northwind")
    assert api.status_code == 400
    assert "partner" in api.json()


@pytest.mark.django_db
def test_a_partner_user_naming_another_partner_in_a_filter_learns_nothing(tenant, partner, other_partner):
    partner_user = make_member(tenant, Role.PARTNER_USER, partner=partner)
    client = login(partner_user)
    other = client.get(f"/api/v1/memberships/?partner={other_partner.id}", HTTP_X_TENANT="northwind")
    missing = client.get("/api/v1/memberships/?partner=999999", HTTP_X_TENANT="northwind")
    assert other.status_code == missing.status_code == 400
    assert other.json() == {
        "partner": [m.replace("999999", str(other_partner.id)) for m in missing.json()["partner"]]
    }
