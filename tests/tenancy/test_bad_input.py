"""Bad input gets a clear answer: the same 404 for a tenant that does not exist and one the user is
not in, 400 with a message for malformed API input, field errors on forms."""

import pytest
from django.test import Client

from partnerhub.tenancy.models import Partner
from tests.conftest import login
from tests.factories import ApiKeyFactory, PartnerFactory


@pytest.mark.django_db
def test_unknown_tenant_and_foreign_tenant_give_the_same_404(tenant, other_tenant, admin_user):
    client = login(admin_user)
    unknown = client.get("/t/no-such-vendor/partners/")
    foreign = client.get(f"/t/{other_tenant.slug}/partners/")
    assert unknown.status_code == foreign.status_code == 404
    assert unknown.content == foreign.content.replace(other_tenant.slug.encode(), b"no-such-vendor")


@pytest.mark.django_db
def test_a_tenant_page_sends_anonymous_visitors_to_sign_in(tenant):
    response = Client().get("/t/northwind/partners/")
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/login/?next=/t/northwind/partners/")


@pytest.mark.django_db
def test_malformed_json_is_a_400_with_a_message(tenant):
    key = ApiKeyFactory(tenant=tenant)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}").post(
        "/api/v1/partners/", data='{"name": "Broken', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


@pytest.mark.django_db
def test_invalid_api_fields_are_a_400_with_field_messages(tenant, other_tenant):
    key = ApiKeyFactory(tenant=tenant)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    PartnerFactory(tenant=tenant, name="Contoso")
    response = client.post(
        "/api/v1/partners/",
        {
            "tier": "platinum",
            "verticals": ["underwater basket weaving"],
            "account_manager": "nobody@x.example",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["name"] == ["This field is required."]
    assert "not a valid choice" in errors["tier"][0]
    assert "is not one of this tenant's verticals" in errors["verticals[0]"][0]
    assert "does not exist" in errors["account_manager"][0]
    duplicate = client.post("/api/v1/partners/", {"name": "CONTOSO"}, content_type="application/json")
    assert duplicate.status_code == 400
    assert duplicate.json() == {"non_field_errors": ["A partner with this name already exists."]}


@pytest.mark.django_db
def test_an_unsupported_content_type_is_a_415(tenant):
    key = ApiKeyFactory(tenant=tenant)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")
    response = client.post(
        "/api/v1/partners/", data="name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert "detail" in response.json()


@pytest.mark.django_db
def test_partner_form_with_missing_fields_shows_field_errors_and_saves_nothing(tenant, manager_user):
    response = login(manager_user).post("/t/northwind/partners/new/", {"website": "not a url"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["This field is required."]
    assert form.errors["tier"] == ["This field is required."]
    assert "Enter a valid URL." in form.errors["website"]
    assert "This field is required." in response.content.decode()
    assert not Partner.unscoped.exists()


@pytest.mark.django_db
def test_partner_form_reports_a_duplicate_name(tenant, manager_user):
    PartnerFactory(tenant=tenant, name="Contoso")
    response = login(manager_user).post(
        "/t/northwind/partners/new/", {"name": "contoso", "tier": "one_to_few", "status": "active"}
    )
    assert response.status_code == 200
    assert "A partner with this name already exists." in response.content.decode()
    assert Partner.unscoped.count() == 1
