"""The operators' Django admin opens every page of every registered model without error."""

import pytest
from django.contrib import admin
from django.urls import reverse

from partnerhub.tenancy.models import Partner, Tenant
from tests.conftest import login
from tests.factories import (
    ApiKeyFactory,
    AuditEventFactory,
    InvitationFactory,
    MembershipFactory,
    PartnerFactory,
    UserFactory,
)


@pytest.fixture
def superuser_client(db):
    return login(UserFactory(is_staff=True, is_superuser=True))


@pytest.mark.django_db
def test_every_admin_list_and_change_page_opens(superuser_client, tenant):
    PartnerFactory(tenant=tenant)
    MembershipFactory(tenant=tenant)
    InvitationFactory(tenant=tenant)
    ApiKeyFactory(tenant=tenant)
    AuditEventFactory(tenant=tenant)
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert superuser_client.get(changelist).status_code == 200, changelist
        manager = getattr(model, "unscoped", model._default_manager)
        for obj in manager.all()[:1]:
            page = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert superuser_client.get(page).status_code == 200, page


@pytest.mark.django_db
def test_tenant_data_is_read_only_in_the_admin(superuser_client, tenant):
    partner = PartnerFactory(tenant=tenant, name="Contoso")
    page = reverse("admin:tenancy_partner_change", args=[partner.pk])
    superuser_client.post(page, {"name": "Renamed"})
    partner.refresh_from_db()
    assert partner.name == "Contoso"
    assert superuser_client.get(reverse("admin:tenancy_partner_add")).status_code == 403


@pytest.mark.django_db
def test_an_operator_deletes_a_tenant_with_all_its_rows_and_no_other(superuser_client, tenant, other_tenant):
    PartnerFactory(tenant=tenant)
    PartnerFactory(tenant=other_tenant)
    page = reverse("admin:tenancy_tenant_delete", args=[tenant.pk])
    assert superuser_client.get(page).status_code == 200
    superuser_client.post(page, {"post": "yes"})
    assert not Tenant.objects.filter(pk=tenant.pk).exists()
    assert set(Partner.unscoped.values_list("tenant_id", flat=True)) == {other_tenant.pk}


@pytest.mark.django_db
def test_tenant_rows_cannot_be_deleted_in_the_admin(superuser_client, tenant):
    partner = PartnerFactory(tenant=tenant)
    assert superuser_client.get(reverse("admin:tenancy_partner_delete", args=[partner.pk])).status_code == 403
