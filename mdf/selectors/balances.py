"""Balances of funds, allocations and partners, computed from the ledger in SQL (docs/mdf.md).

Each bucket is the signed sum of its entries' amounts (`EFFECTS`): allocated, reserved, claimed,
paid, expired. An allocation's available money is what it holds less what is drawn from it
(reserved, claimed, paid, expired); a fund's is its amount less what is allocated and what is drawn
from it directly (entries without an allocation). One query per list, whatever the number of rows;
the sums read only the entries of the funds asked for (the ledger's fund index), so the time of a
quarter's balances does not grow with the number of quarters."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from mdf.models import BUCKETS, EFFECTS, Allocation, Fund, LedgerEntry
from partnerhub.tenancy.models import Tenant

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
# What an entry draws from the money available where it is written: every bucket but "allocated".
DRAWN = {
    kind: sum(sign for bucket, sign in effects.items() if bucket != "allocated")
    for kind, effects in EFFECTS.items()
}


def _signed_sum(weights: dict[str, int], *, through: str, only: Q | None = None):
    """Sum of the amounts of the entries reached `through` a relation, each times its kind's weight."""
    whens = [
        When(Q(**{f"{through}kind": kind}) & (only or Q()), then=F(f"{through}amount") * weight)
        for kind, weight in weights.items()
        if weight
    ]
    return Coalesce(Sum(Case(*whens, default=ZERO, output_field=MONEY)), ZERO, output_field=MONEY)


def _bucket_sums(*, through: str) -> dict:
    return {
        bucket: _signed_sum(
            {kind: effects.get(bucket, 0) for kind, effects in EFFECTS.items()}, through=through
        )
        for bucket in BUCKETS
    }


def _with_available(rows: QuerySet) -> QuerySet:
    """Allocation rows (or groups of them) with their buckets and what is available in them."""
    return rows.annotate(
        **_bucket_sums(through="entries__"), drawn=_signed_sum(DRAWN, through="entries__")
    ).annotate(available=F("allocated") - F("drawn"))


def fund_balances(
    *, tenant: Tenant, year: int | None = None, quarter: int | None = None, fund_ids: list[int] | None = None
) -> QuerySet[Fund]:
    """Funds (of one year or quarter, or the ids given) with `allocated`, `reserved`, `claimed`,
    `paid`, `expired` and `available` from their ledgers."""
    funds = Fund.objects.filter(tenant=tenant)
    if year is not None:
        funds = funds.filter(year=year)
    if quarter is not None:
        funds = funds.filter(quarter=quarter)
    if fund_ids is not None:
        funds = funds.filter(id__in=fund_ids)
    direct = _signed_sum(DRAWN, through="entries__", only=Q(entries__allocation__isnull=True))
    return funds.annotate(**_bucket_sums(through="entries__"), direct_drawn=direct).annotate(
        available=F("amount") - F("allocated") - F("direct_drawn")
    )


def allocation_balances(
    *,
    tenant: Tenant,
    fund_ids: list[int] | None = None,
    partner_ids: list[int] | None = None,
    year: int | None = None,
    quarter: int | None = None,
) -> QuerySet[Allocation]:
    """Allocations (of the funds, partners or quarter given) with their buckets and `available`,
    the fund and partner read in the same query."""
    allocations = Allocation.objects.filter(tenant=tenant).select_related("fund", "partner")
    if fund_ids is not None:
        allocations = allocations.filter(fund_id__in=fund_ids)
    if partner_ids is not None:
        allocations = allocations.filter(partner_id__in=partner_ids)
    if year is not None:
        allocations = allocations.filter(fund__year=year)
    if quarter is not None:
        allocations = allocations.filter(fund__quarter=quarter)
    return _with_available(allocations)


def partner_balances(*, tenant: Tenant, partner_ids: list[int], year: int, quarter: int) -> QuerySet:
    """Each partner's allocations of one quarter summed per currency (a partner may hold funds in
    two): rows of `partner_id`, `currency` and the buckets with `available`. One query."""
    allocations = Allocation.objects.filter(
        tenant=tenant, partner_id__in=partner_ids, fund__year=year, fund__quarter=quarter
    ).values("partner_id", currency=F("fund__currency"))
    return _with_available(allocations).order_by("partner_id", "currency")


def ledger_list(
    *, tenant: Tenant, fund_id: int | None = None, kind: str | None = None
) -> QuerySet[LedgerEntry]:
    """Ledger entries with what each entry's allocation and partner are (one query): a fund's
    newest first, or every fund's in the model's order (by fund, newest first)."""
    entries = LedgerEntry.objects.filter(tenant=tenant).select_related("allocation__partner", "concerns_type")
    if kind:
        entries = entries.filter(kind=kind)
    return entries.filter(fund_id=fund_id).order_by("-seq") if fund_id is not None else entries


def fund_last_entry(*, tenant: Tenant, fund_id: int) -> LedgerEntry | None:
    """The fund's latest entry: its running totals are the fund's balances (and its allocation's)."""
    return LedgerEntry.objects.filter(tenant=tenant, fund_id=fund_id).order_by("-seq").first()


def allocation_last_entry(*, tenant: Tenant, allocation_id: int) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(tenant=tenant, allocation_id=allocation_id).order_by("-seq").first()
