"""MDF at scale: the funds page, a partner's "My funds" and the balance query (issue 10).

    python -m bench.mdf                        # generate the two tenants if missing, then measure
    python -m bench.mdf --repeat 20 --json bench/results/mdf.json
    python -m bench.mdf --reset                # generate them again

Two tenants with the same 500 partners (tiers 5 % / 20 % / 75 %) and, per quarter, three funds
(strategic, growth, catalog: one per tier), an allocation per partner in its tier's fund and the
catalog fund's one-to-many pool, each partner allocation with 100 ledger entries (an allocation,
then reserve / claim approved / release / paid cycles):

- `bench-mdf`: 20 quarters up to the current one, 10,000 allocations, 1,000,020 ledger entries;
- `bench-mdf-1q`: the current quarter only, 500 allocations, 50,001 entries.

The entries are written by PostgreSQL itself, one INSERT … SELECT over `generate_series` per quarter,
in fund and allocation order: the ledger's insert trigger locks each fund, numbers its entries and
computes their running totals, and the CHECK constraints judge every one, exactly as for an entry
the application writes (nothing is disabled).

Measured as the application role, through the whole stack (Django's test client, `force_login`):
- the funds page (`/t/<slug>/funds/`, the current quarter) as the partner manager and "My funds"
  (`/t/<slug>/my-funds/`) as a one-to-few partner's user: median and p95 of `--repeat` runs after
  a warm-up, and their query counts (checks: under 200 ms, the same count in both tenants);
- the balance query of the current quarter's funds (`mdf.selectors.funds.fund_list`, the running
  totals of each fund's latest entry) in both tenants: with 20 quarters of data its time must not
  grow (checks: the fastest runs' ratio at most 1.5, no more shared buffers read), and beside it,
  for comparison, the same balances summed over the quarter's entries
  (`mdf.selectors.balances.fund_balances`), and the balances of every fund of the 20 quarters.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.planning import timed

TENANTS = {"bench-mdf": 20, "bench-mdf-1q": 1}
PARTNERS = 500
ENTRIES_PER_ALLOCATION = 100
PASSWORD = "partnerhub-demo"
FUNDS = (("Strategic", "one_to_one"), ("Growth", "one_to_few"), ("Catalog", "one_to_many"))


def say(message: str) -> None:
    print(message, flush=True)


def quarters_up_to_now(count: int, tenant) -> list[tuple[int, int]]:
    from mdf.selectors.funds import current_quarter

    now = current_quarter(tenant=tenant)
    return [(q.year, q.quarter) for q in (now.shifted(-step) for step in range(count - 1, -1, -1))]


# --- generation -------------------------------------------------------------------------------


def _tier(rank: int) -> str:
    share = rank % 20  # 1 in 20 strategic, 4 in 20 growth, the rest the long tail
    return "one_to_one" if share == 0 else "one_to_few" if share <= 4 else "one_to_many"


def _users(tenant, slug: str, partner) -> None:
    from django.contrib.auth.hashers import make_password

    from partnerhub.tenancy.models import Membership, User
    from partnerhub.tenancy.roles import Role

    password = make_password(PASSWORD)
    for email, role, of in (
        (f"pm@{slug}.example", Role.PARTNER_MANAGER, None),
        (f"partner@{slug}.example", Role.PARTNER_ADMIN, partner),
    ):
        user = User.objects.filter(email=email).first() or User.objects.create(
            email=email, full_name=email.split("@")[0], password=password
        )
        Membership.objects.create(tenant=tenant, user=user, role=role, partner=of)


LEDGER_SQL = """
INSERT INTO mdf_ledgerentry (
    tenant_id, fund_id, allocation_id, kind, amount, currency, actor_label, note, created_at,
    seq, fund_allocated, fund_reserved, fund_claimed, fund_paid, fund_expired, fund_available
)
SELECT a.tenant_id, a.fund_id, a.id,
    CASE WHEN k = 1 THEN 'allocate'
         ELSE (ARRAY['reserve', 'claim_approved', 'release', 'paid'])[1 + mod(k - 2, 4)] END,
    CASE WHEN k = 1 THEN 2000.00
         ELSE (ARRAY[10.00, 8.00, 2.00, 8.00])[1 + mod(k - 2, 4)] END,
    f.currency, 'Bench generator', '',
    make_timestamptz(f.year, f.quarter * 3 - 2, 1, 0, 0, 0, 'UTC') + k * interval '10 minutes',
    0, 0, 0, 0, 0, 0, 0
