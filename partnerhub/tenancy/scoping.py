"""Tenant scope, fail closed.

Every tenant-owned model subclasses `TenantScopedModel`: its default manager refuses to query
without an active tenant and filters to it; `unscoped` is the deliberate way around, for tenancy
code, admin and cross-tenant sweeps only (the modules allowed are listed in
`tests/tenancy/test_database_wall.py`). Its reads pass the database wall too, through the
read-only role; its writes do not: they go tenant by tenant, with the tenant active.

Partner users additionally see only their own company's rows: `partner_scope` on each model is the
lookup path from the row to its owning partner id (`None` means staff-only: partner users see none).
"""

from __future__ import annotations

import functools
from contextlib import nullcontext
from typing import ClassVar

from django.db import models
from django.db.models.signals import class_prepared

from partnerhub.tenancy.context import NoActiveTenant, get_active_tenant, reading_across_tenants


class TenantScopedManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        tenant = get_active_tenant()
        if tenant is None:
            raise NoActiveTenant(
                f"{self.model.__name__} is tenant-owned: query it inside a tenant context "
                f"(request, API key, TenantTask) or use {self.model.__name__}.unscoped deliberately."
            )
        return super().get_queryset().filter(tenant=tenant)

    def none(self) -> models.QuerySet:
        # An empty queryset reveals nothing: form fields declare one before any tenant is known.
        return super().get_queryset().none()


class CrossTenantQuerySet(models.QuerySet):
    """No tenant filter of its own. Inside a tenant the database wall still holds it to that
    tenant; with no tenant active (a sweep, an API key or invitation lookup, the operator admin)
    its reads see every tenant, through the database's read-only role, one statement at a time.
    `across_tenants()` asks for that even inside a tenant (the tenant switcher).

    A write through it with no active tenant would match nothing under the wall, silently: it is
    refused instead, and so is a locking read (the read-only role may not lock)."""

    _all_tenants = False

    def across_tenants(self):
        clone = self._chain()
        clone._all_tenants = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._all_tenants = self._all_tenants
        return clone

    def _require_tenant(self, what: str) -> None:
        if get_active_tenant() is None:
            raise NoActiveTenant(
                f"{what} on {self.model.__name__}.unscoped needs the tenant active: "
                "list the rows across tenants, then work tenant by tenant inside tenant_context()."
            )

    def _across(self):
        if self.query.select_for_update:
            self._require_tenant("A locking read")
            return nullcontext()
        if self._all_tenants or get_active_tenant() is None:
            return reading_across_tenants()
        return nullcontext()

    def _fetch_all(self):
        with self._across():
            super()._fetch_all()

    def count(self):
        with self._across():
            return super().count()

    def exists(self):
        with self._across():
            return super().exists()

    def contains(self, obj):
        with self._across():
            return super().contains(obj)

    def aggregate(self, *args, **kwargs):
        with self._across():
            return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size=None):
        rows = super().iterator(chunk_size)
        while True:
            # Only around each fetch: the caller's own statements between rows stay in its tenant.
            with self._across():
                row = next(rows, _END)
            if row is _END:
                return
            yield row

    def update(self, **kwargs):
        self._require_tenant("An update")
        return super().update(**kwargs)

    def delete(self):
        self._require_tenant("A delete")
        return super().delete()


_END = object()


class TenantScopedModel(models.Model):
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+", editable=False)

    partner_scope: ClassVar[str | None] = None

    # Declared first, so it is the default manager (forms, serializers, validation use it).
    objects = TenantScopedManager()
    unscoped = CrossTenantQuerySet.as_manager()

    class Meta:
        abstract = True


def _related_rows_read_like_unscoped(sender, **kwargs) -> None:
    """A related row reached outside any tenant (`invitation.partner` in a sweep) is read the way
    `unscoped` reads; inside a tenant the wall keeps it there. Set here once for every model."""
    if issubclass(sender, TenantScopedModel) and not sender._meta.base_manager_name:
        sender._meta.base_manager_name = "unscoped"


class_prepared.connect(_related_rows_read_like_unscoped)


def scope_for(queryset: models.QuerySet, *, tenant, membership) -> models.QuerySet:
    """The rows of `queryset` this membership may see: its tenant, and for partner users its partner."""
    queryset = queryset.filter(tenant=tenant)
    if membership is None or not membership.is_partner_role:
        return queryset
    path = queryset.model.partner_scope
    if path is None:
        return queryset.none()
    return queryset.filter(**{path: membership.partner_id})


def built_once_per_tenant(selector):
    """For a selector whose queryset is costly to build and the same on every call in a tenant
    (correlated subqueries, each resolved through Django's expression machinery): it is built once
    per process and tenant, and every call gets a clone. Only the query is kept, never rows, and
    a clone shares nothing its caller can change: filtering, ordering, paging or evaluating it
    leaves the kept one as it was. Keyed by the tenant and the active one, which the scoped
    managers inside it filter by."""

    @functools.lru_cache(maxsize=256)
    def build(tenant, active_tenant_id):
        return selector(tenant=tenant)

    @functools.wraps(selector)
    def cloned(*, tenant):
        active = get_active_tenant()
        return build(tenant, active.pk if active is not None else None).all()

    return cloned
