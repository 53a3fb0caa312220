from django.db import transaction

from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audited
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Membership, Partner, Tenant
from partnerhub.tenancy.roles import PARTNER_ROLES, Role
from partnerhub.tenancy.services.common import check_partner_in_tenant, save_changes
from partnerhub.tenancy.services.partners import partners_unassign_manager

LAST_ADMIN = "This is the last tenant admin; make someone else admin first."


def _lock(tenant: Tenant, membership_id: int) -> tuple[Membership, int]:
    """Lock the tenant's admins first, in id order, then the membership: two admins demoting each
    other at once queue up instead of deadlocking, and the count below cannot go stale."""
    admin_ids = list(
        Membership.objects.select_for_update()
        .filter(tenant=tenant, role=Role.TENANT_ADMIN)
        .order_by("id")
        .values_list("id", flat=True)
    )
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(tenant=tenant, id=membership_id)
    )
    return membership, len(admin_ids)


@transaction.atomic
def membership_change_role(
    *, tenant: Tenant, actor: Actor, membership_id: int, role: str, partner: Partner | None = None
) -> Membership:
    """Give a member another role. A tenant always keeps at least one tenant admin; someone who
    becomes a partner user stops being any partner's account manager."""
    if role not in Role.values:
        raise ServiceError("Choose a role.", field="role")
    check_partner_in_tenant(tenant, partner)
    if role in PARTNER_ROLES and partner is None:
        raise ServiceError("Choose the partner company for a partner role.", field="partner")
    if role not in PARTNER_ROLES:
        partner = None
    membership, admins = _lock(tenant, membership_id)
    if membership.role == Role.TENANT_ADMIN and role != Role.TENANT_ADMIN and admins == 1:
        raise ServiceError(LAST_ADMIN, field="role")
    fields = ["role", "partner"]
    with audited(
        tenant=tenant, actor=actor, target=membership, fields=fields, action="membership.role_changed"
    ):
        save_changes(membership, {"role": role, "partner": partner})
    if role in PARTNER_ROLES:
        partners_unassign_manager(tenant=tenant, actor=actor, user=membership.user)
    return membership


@transaction.atomic
def membership_remove(*, tenant: Tenant, actor: Actor, membership_id: int) -> None:
    """Remove someone from the tenant (their user account and other tenants are untouched)."""
    membership, admins = _lock(tenant, membership_id)
    if membership.role == Role.TENANT_ADMIN and admins == 1:
        raise ServiceError(LAST_ADMIN)
    partners_unassign_manager(tenant=tenant, actor=actor, user=membership.user)
    audit(
        tenant=tenant,
        actor=actor,
        action="membership.removed",
        target=membership,
        before={"user": membership.user.email, "role": membership.role, "partner": membership.partner_id},
    )
    membership.delete()
