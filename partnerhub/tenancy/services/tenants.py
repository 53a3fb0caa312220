from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audited, snapshot
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.services.common import save_changes, save_validated
from partnerhub.tenancy.services.verticals import verticals_install

TENANT_FIELDS = [
    "name",
    "timezone",
    "locale",
    "default_currency",
    "default_sla_hours",
    "require_mfa_for_staff",
]
CREATE_FIELDS = ["slug", *TENANT_FIELDS]
# Settings that are files, changed only on the settings page (not at creation, not in the admin).
FILE_FIELDS = ["logo"]


@transaction.atomic
def tenant_create(*, actor: Actor, slug: str, name: str, **fields) -> Tenant:
    """A new vendor company, ready to plan: after the tenant row and its default verticals, each of
    the apps' set-up steps runs inside it (settings.PARTNERHUB_TENANT_SETUP, e.g. the play catalog).
    The core names no domain app: the project's settings wire them, as they wire the URLs."""
    unknown = set(fields) - set(TENANT_FIELDS)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} cannot be set on a new tenant.")
    tenant = Tenant(slug=slug, name=name, **fields)
    save_validated(tenant)
    with tenant_context(tenant):
        after = snapshot(tenant, CREATE_FIELDS)
        audit(tenant=tenant, actor=actor, action="tenant.created", target=tenant, after=after)
        verticals_install(tenant=tenant)
        for path in settings.PARTNERHUB_TENANT_SETUP:
            import_string(path)(tenant=tenant)
    return tenant


@transaction.atomic
def tenant_update(*, tenant: Tenant, actor: Actor, **fields) -> Tenant:
    """Change the tenant's settings (TENANT_FIELDS; tenant admins only)."""
    tenant = Tenant.objects.select_for_update().get(id=tenant.id)
    changeable = [*TENANT_FIELDS, *FILE_FIELDS]
    for name in fields:
        if name not in changeable:
            raise ServiceError(f"{name} cannot be changed here.")
    with audited(tenant=tenant, actor=actor, target=tenant, fields=changeable, action="tenant.updated"):
        save_changes(tenant, fields)
    return tenant
