"""Who acts: a signed-in user, an API key, or the system (a task with no human behind it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from partnerhub.tenancy.roles import Role

if TYPE_CHECKING:
    from partnerhub.tenancy.models import ApiKey, User


class ApiKeyUser:
    """The principal of an API call made with a tenant key. Keys act with the revops role."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    role = Role.REVOPS

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key

    def __str__(self) -> str:
        return f"API key “{self.api_key.name}” ({self.api_key.prefix})"


Actor = Union["User", ApiKeyUser, None]


def actor_columns(actor: Actor) -> dict:
    """The audit columns that record `actor`."""
    if actor is None:
        return {"actor": None, "api_key": None, "actor_label": "System"}
    if isinstance(actor, ApiKeyUser):
        return {"actor": None, "api_key": actor.api_key, "actor_label": str(actor)[:200]}
    return {"actor": actor, "api_key": None, "actor_label": actor.email}
