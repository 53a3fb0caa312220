"""Who acts: a signed-in user, an API key, or the system (a task with no human behind it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from partnerhub.tenancy.roles import PARTNER_ROLES, Role

if TYPE_CHECKING:
    from partnerhub.tenancy.models import ApiKey, Partner, Tenant, User

# What a key acts as: a vendor key as revops staff, a partner key as a (non-admin) user of its partner.
VENDOR_KEY_ROLE = Role.REVOPS
PARTNER_KEY_ROLE = Role.PARTNER_USER


@dataclass(frozen=True)
class KeyMembership:
    """An API key's membership: the role and partner company it acts with, in a Membership's
    shape, so `scope_for`, `can()` and the services judge a key exactly as they judge a member
    with that role (a partner key: its partner's rows only). Never saved."""

    tenant: Tenant
    role: str
    partner: Partner | None
    user = None

    @property
    def tenant_id(self) -> int:
        return self.tenant.id

    @property
    def partner_id(self) -> int | None:
        return self.partner.id if self.partner is not None else None

    @property
    def is_partner_role(self) -> bool:
        return self.role in PARTNER_ROLES


class ApiKeyUser:
    """The principal of an API call made with a key: the vendor's keys act with the revops role, a
    partner's keys as a user of that partner (see `KeyMembership`)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        partner = api_key.partner if api_key.partner_id else None
        self.membership = KeyMembership(
            tenant=api_key.tenant,
            role=PARTNER_KEY_ROLE if partner is not None else VENDOR_KEY_ROLE,
            partner=partner,
        )

    @property
    def role(self) -> str:
        return self.membership.role

    def __str__(self) -> str:
        label = f"API key “{self.api_key.name}” ({self.api_key.prefix})"
        partner = self.membership.partner
        return f"{label} of {partner.name}" if partner is not None else label


Actor = Union["User", ApiKeyUser, None]


def actor_columns(actor: Actor) -> dict:
    """The audit columns that record `actor`."""
    if actor is None:
        return {"actor": None, "api_key": None, "actor_label": "System"}
    if isinstance(actor, ApiKeyUser):
        return {"actor": None, "api_key": actor.api_key, "actor_label": str(actor)[:200]}
    return {"actor": actor, "api_key": None, "actor_label": actor.email}
