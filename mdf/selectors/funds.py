"""Reads of the funds pages and API (docs/mdf.md, "Funds pages"): the quarter a page shows, the
funds of a quarter with their balances and the parts of their bar, a fund's allocations, the
ledger filtered, and what a partner's company may draw on this quarter ("my funds").

Every list is one query whatever its number of rows. The balances are the running totals of each
fund's and allocation's latest ledger entry (the database computes them on every insert, and the
tests hold them equal to mdf.selectors.balances' sums): one index probe per fund or allocation
(`ledger_seq_per_fund`, `ledger_allocation_seq_idx`), so a page costs the same however many
entries and quarters the ledger holds."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from mdf.models import BUCKETS, Allocation, Fund, LedgerEntry
from mdf.selectors.balances import MONEY
from partnerhub.tenancy.models import Partner, Tenant

ZERO = Decimal("0")


@dataclasses.dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.year}"

    @property
    def key(self) -> str:
        """As the quarter picker and the API write it: `2026-Q4`."""
        return f"{self.year}-Q{self.quarter}"

    def shifted(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.quarter - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    @classmethod
    def parse(cls, text: str | None) -> Quarter | None:
        """`2026-Q4` (or `2026-q4`), else None."""
        year, _, quarter = (text or "").strip().upper().partition("-Q")
        if not (year.isascii() and year.isdigit() and quarter in ("1", "2", "3", "4")):
            return None
        if not 2000 <= int(year) <= 2100:
            return None
        return cls(int(year), int(quarter))


def current_quarter(*, tenant: Tenant, now: datetime.datetime | None = None) -> Quarter:
    """The quarter it is now in the tenant's time zone."""
    today = tenant.local_date(now or timezone.now())
    return Quarter(today.year, (today.month - 1) // 3 + 1)


def quarter_choices(*, tenant: Tenant, around: Quarter, before: int = 8, after: int = 4) -> list[Quarter]:
    """The quarters the picker offers: some before and after the one shown, newest first."""
    return [around.shifted(step) for step in range(after, -before - 1, -1)]


@dataclasses.dataclass(frozen=True)
class BarPart:
    """One part of a fund's bar: what share of its amount is where. Parts add up to the amount."""

    key: str
    label: str
    amount: Decimal
    percent: Decimal


def bar_parts(fund: Fund) -> list[BarPart]:
    """A fund (with its balances annotated) as the parts of its amount: allocated and still unused
    in the allocations, reserved, claimed, paid, expired, and available (not allocated). Parts
    that are zero are left out; the percentages are of the fund's amount (rounded to 0.1)."""
    drawn = fund.reserved + fund.claimed + fund.paid + fund.expired
    direct = fund.amount - fund.allocated - fund.available  # drawn directly from the fund
    parts = [
        ("allocated", "Allocated, unused", fund.allocated - (drawn - direct)),
        ("reserved", "Reserved", fund.reserved),
        ("claimed", "Claimed", fund.claimed),
        ("paid", "Paid", fund.paid),
        ("expired", "Expired", fund.expired),
        ("available", "Available", fund.available),
    ]
    total = fund.amount or Decimal("1")
    return [
        BarPart(key, label, amount, (amount * 100 / total).quantize(Decimal("0.1")))
        for key, label, amount in parts
        if amount > 0
    ]


def _latest(owner: str, column: str, default=None):
    """`column` of the latest ledger entry of the row's fund or allocation (`owner`)."""
    latest = LedgerEntry.objects.filter(**{f"{owner}_id": OuterRef("pk")}).order_by("-seq")
    return Coalesce(
        Subquery(latest.values(f"{owner}_{column}")[:1]),
        default if default is not None else Value(ZERO, output_field=MONEY),
        output_field=MONEY,
    )


def with_totals(rows: QuerySet, owner: str) -> QuerySet:
    """Funds (`owner="fund"`) or allocations with their buckets and `available` from the running
    totals of their latest entry. A fund without entries has its amount available."""
    return rows.annotate(
        **{bucket: _latest(owner, bucket) for bucket in BUCKETS},
        available=_latest(owner, "available", F("amount") if owner == "fund" else None),
    )


def fund_list(*, tenant: Tenant) -> QuerySet[Fund]:
    """The tenant's funds with their balances, newest quarter first."""
    return with_totals(Fund.objects.filter(tenant=tenant), "fund").order_by("-year", "-quarter", "name", "id")


def funds_of_quarter(*, tenant: Tenant, quarter: Quarter) -> list[Fund]:
    """A quarter's funds with their balances and bar (`fund.bar`), by name: one query."""
    funds = list(fund_list(tenant=tenant).filter(year=quarter.year, quarter=quarter.quarter))
    for fund in funds:
        fund.bar = bar_parts(fund)
    return funds


def allocation_list(*, tenant: Tenant) -> QuerySet[Allocation]:
    """Allocations with their balances, their fund and partner read in the same query."""
    allocations = Allocation.objects.filter(tenant=tenant).select_related("fund", "partner")
    return with_totals(allocations, "allocation").order_by("-fund__year", "-fund__quarter", "fund_id", "id")


def fund_allocations(*, tenant: Tenant, fund: Fund) -> dict[str, list[Allocation]]:
    """A fund's allocations with their balances: {"partners": by partner name, "pools": by tier}."""
    rows = list(allocation_list(tenant=tenant).filter(fund=fund).order_by("partner__name", "tier", "id"))
    tiers = list(Partner.Tier.values)
    return {
        "partners": [row for row in rows if row.partner_id is not None],
        "pools": sorted(
            (row for row in rows if row.partner_id is None), key=lambda row: tiers.index(row.tier)
        ),
    }


def allocation_targets(*, tenant: Tenant, fund: Fund) -> QuerySet[Partner]:
    """The partners an allocation of the fund may go to: of the tiers it serves, by name."""
    return Partner.objects.filter(tenant=tenant, tier__in=fund.tiers).order_by("name", "id")


@dataclasses.dataclass(frozen=True)
class MyFunds:
    """What a partner's company may draw on in a quarter."""

    quarter: Quarter
    allocations: list[Allocation]  # its own, with their balances
    pools: list[dict]  # the pools of its tier: fund name, currency, available, claim window


def my_funds(*, tenant: Tenant, partner: Partner, quarter: Quarter) -> MyFunds:
    """The partner's allocations of the quarter with their balances, and the shared pools of its
    tier it may draw on through the catalog: only what the partner's page shows of them (the
    fund's name, currency, what is available, the claim window), never the vendor's other
    figures. Two queries."""
    of_quarter = allocation_list(tenant=tenant).filter(fund__year=quarter.year, fund__quarter=quarter.quarter)
    allocations = list(of_quarter.filter(partner=partner).order_by("fund__name", "id"))
    pools = of_quarter.filter(partner__isnull=True, tier=partner.tier).order_by("fund__name", "id")
    return MyFunds(
        quarter=quarter,
        allocations=allocations,
        pools=[
            {
                "fund": pool.fund.name,
                "currency": pool.fund.currency,
                "available": max(pool.available, ZERO),
                "claim_window_days": pool.fund.claim_window_days,
                "max_reimbursement_percent": pool.fund.max_reimbursement_percent,
            }
            for pool in pools
        ],
    )
