"""Who MDF tells (in-app and e-mail through the outbox): a partner's users, or the vendor's partner
managers. One recipients query and one insert per notice, whatever the number of people."""

from __future__ import annotations

from partnerhub.tenancy.models import Membership, Partner, Tenant
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.services.notifications import Notice, notifications_create_many


def _tell(tenant: Tenant, memberships, title: str, body: str, url: str) -> None:
    notifications_create_many(
        tenant=tenant, notices=[Notice(user=m.user, title=title, body=body, url=url) for m in memberships]
    )


def tell_partner_users(*, tenant: Tenant, partner_id: int, title: str, body: str = "", url: str = "") -> None:
    users = Membership.objects.filter(tenant=tenant, partner_id=partner_id).select_related("user")
    _tell(tenant, users, title, body, url)


def tell_partner_managers(
    *,
    tenant: Tenant,
    title: str,
    body: str = "",
    url: str = "",
    partner: Partner | None = None,
    besides: int | None = None,
) -> None:
    """The partner's account manager when it is one of the tenant's partner managers, otherwise
    every partner manager; never `besides` (e.g. the user who already approved step 1)."""
    managers = list(
        Membership.objects.filter(tenant=tenant, partner=None, role=Role.PARTNER_MANAGER)
        .exclude(user_id=besides)
        .select_related("user")
    )
    owner = [m for m in managers if partner is not None and m.user_id == partner.account_manager_id]
    _tell(tenant, owner or managers, title, body, url)
