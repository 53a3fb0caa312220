"""Install the play catalog (plays/catalog.py) for every tenant that exists already; new tenants get
it from plays.services.catalog_install. Idempotent, like the service: only what is missing is added."""

from django.db import migrations

from partnerhub.tenancy.context import tenant_context
from plays import catalog


def install_catalog(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    Play = apps.get_model("plays", "Play")
    ActivationPackage = apps.get_model("plays", "ActivationPackage")
    PackageComponent = apps.get_model("plays", "PackageComponent")
    # Tenant by tenant, with the tenant active: the database wall admits each tenant's rows only
    # inside it (even for an owner role without BYPASSRLS).
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            _install_for(tenant, Play, ActivationPackage, PackageComponent)


def _install_for(tenant, Play, ActivationPackage, PackageComponent):
    for kind, text in catalog.PLAYS.items():
        play, _ = Play._base_manager.get_or_create(
            tenant=tenant,
            kind=kind,
            defaults={
                "name": text["name"],
                "description": text["description"],
                "success_metric": text["success_metric"],
                "follow_up_template": text["follow_up_template"],
            },
        )
        master, _ = ActivationPackage._base_manager.get_or_create(
            tenant=tenant, play=play, parent=None, defaults={"name": catalog.MASTER_NAME}
        )
        for key in catalog.COMPONENT_ORDER:
            PackageComponent._base_manager.get_or_create(
                tenant=tenant,
                package=master,
                key=key,
                defaults={"content": text["components"][key], "is_fixed": key in catalog.FIXED_KEYS},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("plays", "0001_initial"),
        ("tenancy", "0002_notification"),
    ]

    operations = [migrations.RunPython(install_catalog, migrations.RunPython.noop)]