FROM mdf_allocation a
JOIN mdf_fund f ON f.id = a.fund_id
CROSS JOIN generate_series(1, %(entries)s) AS k
WHERE a.tenant_id = %(tenant)s AND f.year = %(year)s AND f.quarter = %(quarter)s
    AND (a.partner_id IS NOT NULL OR k = 1)
ORDER BY a.fund_id, a.id, k
"""


def generate(slug: str, quarters: int, *, reset: bool) -> None:
    from django.db import connection, transaction

    from bench.generate import Generator, Size
    from mdf.models import Allocation, Fund
    from partnerhub.tenancy.context import tenant_context
    from partnerhub.tenancy.models import Partner, Tenant
    from partnerhub.tenancy.services import tenant_create

    existing = Tenant.objects.filter(slug=slug).first()
    if existing and not reset:
        say(f"Tenant {slug!r} exists: kept (--reset to generate it again).")
        return
    started = time.monotonic()
    say(f"Generating {slug!r}: {PARTNERS} partners, {quarters} quarters of funds")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        if existing:
            Generator(slug=slug, scale=1, size=Size.at(1, PARTNERS)).delete_tenant(existing)
        tenant = tenant_create(actor=None, slug=slug, name=f"Bench MDF {quarters} quarters", timezone="UTC")
        with tenant_context(tenant):
            partners = Partner.objects.bulk_create(
                Partner(tenant=tenant, name=f"Bench partner {rank + 1:03d}", tier=_tier(rank))
                for rank in range(PARTNERS)
            )
            _users(tenant, slug, next(p for p in partners if p.tier == "one_to_few"))
            for year, quarter in quarters_up_to_now(quarters, tenant):
                funds = {
                    tier: Fund.objects.create(
                        tenant=tenant,
                        name=f"{name} Q{quarter} {year}",
                        year=year,
                        quarter=quarter,
                        amount=10_000_000,
                        currency="USD",
                        tiers=[tier],
                    )
                    for name, tier in FUNDS
                }
                Allocation.objects.bulk_create(
                    [Allocation(tenant=tenant, fund=funds[p.tier], partner=p) for p in partners]
                    + [Allocation(tenant=tenant, fund=funds["one_to_many"], tier="one_to_many")]
                )
                with connection.cursor() as cursor:
                    cursor.execute(
                        LEDGER_SQL,
                        {
                            "entries": ENTRIES_PER_ALLOCATION,
                            "tenant": tenant.id,
                            "year": year,
                            "quarter": quarter,
                        },
                    )
                    written = cursor.rowcount
                say(f"  Q{quarter} {year}: {written:,} entries ({time.monotonic() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mdf_fund; ANALYZE mdf_allocation; ANALYZE mdf_ledgerentry")
    say(f"  done in {time.monotonic() - started:.0f} s")


# --- measuring --------------------------------------------------------------------------------


def page(slug: str, email: str, path: str, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client

    from partnerhub.tenancy.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    url = f"/t/{slug}/{path}"
    statements: list[str] = []

    def count(execute, sql, *args):  # the request's start resets Django's own query log
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timing, _ = timed(lambda: client.get(url), repeat)
    return {**timing.summary(), "queries": len(statements), "bytes": len(response.content)}


def balance_queries(tenant, repeat: int) -> dict:
    from mdf.selectors.balances import fund_balances
    from mdf.selectors.funds import current_quarter, fund_list
    from partnerhub.tenancy.context import tenant_context

    quarter = current_quarter(tenant=tenant)
    with tenant_context(tenant):
        totals = fund_list(tenant=tenant).filter(year=quarter.year, quarter=quarter.quarter)
        sums = fund_balances(tenant=tenant, year=quarter.year, quarter=quarter.quarter)
        by_totals, by_sums = (
            timed(lambda: list(totals.all()), repeat),
            timed(lambda: list(sums.all()), repeat),
        )
        figures = [
            {(f.id, f.allocated, f.reserved, f.claimed, f.paid, f.available) for f in rows}
            for _, rows in (by_totals, by_sums)
        ]
        same = figures[0] == figures[1]
        every_quarter = timed(lambda: list(fund_list(tenant=tenant)), repeat)
        plans = {
            name: explain(queryset)
            for name, queryset in (("running_totals", totals), ("summed_entries", sums))
        }
    return {
        "running_totals": {**by_totals[0].summary(), **plans["running_totals"]["figures"]},
        "summed_entries": {**by_sums[0].summary(), **plans["summed_entries"]["figures"]},
        "same_figures": same,
        "funds": len(by_totals[1]),
        "running_totals_every_quarter": {**every_quarter[0].summary(), "funds": len(every_quarter[1])},
        "explain_running_totals": plans["running_totals"]["text"],
    }


def explain(queryset) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the queryset's SQL: the server's execution time and the shared
    buffers the top node touched (the same count whatever the machine's load)."""
    import re

    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    buffers = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", text)
    execution = re.search(r"Execution Time: ([\d.]+) ms", text)
    return {
        "text": text,
        "figures": {
            "server_execution_ms": float(execution.group(1)) if execution else None,
            "shared_buffers": int(buffers.group(1)) + int(buffers.group(2) or 0) if buffers else None,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reset", action="store_true", help="generate the tenants again")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)

    from bench.boot import bootstrap

    bootstrap()
    from mdf.models import LedgerEntry
    from partnerhub.tenancy.models import Tenant
    from partnerhub.tenancy.rls import owner_connection

    started = time.monotonic()
    with owner_connection():
        for slug, quarters in TENANTS.items():
            generate(slug, quarters, reset=args.reset)
        entries = {slug: LedgerEntry.unscoped.filter(tenant__slug=slug).count() for slug in TENANTS}
    generated_s = time.monotonic() - started
    tenants = {slug: Tenant.objects.get(slug=slug) for slug in TENANTS}
    figures: dict = {"ledger_entries": entries, "generation_s": round(generated_s, 1)}
    for slug, tenant in tenants.items():
        figures[slug] = {
            "quarters": TENANTS[slug],
            "funds_page": page(slug, f"pm@{slug}.example", "funds/", args.repeat),
            "my_funds": page(slug, f"partner@{slug}.example", "my-funds/", args.repeat),
            "balance_query": balance_queries(tenant, args.repeat * 5),
        }
    big, small = figures["bench-mdf"], figures["bench-mdf-1q"]
    # The fastest run of each: a loaded machine lengthens some runs, never shortens one.
    ratio = (
        big["balance_query"]["running_totals"]["min_ms"] / small["balance_query"]["running_totals"]["min_ms"]
    )
    buffers = [f["balance_query"]["running_totals"]["shared_buffers"] for f in (big, small)]
    figures["balance_query_ratio_20q_to_1q"] = round(ratio, 3)
    checks = {
        "1,000,000 ledger entries in the 20-quarter tenant": entries["bench-mdf"] >= 1_000_000,
        "funds page under 200 ms": big["funds_page"]["median_ms"] < 200,
        "my funds under 200 ms": big["my_funds"]["median_ms"] < 200,
        "funds page: the same queries at 1 and 20 quarters": big["funds_page"]["queries"]
        == small["funds_page"]["queries"],
        "my funds: the same queries at 1 and 20 quarters": big["my_funds"]["queries"]
        == small["my_funds"]["queries"],
        "balance query 20 quarters / 1 quarter at most 1.5 (fastest runs)": ratio <= 1.5,
        "balance query reads no more buffers at 20 quarters than at 1": buffers[0] <= buffers[1],
        "running totals equal the summed entries": all(
            f["balance_query"]["same_figures"] for f in (big, small)
        ),
    }
    figures["checks"] = checks
    say("")
    say(f"Ledger entries: {entries}; generated (or found) in {generated_s:.0f} s")
    for slug in TENANTS:
        row = figures[slug]
        say(f"{slug} ({TENANTS[slug]} quarters)")
        for name in ("funds_page", "my_funds"):
            say(
                f"  {name:<12} median {row[name]['median_ms']:7.1f} ms   p95 {row[name]['p95_ms']:7.1f} ms   "
                f"{row[name]['queries']} queries"
            )
        balance = row["balance_query"]
        for name in ("running_totals", "summed_entries"):
            figure = balance[name]
            say(
                f"  balance query, {name:<15} median {figure['median_ms']:6.2f} ms   "
                f"min {figure['min_ms']:6.2f} ms   server {figure['server_execution_ms']} ms   "
                f"{figure['shared_buffers']} buffers"
            )
    every = big["balance_query"]["running_totals_every_quarter"]
    say(f"  balance query ratio 20 quarters / 1 quarter (fastest runs): {ratio:.2f}")
    say(
        f"  balances of all {every['funds']} funds of the 20 quarters at once: "
        f"median {every['median_ms']:.2f} ms"
    )
    for check, passed in checks.items():
        say(f"  [{'ok' if passed else 'FAILED'}] {check}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
