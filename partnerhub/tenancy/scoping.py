"""Tenant scope, fail closed.

Every tenant-owned model subclasses `TenantScopedModel`: its default manager refuses to query
without an active tenant and filters to it; `unscoped` is the deliberate way around, for tenancy
code, migrations, admin and cross-tenant sweeps only.

Partner users additionally see only their own company's rows: `partner_scope` on each model is the
lookup path from the row to its owning partner id (`None` means staff-only: partner users see none).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from partnerhub.tenancy.context import NoActiveTenant, get_active_tenant


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


class TenantScopedModel(models.Model):
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+", editable=False)

    partner_scope: ClassVar[str | None] = None

    # Declared first, so it is the default manager (forms, serializers, validation use it).
    objects = TenantScopedManager()
    unscoped = models.Manager()  # noqa: DJ012 (ruff takes the custom manager above for a field)

    class Meta:
        abstract = True


def scope_for(queryset: models.QuerySet, *, tenant, membership) -> models.QuerySet:
    """The rows of `queryset` this membership may see: its tenant, and for partner users its partner."""
    queryset = queryset.filter(tenant=tenant)
    if membership is None or not membership.is_partner_role:
        return queryset
    path = queryset.model.partner_scope
    if path is None:
        return queryset.none()
    return queryset.filter(**{path: membership.partner_id})
