"""The shape every cross-tenant sweep of the leads app shares (the SLA ladder, silent handoffs,
deal-registration expiry): read the ids of at most `batch` due rows across tenants (through the
partial index their filter matches), then work tenant by tenant, inside the tenant and one
transaction each, so one tenant's trouble never holds up the others'."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Tenant

logger = logging.getLogger(__name__)


def sweep_tenants(due: QuerySet, *, batch: int, work: Callable[..., int], what: str) -> int:
    """`work(tenant=, ids=)` for each tenant's share of the first `batch` rows of `due` (an
    `unscoped` queryset, ordered). Returns the sum of what `work` returned."""
    ids_by_tenant: dict[int, list[int]] = {}
    for row_id, tenant_id in due.values_list("id", "tenant_id")[:batch]:
        ids_by_tenant.setdefault(tenant_id, []).append(row_id)
    done = 0
    for tenant in Tenant.objects.filter(id__in=ids_by_tenant).order_by("id"):
        try:
            with tenant_context(tenant), transaction.atomic():
                done += work(tenant=tenant, ids=ids_by_tenant[tenant.id])
        except Exception:  # one tenant's trouble must not hold up everyone else's sweep
            logger.exception("%s sweep of tenant %s failed; retried on the next run.", what, tenant.id)
    return done
