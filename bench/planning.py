"""Partner ranking and the plan page at scale.

    python -m bench.planning                      # tenants `bench` and `bench-0-1`, 20 runs each
    python -m bench.planning --repeat 50 --tenant bench
    python -m bench.planning --json bench/results/planning.json

For each tenant made by `bench.generate`, on its 20-account plan:

- ranking: `partner_ranking(tenant=…, plan=…)` fully evaluated (`list()`), as the API and the
  plan page call it, timed over --repeat runs after two warm-up runs (min, median, p95 and the
  first, cold run), with the number of SQL queries it ran and the rows those queries returned to
  Python (read from EXPLAIN ANALYZE of each captured query);
- EXPLAIN (ANALYZE, BUFFERS) of its main query: time, the indexes it used, any sequential scan of
  a table of the tenant's bulk data;
- plan page: GET /t/<slug>/plans/<plan_id>/ through Django's test client, signed in as the
  tenant's partner manager: status, query count, time (same statistics);
- a check that the ranking's access counts equal an independent SQL count over all partners;
- ratios full / small: whether time and query count grow with the tenant's data.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
# Tables whose size grows with the tenant: a sequential scan of one of them is a finding.
BULK_TABLES = {
    "accounts_accountmapping",
    "accounts_targetaccount",
    "accounts_opportunity",
    "accounts_opportunitystagechange",
    "accounts_opportunityinfluence",
}


@dataclass
class Timing:
    runs_ms: list[float]

    @property
    def first(self) -> float:
        return self.runs_ms[0]

    @property
    def warm(self) -> list[float]:
        return sorted(self.runs_ms[3:]) or sorted(self.runs_ms)  # after the first and two warm-ups

    @property
    def min(self) -> float:
        return self.warm[0]

    @property
    def median(self) -> float:
        return statistics.median(self.warm)

    @property
    def p95(self) -> float:
        warm = self.warm
        return warm[max(0, math.ceil(0.95 * len(warm)) - 1)]  # nearest rank

    def summary(self) -> dict:
        return {
            "first_ms": round(self.first, 2),
            "min_ms": round(self.min, 2),
            "median_ms": round(self.median, 2),
            "p95_ms": round(self.p95, 2),
            "runs": len(self.warm),
        }


@dataclass
class TenantResult:
    slug: str
    counts: dict[str, int]
    plan_id: int
    plan_accounts: int
    ranking: dict = field(default_factory=dict)
    ranking_top10: dict = field(default_factory=dict)
    explain: dict = field(default_factory=dict)
    page: dict = field(default_factory=dict)
    accounts_page: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)


def timed(func: Callable, repeat: int) -> tuple[Timing, object]:
    runs, result = [], None
    for _ in range(repeat + 3):  # the first (cold) run, two warm-ups, then the measured runs
        started = time.perf_counter()
        result = func()
        runs.append((time.perf_counter() - started) * 1000)
    return Timing(runs), result


def captured(func: Callable) -> tuple[list[dict], object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = func()
    return list(queries.captured_queries), result


def explain(sql: str) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured query: its plan as text and the highlights."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        text = "\n".join(row[0] for row in cursor.fetchall())
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    nodes = list(_walk(plan["Plan"]))
    indexes: dict[str, dict] = {}
    seq_scans = []
    for node in nodes:
        if "Index Name" in node:
            entry = indexes.setdefault(
                node["Index Name"],
                {"table": node.get("Relation Name", ""), "node": node["Node Type"], "loops": 0, "rows": 0},
            )
            entry["loops"] += node.get("Actual Loops", 0)
            entry["rows"] += node.get("Actual Rows", 0) * node.get("Actual Loops", 0)
        if node["Node Type"] == "Seq Scan":
            seq_scans.append(
                {
                    "table": node["Relation Name"],
                    "rows": node.get("Actual Rows", 0) * node.get("Actual Loops", 0),
                    "loops": node.get("Actual Loops", 0),
                    "bulk": node["Relation Name"] in BULK_TABLES,
                }
            )
    # Rows each scan of a bulk table read: kept plus thrown away by its filter, over all loops.
    bulk_rows_read: dict[str, int] = {}
    for node in nodes:
        table = node.get("Relation Name")
        if table in BULK_TABLES:
            read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
            read += node.get("Rows Removed by Index Recheck", 0)
            bulk_rows_read[table] = bulk_rows_read.get(table, 0) + read * node.get("Actual Loops", 0)
    top = plan["Plan"]
    return {
        "bulk_rows_read": bulk_rows_read,
        "execution_ms": round(plan["Execution Time"], 2),
        "planning_ms": round(plan["Planning Time"], 2),
        "rows_returned": top.get("Actual Rows", 0),
        "shared_hit_blocks": top.get("Shared Hit Blocks", 0),
        "shared_read_blocks": top.get("Shared Read Blocks", 0),
        "indexes": indexes,
        "seq_scans": seq_scans,
        "text": text,
    }


def _walk(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def independent_access(tenant, plan) -> dict[int, int]:
    """Access per active partner, counted in plain SQL without the selector."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, count(m.id)
            FROM tenancy_partner AS p
            LEFT JOIN accounts_accountmapping AS m
                   ON m.partner_id = p.id AND m.tenant_id = p.tenant_id
                  AND m.account_id IN (SELECT account_id FROM accounts_planaccount
                                       WHERE plan_id = %s AND tenant_id = %s)
            WHERE p.tenant_id = %s AND p.status = 'active'
            GROUP BY p.id
            """,
            [plan.id, tenant.id, tenant.id],
        )
        return dict(cursor.fetchall())


def measure_tenant(slug: str, repeat: int, say: Callable[[str], None]) -> TenantResult:
    from django.test import Client
    from django.urls import reverse
    from django.utils.html import escape

    from accounts.models import Plan, PlanAccount
    from accounts.selectors.plans import partner_ranking
    from bench.generate import tenant_counts
    from partnerhub.tenancy.context import tenant_context
    from partnerhub.tenancy.models import Tenant, User

    tenant = Tenant.objects.get(slug=slug)
    plan = Plan.unscoped.filter(tenant=tenant).order_by("id").first()
    result = TenantResult(
        slug=slug,
        counts=tenant_counts(slug),
        plan_id=plan.id,
        plan_accounts=PlanAccount.unscoped.filter(tenant=tenant, plan=plan).count(),
    )
    say(f"{slug}: plan {plan.id} with {result.plan_accounts} named accounts")

    with tenant_context(tenant):

        def rank():
            return list(partner_ranking(tenant=tenant, plan=plan))

        def rank_top10():
            return list(partner_ranking(tenant=tenant, plan=plan, limit=10))

        timing, ranking = timed(rank, repeat)
        queries, _ = captured(rank)
        explained = [explain(query["sql"]) for query in queries]
        main = max(range(len(queries)), key=lambda i: explained[i]["execution_ms"])
        result.ranking = {
            **timing.summary(),
            "queries": len(queries),
            "partners_ranked": len(ranking),
            "rows_to_python": sum(e["rows_returned"] for e in explained),
            "top": [{"partner": r.partner.name, "access": r.access, "score": r.score} for r in ranking[:5]],
        }
        top10_timing, _ = timed(rank_top10, repeat)
        result.ranking_top10 = top10_timing.summary()
        result.explain = {"query": queries[main]["sql"], **explained[main]}
        expected = independent_access(tenant, plan)
        result.checks["access_matches_sql"] = {r.partner.id: r.access for r in ranking} == expected
        mapping_indexes = [
            name
            for name, info in result.explain["indexes"].items()
            if info["table"] == "accounts_accountmapping"
        ]
        result.explain["mapping_indexes"] = mapping_indexes
        result.checks["ranking_uses_mapping_index"] = bool(mapping_indexes)
        result.checks["ranking_no_bulk_seq_scan"] = not any(s["bulk"] for s in result.explain["seq_scans"])
        # In the database: what reaches Python is one row per partner plus the plan's accounts.
        result.checks["ranking_in_database"] = (
            result.ranking["rows_to_python"] <= len(ranking) + result.plan_accounts
        )
        result.checks["ordered_by_access"] = all(a.access >= b.access for a, b in pairwise(ranking))
    say(
        f"  ranking: median {result.ranking['median_ms']:.1f} ms, {result.ranking['queries']} queries, "
        f"{result.ranking['partners_ranked']} partners"
    )

    client = Client()
    client.force_login(User.objects.get(email="pm@bench.example"))
    url = reverse("accounts:plan_detail", kwargs={"tenant_slug": slug, "plan_id": plan.id})
    response = client.get(url)  # the first visit also notes the tenant in the session
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")

    def get(url):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        return response

    def page():
        return get(url)

    page_timing, response = timed(page, repeat)
    page_queries, _ = captured(page)
    slowest = sorted(page_queries, key=lambda q: float(q["time"]), reverse=True)[:3]
    result.page = {
        "url": url,
        "status": response.status_code,
        "bytes": len(response.content),
        **page_timing.summary(),
        "queries": len(page_queries),
        "slowest_queries": [
            {"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"][:300]} for q in slowest
        ],
    }
    top_partner = escape(ranking[0].partner.name).encode()
    result.checks["page_shows_ranking"] = top_partner in response.content
    say(f"  plan page: median {result.page['median_ms']:.1f} ms, {result.page['queries']} queries")

    accounts_url = reverse("accounts:account_list", kwargs={"tenant_slug": slug})
    accounts_timing, accounts_response = timed(lambda: get(accounts_url), repeat)
    accounts_queries, _ = captured(lambda: get(accounts_url))
    result.accounts_page = {
        "url": accounts_url,
        "bytes": len(accounts_response.content),
        **accounts_timing.summary(),
        "queries": len(accounts_queries),
    }
    say(f"  account list: median {result.accounts_page['median_ms']:.1f} ms, {len(accounts_queries)} queries")
    return result


# --- report -------------------------------------------------------------------------------------


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def scale_checks(results: list[TenantResult]) -> dict[str, bool]:
    """Between the largest and the smallest tenant: the work must follow the plan, not the data."""
    if len(results) < 2:
        return {}
    full, small = results[0], results[-1]

    def mapping_rows(r: TenantResult) -> int:
        return r.explain["bulk_rows_read"].get("accounts_accountmapping", 0)

    return {
        "same ranking query count": full.ranking["queries"] == small.ranking["queries"],
        "same plan page query count": full.page["queries"] == small.page["queries"],
        # 20 accounts known by ~20 partners each at both scales: the rows to read are the same.
        "mapping rows read under 2x": mapping_rows(full) <= 2 * max(1, mapping_rows(small)),
    }


def print_report(results: list[TenantResult], out=sys.stdout) -> None:
    def w(line: str = "") -> None:
        print(line, file=out)

    cols = [r.slug for r in results]
    width = max(14, *(len(c) + 2 for c in cols))

    def row(label: str, values: list[str], extra: str = "") -> None:
        w(f"{label:<44}" + "".join(f"{v:>{width}}" for v in values) + (f"{extra:>12}" if extra else ""))

    full, small = (results[0], results[-1]) if len(results) > 1 else (None, None)

    def with_ratio(label: str, get: Callable[[TenantResult], float], fmt: str) -> None:
        values = [format(get(r), fmt) for r in results]
        row(label, values, ratio(get(full), get(small)) if full else "")

    w()
    row("", cols, "full/small" if full else "")
    w("-" * (44 + width * len(cols) + (12 if full else 0)))
    for key in ("partners", "target accounts", "account mappings", "opportunities", "stage changes"):
        with_ratio(key, lambda r, k=key: r.counts[k], ",")
    row("named accounts in the plan", [str(r.plan_accounts) for r in results])
    w()
    w("partner_ranking(tenant, plan), list() of it")
    for stat in ("median_ms", "p95_ms", "min_ms", "first_ms"):
        with_ratio(f"  {stat.replace('_ms', '')} (ms)", lambda r, s=stat: r.ranking[s], ".1f")
    with_ratio("  SQL queries", lambda r: r.ranking["queries"], "d")
    with_ratio("  partners ranked (active)", lambda r: r.ranking["partners_ranked"], "d")
    with_ratio("  rows the queries returned to Python", lambda r: r.ranking["rows_to_python"], "d")
    with_ratio("  top 10 only (limit=10), median (ms)", lambda r: r.ranking_top10["median_ms"], ".1f")
    w()
    w("main ranking query, EXPLAIN (ANALYZE, BUFFERS)")
    with_ratio("  execution (ms)", lambda r: r.explain["execution_ms"], ".1f")
    with_ratio("  planning (ms)", lambda r: r.explain["planning_ms"], ".1f")
    with_ratio("  shared buffers hit", lambda r: r.explain["shared_hit_blocks"], ",")
    with_ratio(
        "  account-mapping rows read",
        lambda r: r.explain["bulk_rows_read"].get("accounts_accountmapping", 0),
        ",",
    )
    with_ratio("  seq scans of bulk tables", lambda r: sum(s["bulk"] for s in r.explain["seq_scans"]), "d")
    w()
    w("plan page GET /t/<slug>/plans/<id>/ as partner manager")
    for stat in ("median_ms", "p95_ms", "min_ms", "first_ms"):
        with_ratio(f"  {stat.replace('_ms', '')} (ms)", lambda r, s=stat: r.page[s], ".1f")
    with_ratio("  SQL queries", lambda r: r.page["queries"], "d")
    with_ratio("  response size (bytes)", lambda r: r.page["bytes"], ",")
    w()
    w("account list GET /t/<slug>/accounts/ (first page) as partner manager")
    for stat in ("median_ms", "p95_ms", "min_ms"):
        with_ratio(f"  {stat.replace('_ms', '')} (ms)", lambda r, s=stat: r.accounts_page[s], ".1f")
    with_ratio("  SQL queries", lambda r: r.accounts_page["queries"], "d")
    w()
    w("checks")
    for check in results[0].checks:
        row(f"  {check}", ["ok" if r.checks[check] else "FAILED" for r in results])
    for check, passed in scale_checks(results).items():
        row(f"  {check} (full/small)", [""] * len(cols), "ok" if passed else "FAILED")
    for r in results:
        w()
        w(f"[{r.slug}] indexes used by the main ranking query (index: table, node, loops, rows)")
        for name, info in r.explain["indexes"].items():
            w(f"  {name}: {info['table']}, {info['node']}, loops {info['loops']:,}, rows {info['rows']:,}")
        for scan in r.explain["seq_scans"]:
            w(f"  Seq Scan on {scan['table']}: rows {scan['rows']:,}, loops {scan['loops']:,}")
        w(f"[{r.slug}] top of the ranking")
        for top in r.ranking["top"]:
            w(f"  {top['partner']:<40} access {top['access']:>3}  score {top['score']:>4}")
        w(f"[{r.slug}] slowest queries of the plan page")
        for query in r.page["slowest_queries"]:
            w(f"  {query['ms']:8.2f} ms  {query['sql'][:150]}")
    w()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planning", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tenant",
        action="append",
        help="tenant slug to measure (repeatable; default: bench and bench-0-1, those that exist)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="measured runs of each figure (default 20)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--explain", action="store_true", help="print the full EXPLAIN ANALYZE text")
    args = parser.parse_args(argv)

    from bench.boot import bootstrap

    bootstrap()
    from partnerhub.tenancy.models import Tenant

    slugs = args.tenant or [s for s in ("bench", "bench-0-1") if Tenant.objects.filter(slug=s).exists()]
    missing = [s for s in slugs if not Tenant.objects.filter(slug=s).exists()]
    if not slugs or missing:
        raise SystemExit(
            f"Tenant(s) {missing or ['bench']} not generated: run python -m bench.generate "
            "(and --scale 0.1) first, or make bench."
        )

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = [measure_tenant(slug, args.repeat, say) for slug in slugs]
    results.sort(key=lambda r: r.counts["account mappings"], reverse=True)  # full scale first
    print_report(results)
    if args.explain:
        for r in results:
            print(f"[{r.slug}] EXPLAIN (ANALYZE, BUFFERS) of the main ranking query\n{r.explain['text']}\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"tenants": [asdict(r) for r in results], "scale_checks": scale_checks(results)}
        args.json.write_text(json.dumps(payload, indent=2, default=str))
        print(f"Results written to {args.json}")
    passed = all(all(r.checks.values()) for r in results) and all(scale_checks(results).values())
    if not passed:
        print("Some checks FAILED (see above).", file=sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
