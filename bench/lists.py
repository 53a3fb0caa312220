"""Big API lists at depth: the first page and a page 250,000 rows deep, against the same SQL.

    python -m bench.lists                      # tenant `bench` (python -m bench.generate first)
    python -m bench.lists --repeat 30 --json bench/results/lists.json

For each keyset-paged list (accounts, opportunities, account mappings), as a read key of the
tenant through Django's test client (the whole stack: authentication, the database wall, the
serializer):

- median latency of the first page and of a page `--depth` rows deep (or as deep as the list
  goes), at 10 and at 100 rows a page, and their ratio deep / first;
- the queries each page ran (the same at 10 and 100 rows), and the same SQL statements run
  directly with psycopg as the application role in the tenant: the ratio API / raw SQL is what
  the framework adds on top of the database's own work.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from pathlib import Path

from bench.planning import Timing

LISTS = {
    "accounts": ("/api/v1/accounts/", "accounts_targetaccount"),
    "opportunities": ("/api/v1/opportunities/", "accounts_opportunity"),
    "account mappings": ("/api/v1/account-mappings/", "accounts_accountmapping"),
}
PAGE_SIZES = (10, 100)


def cursor_after(row_id: int) -> str:
    """The keyset cursor of the page that starts after `row_id` (DRF's cursor encoding)."""
    return base64.b64encode(f"p={row_id}".encode()).decode()


class RawSQL:
    """The captured statements, run directly with psycopg as the application role with the tenant
    set, as the backend sends them: one transaction per run, on one connection kept open."""

    def __init__(self, tenant_id: int):
        import psycopg
        from django.db import connection

        self.conn = psycopg.connect(**connection.get_connection_params())
        self.tenant_id = str(tenant_id)

    def runner(self, statements: list[str]):
        def run():
            with self.conn.cursor() as cursor:
                cursor.execute("SELECT set_config('partnerhub.tenant_id', %s, true)", [self.tenant_id])
                for statement in statements:
                    cursor.execute(statement)
                    cursor.fetchall()
            self.conn.rollback()

        return run

    def close(self) -> None:
        self.conn.close()


def _getter(client, page_url: str):
    def get():
        response = client.get(page_url)
        assert response.status_code == 200, (page_url, response.status_code, response.content[:200])
        return response

    return get


def alternated(calls: dict, repeat: int) -> tuple[dict[str, Timing], dict]:
    """Time the calls in turns (API first page, API deep page, their SQL…): whatever else the
    machine does in a moment weighs on all alike, so their ratios are not an accident of when each
    was measured."""
    runs: dict[str, list[float]] = {name: [] for name in calls}
    results = {}
    for _ in range(repeat + 3):
        for name, call in calls.items():
            started = time.perf_counter()
            results[name] = call()
            runs[name].append((time.perf_counter() - started) * 1000)
    return {name: Timing(values) for name, values in runs.items()}, results


def measure(slug: str, depth: int, repeat: int, say) -> dict:
    from django.db import connection
    from django.test import Client

    from bench.planning import captured
    from partnerhub.tenancy.context import tenant_context
    from partnerhub.tenancy.models import Tenant
    from partnerhub.tenancy.services import api_key_create

    tenant = Tenant.objects.get(slug=slug)
    with tenant_context(tenant):
        _, raw_key = api_key_create(tenant=tenant, actor=None, name="bench lists", scopes=["read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    raw_sql = RawSQL(tenant.id)
    results = {}
    for label, (url, table) in LISTS.items():
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            rows = cursor.fetchone()[0]
            offset = max(0, min(depth, rows - max(PAGE_SIZES) - 1))
            cursor.execute(f"SELECT id FROM {table} ORDER BY id OFFSET %s LIMIT 1", [offset])
            deep_after = cursor.fetchone()[0]
        entry = {"rows": rows, "deep_offset": offset}
        for size in PAGE_SIZES:
            pages = {
                "first": f"{url}?page_size={size}",
                "deep": f"{url}?page_size={size}&cursor={cursor_after(deep_after)}",
            }
            calls, queries = {}, {}
            for where, page_url in pages.items():
                calls[where] = _getter(client, page_url)
                calls[where]()  # the key's once-a-minute last_used_at update, if due, falls here
                queries[where], _ = captured(calls[where])
                calls[f"{where} SQL"] = raw_sql.runner([q["sql"] for q in queries[where]])
            timings, responses = alternated(calls, repeat)
            for where in pages:
                raw = timings[f"{where} SQL"]
                entry[f"{where}_{size}"] = {
                    **timings[where].summary(),
                    "queries": len(queries[where]),
                    "results": len(responses[where].json()["results"]),
                    "raw_sql_median_ms": round(raw.median, 2),
                    "api_over_sql": round(timings[where].median / raw.median, 2),
                }
            entry[f"deep_over_first_{size}"] = round(
                entry[f"deep_{size}"]["median_ms"] / entry[f"first_{size}"]["median_ms"], 2
            )
        say(
            f"{label}: {rows:,} rows; deep page after row {offset:,}: "
            f"{entry['deep_100']['median_ms']:.1f} ms vs first "
            f"{entry['first_100']['median_ms']:.1f} ms at 100 rows"
        )
        results[label] = entry
    raw_sql.close()
    return results


def print_report(results: dict, out=sys.stdout) -> None:
    def w(line=""):
        print(line, file=out)

    w()
    header = f"{'list':<18}{'rows':>11}{'page':>6}{'first ms':>10}{'deep ms':>9}{'deep/first':>11}"
    header += f"{'queries':>9}{'SQL ms':>8}{'API/SQL':>9}{'deep SQL ms':>12}{'deep API/SQL':>13}"
    w(header)
    w("-" * len(header))
    for label, entry in results.items():
        for size in PAGE_SIZES:
            first, deep = entry[f"first_{size}"], entry[f"deep_{size}"]
            w(
                f"{label:<18}{entry['rows']:>11,}{size:>6}{first['median_ms']:>10.1f}{deep['median_ms']:>9.1f}"
                f"{entry[f'deep_over_first_{size}']:>11.2f}{first['queries']:>9}"
                f"{first['raw_sql_median_ms']:>8.1f}{first['api_over_sql']:>9.2f}"
                f"{deep['raw_sql_median_ms']:>12.1f}{deep['api_over_sql']:>13.2f}"
            )
    w()
    w(
        "deep = a page starting about --depth rows in (or as deep as the list goes); "
        "medians over --repeat runs"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lists", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", default="bench")
    parser.add_argument(
        "--depth", type=int, default=250_000, help="rows before the deep page (default 250,000)"
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from bench.boot import bootstrap

    bootstrap()

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = measure(args.tenant, args.depth, args.repeat, say)
    print_report(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
        print(f"Results written to {args.json}")
    same_queries = all(
        entry["first_10"]["queries"] == entry["first_100"]["queries"] == entry["deep_100"]["queries"]
        for entry in results.values()
    )
    return 0 if same_queries else 1


if __name__ == "__main__":
    sys.exit(main())
