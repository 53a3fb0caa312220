"""Who MDF tells (in-app and e-mail through the outbox): a partner's users, or the vendor's partner
managers. One recipients query and one insert per notice, whatever the number of people."""

from __future__ import annotations

from partnerhub.tenancy.models import Membership, Tenant
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.services.notifications import Notice, notifications_create_many


def tell_partner_users(*, tenant: Tenant, partner_id: int, title: str, body: str = "", url: str = "") -> None:
    users = Membership.objects.filter(tenant=tenant, partner_id=partner_id).select_related("user")
    notifications_create_many(
        tenant=tenant, notices=[Notice(user=m.user, title=title, body=body, url=url) for m in users]
    )


def tell_partner_managers(*, tenant: Tenant, title: str, body: str = "", url: str = "") -> None:
    managers = Membership.objects.filter(
        tenant=tenant, partner=None, role=Role.PARTNER_MANAGER
    ).select_related("user")
    notifications_create_many(
        tenant=tenant, notices=[Notice(user=m.user, title=title, body=body, url=url) for m in managers]
    )
