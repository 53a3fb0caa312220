"""A tenant an operator creates in the Django admin starts with the play catalog."""

import pytest

from partnerhub.tenancy.models import Tenant
from plays.models import ActivationPackage, PackageComponent, Play
from tests.conftest import login
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_tenant_added_in_the_admin_gets_the_play_catalog():
    client = login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/tenancy/tenant/add/",
        {
            "name": "Litware",
            "slug": "litware",
            "timezone": "UTC",
            "locale": "en_US",
            "default_sla_hours": 24,
            "created_at_0": "2026-11-21",
            "created_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="litware")
    assert Play.unscoped.filter(tenant=tenant).count() == 4
    assert ActivationPackage.unscoped.filter(tenant=tenant, parent__isnull=True).count() == 4
    assert PackageComponent.unscoped.filter(tenant=tenant).count() == 28
