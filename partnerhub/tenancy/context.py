"""The active tenant of the current request, API call or task.

Set by the portal middleware (`/t/<slug>/…`), by API authentication and by `TenantTask`. The
tenant-scoped managers read it and refuse to query without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partnerhub.tenancy.models import Tenant

_active_tenant: ContextVar[Tenant | None] = ContextVar("partnerhub_active_tenant", default=None)
_across_tenants: ContextVar[bool] = ContextVar("partnerhub_reading_across_tenants", default=False)


class NoActiveTenant(RuntimeError):
    """A tenant-owned table was queried outside a tenant context."""


def get_active_tenant() -> Tenant | None:
    return _active_tenant.get()


def activate(tenant: Tenant | None) -> Token:
    return _active_tenant.set(tenant)


def restore(token: Token) -> None:
    _active_tenant.reset(token)


@contextmanager
def tenant_context(tenant: Tenant | None) -> Iterator[None]:
    token = activate(tenant)
    try:
        yield
    finally:
        restore(token)


def is_reading_across_tenants() -> bool:
    return _across_tenants.get()


@contextmanager
def reading_across_tenants() -> Iterator[None]:
    """Statements run in this block read every tenant's rows, through the database's read-only
    role. Only `TenantScopedModel.unscoped` reads enter it (see `scoping.CrossTenantQuerySet`)."""
    token = _across_tenants.set(True)
    try:
        yield
    finally:
        _across_tenants.reset(token)
