"""The expiry sweep (docs/mdf.md, "The expiry sweep"): daily from beat, across tenants, every fund
whose quarter has ended (in its tenant's time zone) and that still holds available money, in the
fund or in an allocation, goes through `fund_expire_unused`.

- Bounded: the due funds are read `batch` at a time, in quarter order, through the ledger's
  running totals (each fund's and allocation's latest entry, by their `seq` indexes), never by
  summing a ledger.
- Idempotent: a fund whose money has expired has nothing available any more, so it is no longer
  due; a second run expires nothing. Money released after the quarter's end (a cancelled request)
  makes the fund due again, and the next run expires it.
- One fund's trouble never holds up the others: each fund is expired in a transaction of its
  own, inside its tenant."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import DecimalField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from mdf.models import Allocation, Fund, LedgerEntry
from mdf.services.funds import fund_expire_unused, quarter_end
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Tenant

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200
# The earliest time zone is UTC+14: before this much has passed in UTC, no tenant's quarter is over.
EARLIEST_OFFSET = datetime.timedelta(hours=14)
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _quarter_index(year, quarter):
    return year * 4 + quarter - 1


def due_funds(*, now: datetime.datetime):
    """Funds (all tenants, `unscoped`) of a quarter over somewhere on earth at `now` that still
    hold available money, oldest quarter first. The tenant's own time zone is judged per fund."""
    earliest = (now + EARLIEST_OFFSET).date()
    current = _quarter_index(earliest.year, (earliest.month - 1) // 3 + 1)
    last_fund_entry = LedgerEntry.unscoped.filter(fund_id=OuterRef("pk")).order_by("-seq")
    last_allocation_entry = LedgerEntry.unscoped.filter(allocation_id=OuterRef("pk")).order_by("-seq")
    allocation_has_money = (
        Allocation.unscoped.filter(fund_id=OuterRef("pk"))
        .annotate(last_available=Subquery(last_allocation_entry.values("allocation_available")[:1]))
        .filter(last_available__gt=0)
    )
    return (
        Fund.unscoped.annotate(
            period=F("year") * 4 + F("quarter") - 1,
            unallocated=Coalesce(
                Subquery(last_fund_entry.values("fund_available")[:1]), F("amount"), output_field=MONEY
            ),
        )
        .filter(period__lt=current)
        .filter(Q(unallocated__gt=0) | Exists(allocation_has_money))
        .order_by("year", "quarter", "id")
    )


def _expire_tenant(tenant: Tenant, funds: list[tuple[int, datetime.date]], now: datetime.datetime) -> int:
    written = 0
    for fund_id, ends in funds:
        if tenant.local_date(now) <= ends:
            continue  # its quarter is not over in the tenant's time zone yet
        try:
            with transaction.atomic():
                written += fund_expire_unused(tenant=tenant, actor=None, fund_id=fund_id, now=now)
        except Exception:  # one fund's trouble must not hold up the others
            logger.exception(
                "MDF expiry of fund %s (tenant %s) failed; retried on the next run.", fund_id, tenant.id
            )
    return written


def funds_expire(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> tuple[int, int]:
    """One batch of the sweep: (funds examined, expire entries written)."""
    now = now or timezone.now()
    by_tenant: dict[int, list[tuple[int, datetime.date]]] = {}
    examined = 0
    for fund in due_funds(now=now).only("id", "tenant_id", "year", "quarter")[:batch]:
        by_tenant.setdefault(fund.tenant_id, []).append((fund.id, quarter_end(fund)))
        examined += 1
    written = 0
    for tenant in Tenant.objects.filter(id__in=by_tenant).order_by("id"):
        with tenant_context(tenant):
            written += _expire_tenant(tenant, by_tenant[tenant.id], now)
    return examined, written


def funds_expire_all(
    *, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH, rounds: int = 50
) -> int:
    """The daily run: batch after batch while a full batch expired something (at most `rounds`).
    Returns the expire entries written."""
    now = now or timezone.now()
    total = 0
    for _ in range(rounds):
        examined, written = funds_expire(now=now, batch=batch)
        total += written
        if examined < batch or not written:
            break
    return total
