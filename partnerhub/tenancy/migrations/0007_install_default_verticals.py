"""Give every tenant that exists already the default verticals (taxonomy.Vertical, the fixed list
they had before), in their order; new tenants get them from tenancy.services.verticals_install.
Values stay what rows hold, so no account, partner, plan or package changes. Idempotent, like the
service: only what is missing is added."""

from django.db import migrations

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.taxonomy import Vertical


def install_default_verticals(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    TenantVertical = apps.get_model("tenancy", "TenantVertical")
    # Tenant by tenant, with the tenant active: the database wall admits each tenant's rows only
    # inside it (even for an owner role without BYPASSRLS).
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            existing = set(TenantVertical._base_manager.filter(tenant=tenant).values_list("value", flat=True))
            TenantVertical._base_manager.bulk_create(
                [
                    TenantVertical(tenant=tenant, value=value, label=str(label), position=position)
                    for position, (value, label) in enumerate(Vertical.choices)
                    if value not in existing
                ]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0006_tenant_verticals"),
    ]

    operations = [migrations.RunPython(install_default_verticals, migrations.RunPython.noop)]
