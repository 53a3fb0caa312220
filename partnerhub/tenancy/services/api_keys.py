import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audit_transition
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import ApiKey, Partner, Tenant
from partnerhub.tenancy.roles import can
from partnerhub.tenancy.scoping import scope_for
from partnerhub.tenancy.services.common import check_partner_in_tenant, membership_of, user_of

API_KEY_PREFIX = "phk"


def hash_api_key(raw_key: str) -> str:
    # Keys are 256 random bits: a fast hash is enough (there is nothing to brute-force).
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _new_prefix() -> str:
    """12 hex characters (48 bits) that find the key; drawn again in the rare case of a clash."""
    while True:
        prefix = secrets.token_hex(6)
        if not ApiKey.unscoped.filter(prefix=prefix).exists():
            return prefix


def _manager(tenant: Tenant, actor: Actor):
    """The membership of who manages keys (tenant admins, partner admins); None for the system."""
    if actor is None:
        return None
    membership = membership_of(tenant=tenant, user=actor)
    if not can(membership.role, "apikey.manage"):
        raise ServiceError("Your role cannot manage API keys.")
    return membership


@transaction.atomic
def api_key_create(
    *, tenant: Tenant, actor: Actor, name: str, scopes: list[str], partner: Partner | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is shown once and never stored. A partner
    admin's key is its own company's (a partner key, acting as a user of that partner); a tenant
    admin's is the vendor's. Only the system (the demo seed) names the partner of a key itself."""
    manager = _manager(tenant, actor)
    if manager is not None:
        partner = manager.partner if manager.is_partner_role else None
    check_partner_in_tenant(tenant, partner)
    name = name.strip()
    if not name:
        raise ServiceError("Name the key after what uses it, e.g. “Salesforce sync”.", field="name")
    scopes = sorted(set(scopes))
    if not scopes or not set(scopes) <= set(ApiKey.Scope.values):
        raise ServiceError("Choose read, or read and write.", field="scopes")
    if ApiKey.Scope.WRITE in scopes:
        scopes = sorted({*scopes, ApiKey.Scope.READ})
    prefix = _new_prefix()
    raw_key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        tenant=tenant,
        name=name[:100],
        prefix=prefix,
        key_hash=hash_api_key(raw_key),
        scopes=scopes,
        partner=partner,
        created_by=user_of(actor),
    )
    after = {"name": key.name, "scopes": scopes, **({"partner": partner.id} if partner else {})}
    audit(tenant=tenant, actor=actor, action="apikey.created", target=key, after=after)
    return key, raw_key


@transaction.atomic
def api_key_revoke(*, tenant: Tenant, actor: Actor, api_key_id: int) -> ApiKey:
    """Revoke a key for good: every call made with it is refused from now on (401). Tenant admins
    revoke any key; a partner admin only its own company's (another's does not exist for it)."""
    manager = _manager(tenant, actor)
    # The partner scope every read uses: a partner admin finds only its own company's keys.
    keys = scope_for(ApiKey.objects.select_for_update(), tenant=tenant, membership=manager)
    key = keys.filter(id=api_key_id).first()
    if key is None:
        raise ServiceError("No such API key.")
    if key.revoked_at is not None:
        raise ServiceError("This key is already revoked.")
    key.revoked_at = timezone.now()
    key.revoked_by = user_of(actor)
    key.save(update_fields=["revoked_at", "revoked_by"])
    audit_transition(
        tenant=tenant,
        actor=actor,
        action="apikey.revoked",
        target=key,
        from_state="active",
        to_state="revoked",
    )
    return key


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None. Records when it was last used (at most once
    a minute, so a busy integration does not turn every read into a write)."""
    parts = raw_key.split("_")
    if len(parts) < 3 or parts[0] != API_KEY_PREFIX:
        return None
    # The key is what tells us the tenant, so this lookup is necessarily cross-tenant. The prefix is
    # unique: no ordering to compile on every request (`first()` would sort by `created_at`).
    try:
        key = ApiKey.unscoped.select_related("tenant", "partner").get(prefix=parts[1])
    except ApiKey.DoesNotExist:
        return None
    if not secrets.compare_digest(key.key_hash, hash_api_key(raw_key)):
        return None
    if key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        with tenant_context(key.tenant):
            ApiKey.objects.filter(id=key.id).update(last_used_at=now)
        key.last_used_at = now
    return key
