"""A new tenant starts with its default verticals and the play catalog, whichever door creates it
(admin, demo seed, bench): all of them call tenancy's tenant_create, which installs the verticals
and runs the set-up steps the settings name."""

import pytest
from django.core.management import call_command

from partnerhub.tenancy.models import AuditEvent, Tenant, TenantVertical
from partnerhub.tenancy.services import tenant_create
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
            "default_currency": "USD",
            "created_at_0": "2026-11-21",
            "created_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="litware")
    assert Play.unscoped.filter(tenant=tenant).count() == 4
    assert ActivationPackage.unscoped.filter(tenant=tenant, parent__isnull=True).count() == 4
    assert PackageComponent.unscoped.filter(tenant=tenant).count() == 28
    assert TenantVertical.unscoped.filter(tenant=tenant, archived_at__isnull=True).count() == 14
    created = AuditEvent.unscoped.get(tenant=tenant, action="tenant.created")
    assert created.actor.is_superuser and created.after["slug"] == "litware"


def catalog_of(tenant) -> tuple[int, int]:
    return (
        Play.unscoped.filter(tenant=tenant).count(),
        ActivationPackage.unscoped.filter(tenant=tenant, parent__isnull=True).count(),
    )


@pytest.mark.django_db
def test_the_service_and_the_demo_seed_give_a_new_tenant_the_catalog():
    tenant = tenant_create(actor=None, slug="fabrikam", name="Fabrikam", timezone="Europe/Oslo")
    assert catalog_of(tenant) == (4, 4)
    call_command("seed_demo", quiet=True)
    for slug in ("northwind", "globex"):
        assert catalog_of(Tenant.objects.get(slug=slug)) == (4, 4)


@pytest.mark.django_db
def test_a_new_tenant_gets_exactly_the_set_up_steps_the_settings_name(settings):
    settings.PARTNERHUB_TENANT_SETUP = []
    bare = tenant_create(actor=None, slug="bare", name="Bare")
    assert catalog_of(bare) == (0, 0)
    # The verticals are the core's own, not a set-up step of an app.
    assert TenantVertical.unscoped.filter(tenant=bare).count() == 14
