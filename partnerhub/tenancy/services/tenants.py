from django.db import transaction

from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.services.common import save_validated

TENANT_FIELDS = ["name", "timezone", "locale", "default_sla_hours", "require_mfa_for_staff"]


@transaction.atomic
def tenant_update(*, tenant: Tenant, actor: Actor, **fields) -> Tenant:
    """Change the tenant's name, time zone, locale, default SLA or MFA rule (tenant admins only)."""
    tenant = Tenant.objects.select_for_update().get(id=tenant.id)
    before = snapshot(tenant, TENANT_FIELDS)
    for name, value in fields.items():
        if name not in TENANT_FIELDS:
            raise ServiceError(f"{name} cannot be changed here.")
        setattr(tenant, name, value)
    save_validated(tenant, update_fields=list(fields))
    after = snapshot(tenant, TENANT_FIELDS)
    if after != before:
        audit(tenant=tenant, actor=actor, action="tenant.updated", target=tenant, before=before, after=after)
    return tenant
