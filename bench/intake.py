"""Bulk lead intake beside PostgreSQL COPY of the same rows (issue 9).

    python -m bench.intake                         # 20,000 rows, 3 runs, the median reported
    python -m bench.intake --rows 50000 --runs 5 --json bench/results/intake.json

Each run, in tenant `bench-intake` (made if missing, with 2,000 target accounts; its leads are
deleted before each run and 20 % of the rows' people are there already, as leads):

- intake: the rows through `leads.services.leads_upsert` as POST /api/v1/bulk/leads/ calls it, in
  calls of the API's maximum batch (1,000 rows), each in its transaction: validation, matching,
  merging, touches, audit, rescoring. Rows/s, and the statements run per 1,000 rows;
- COPY: what the intake wrote (the new leads and every row's touch), loaded with PostgreSQL
  `COPY … FROM STDIN` (psycopg `cursor.copy`) into tables `LIKE leads_lead` and `LIKE leads_touch`
  `INCLUDING ALL` (every index and check), logged as the real ones are (a temporary table writes
  no WAL, which flattered COPY), and committed, as each intake call is; PostgreSQL refuses COPY
  FROM into a table under a row-level policy, as the real ones are. Rows/s counts the same input
  rows;
- the ratio intake / COPY (target ≥ 0.2), and the intake's validation alone (LeadRow and the
  repeated-key check, rows/s): the part of its time that is serializer work.

The rows (seeded): realistic names and titles; 30 % at target-account domains (some at a
subdomain), 10 % at free-mail providers, the rest at other companies; 20 % re-arrivals of existing
leads (another case of their email, a title to fill, a new touch); most rows carry a touch with its
time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import sys
import time
from pathlib import Path

SLUG = "bench-intake"
ACCOUNTS = 2000
FIRST = "Ada Ben Chloe Dana Eli Fatima Gus Hana Ivan Jo Kai Lena Mo Nia Omar Pia Raj Sara Tom Uma Wen Zoe"
LAST = "Lee Smith Novak Garcia Kim Patel Rossi Muller Haddad Berg Silva Okafor Tanaka Dubois Nowak Jensen"
TITLES = [
    "Director of IT",
    "VP Engineering",
    "Head of Security",
    "IT Manager",
    "CIO",
    "Software Engineer",
    "Procurement Lead",
    "",
]
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com"]
KINDS = [
    "event_registered",
    "event_attended",
    "asset_downloaded",
    "landing_page_visit",
    "meeting",
    "email_reply",
]


def make_rows(count: int, seed: int = 9) -> tuple[list[dict], list[dict]]:
    """(existing leads' values, the rows): seeded, so every run takes the same rows."""
    rng = random.Random(seed)
    first, last = FIRST.split(), LAST.split()
    start = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)

    def person(index: int) -> dict:
        roll = rng.random()
        given, family = rng.choice(first), rng.choice(last)
        if roll < 0.3:
            domain = f"account{rng.randrange(ACCOUNTS)}.example"
            domain = f"eu.{domain}" if rng.random() < 0.2 else domain
            company = domain.split(".")[-2].title()
        elif roll < 0.4:
            domain, company = rng.choice(FREE_MAIL), ""
        else:
            number = rng.randrange(count)
            domain, company = f"company{number}.example", f"Company {number}"
        return {
            "email": f"{given}.{family}.{index}@{domain}".lower(),
            "first_name": given,
            "last_name": family,
            "company_name": company,
            "country": rng.choice(["Germany", "United States", "France", "Norway", "Japan"]),
        }

    def touch(row: dict, index: int) -> dict:
        if rng.random() < 0.85:
            row["touch_kind"] = rng.choice(KINDS)
            row["occurred_at"] = (start + datetime.timedelta(minutes=index)).isoformat()
        return row

    existing = [person(index) for index in range(count // 5)]
    rows = []
    for index in range(count):
        if index % 5 == 4:  # a re-arrival: another case, a title to fill, a touch
            known = existing[index // 5]
            row = {"email": known["email"].upper(), "title": rng.choice(TITLES[:5]), "touch_kind": "meeting"}
            row["occurred_at"] = (start + datetime.timedelta(minutes=index)).isoformat()
        else:
            row = touch({**person(count + index), "title": rng.choice(TITLES)}, index)
        rows.append(row)
    return existing, rows


def ensure_tenant(slug: str):
    from accounts.models import TargetAccount
    from partnerhub.tenancy.context import tenant_context
    from partnerhub.tenancy.models import Tenant
    from partnerhub.tenancy.services import tenant_create

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        tenant = tenant_create(actor=None, slug=slug, name=f"Bench {slug}", timezone="UTC")
        with tenant_context(tenant):
            TargetAccount.objects.bulk_create(
                TargetAccount(tenant=tenant, name=f"Account {n}", domain=f"account{n}.example")
                for n in range(ACCOUNTS)
            )
    return tenant


def reset(tenant, existing: list[dict]) -> None:
    """The tenant's leads and touches deleted; the existing people back as leads."""
    from django.db import connection, transaction

    from leads.models import Lead
    from partnerhub.tenancy.context import tenant_context

    with tenant_context(tenant), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM leads_touch WHERE tenant_id = %s", [tenant.id])
        cursor.execute("DELETE FROM leads_lead WHERE tenant_id = %s", [tenant.id])
        Lead.objects.bulk_create(Lead(tenant=tenant, **values) for values in existing)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leads_lead")
        cursor.execute("ANALYZE leads_touch")


def run_intake(tenant, rows: list[dict]) -> dict:
    from django.db import connection

    from leads.models import LeadSource
    from leads.services import leads_upsert
    from partnerhub.tenancy.api.bulk import MAX_BULK_ROWS, numbered_rows
    from partnerhub.tenancy.context import tenant_context

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    totals = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    with tenant_context(tenant), connection.execute_wrapper(count):
        started = time.perf_counter()
        for start in range(0, len(rows), MAX_BULK_ROWS):
            report = leads_upsert(
                tenant=tenant,
                actor=None,
                rows=numbered_rows(rows[start : start + MAX_BULK_ROWS]),
                source=LeadSource.API,
            )
            for name, value in report.counts().items():
                totals[name] += value
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows_per_s": len(rows) / seconds,
        "statements": statements,
        "statements_per_1000_rows": statements * 1000 / len(rows),
        "report": totals,
    }


def copy_payload(tenant) -> tuple[list[tuple], list[tuple]]:
    """What the intake wrote in `tenant`, as COPY rows (without ids: the scratch tenant takes its own)."""
    from leads.models import Lead, Touch
    from partnerhub.tenancy.context import tenant_context

    with tenant_context(tenant):
        leads = list(Lead.objects.filter(tenant=tenant).values())
        touches = list(Touch.objects.filter(tenant=tenant).values())
    return leads, touches


def run_copy(leads: list[dict], touches: list[dict], count: int) -> dict:
    """COPY the leads and touches into tables like the real ones (`LIKE … INCLUDING ALL`: columns,
    defaults, checks and every index, the unique ones included; logged, as the real ones are;
    PostgreSQL refuses COPY FROM into a table under a row-level policy, so not the real ones), in
    one transaction with its commit, as the owner role (which may create tables). Rows/s counts the
    input rows."""
    from django.db import connection, transaction

    from partnerhub.tenancy.rls import owner_connection

    lead_columns, touch_columns = list(leads[0]), list(touches[0])

    def lead_row(lead: dict) -> tuple:
        return tuple(
            json.dumps(lead[name]) if name == "score_reasons" else lead[name] for name in lead_columns
        )

    def touch_row(touch: dict) -> tuple:
        return tuple(json.dumps(touch[name]) if name == "details" else touch[name] for name in touch_columns)

    with owner_connection():
        with connection.cursor() as cursor:  # logged tables, as the real ones: COPY writes their WAL
            cursor.execute("DROP TABLE IF EXISTS bench_copy_lead, bench_copy_touch")
            cursor.execute("CREATE TABLE bench_copy_lead (LIKE leads_lead INCLUDING ALL)")
            cursor.execute("CREATE TABLE bench_copy_touch (LIKE leads_touch INCLUDING ALL)")
        try:
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY bench_copy_lead ({', '.join(lead_columns)}) FROM STDIN") as copy:
                    for lead in leads:
                        copy.write_row(lead_row(lead))
                with raw.copy(f"COPY bench_copy_touch ({', '.join(touch_columns)}) FROM STDIN") as copy:
                    for touch in touches:
                        copy.write_row(touch_row(touch))
            seconds = time.perf_counter() - started  # with its commit, as each intake call has its own
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE bench_copy_lead, bench_copy_touch")
    return {"seconds": seconds, "rows_per_s": count / seconds, "leads": len(leads), "touches": len(touches)}


def validation_alone(rows: list[dict]) -> dict:
    """The intake's validation of the rows (LeadRow, the repeated-key check), without the rest."""
    from accounts.services.upserts import UpsertReport
    from leads.models import LeadSource
    from leads.services.bulk_intake import arrivals_of
    from partnerhub.tenancy.api.bulk import numbered_rows

    started = time.perf_counter()
    arrivals_of(numbered_rows(rows), source=LeadSource.API, seen={}, report=UpsertReport())
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows_per_s": len(rows) / seconds}


def load_average() -> list[float]:
    try:
        return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def measure(count: int, runs: int, say) -> dict:
    tenant = ensure_tenant(SLUG)
    existing, rows = make_rows(count)
    results = []
    for run in range(1, runs + 1):
        reset(tenant, existing)
        say(f"run {run}/{runs}: intake of {count} rows…")
        intake = run_intake(tenant, rows)
        leads, touches = copy_payload(tenant)
        known = {person["email"] for person in existing}
        new = [lead for lead in leads if lead["email"] not in known]
        say(f"run {run}/{runs}: COPY of {len(new)} leads and {len(touches)} touches…")
        copied = run_copy(new, touches, count)
        results.append(
            {
                "intake": intake,
                "copy": copied,
                "ratio": intake["rows_per_s"] / copied["rows_per_s"],
                "validation": validation_alone(rows),
                "load_average": load_average(),
            }
        )
    ratios = [result["ratio"] for result in results]
    median_run = results[ratios.index(statistics.median_low(ratios))]
    return {"rows": count, "runs": results, "median": median_run, "target_ratio": 0.2}


def print_report(result: dict, out=sys.stdout) -> None:
    def w(line: str = "") -> None:
        print(line, file=out)

    w(f"Bulk lead intake, {result['rows']:,} rows (issue 9); median of {len(result['runs'])} runs by ratio")
    w()
    w(
        f"{'run':<8}{'intake rows/s':>15}{'COPY rows/s':>14}{'ratio':>8}{'stmts/1000':>12}"
        f"{'validate rows/s':>16}{'load avg':>18}"
    )
    for index, run in enumerate(result["runs"], 1):
        w(
            f"{index:<8}{run['intake']['rows_per_s']:>15,.0f}{run['copy']['rows_per_s']:>14,.0f}"
            f"{run['ratio']:>8.3f}{run['intake']['statements_per_1000_rows']:>12.1f}"
            f"{run['validation']['rows_per_s']:>16,.0f}"
            f"{' '.join(f'{value:.1f}' for value in run['load_average']):>18}"
        )
    median = result["median"]
    w()
    w(
        f"median: intake {median['intake']['rows_per_s']:,.0f} rows/s ({median['intake']['seconds']:.2f} s), "
        f"COPY {median['copy']['rows_per_s']:,.0f} rows/s ({median['copy']['seconds']:.2f} s: "
        f"{median['copy']['leads']:,} leads, {median['copy']['touches']:,} touches), "
        f"ratio {median['ratio']:.3f} (target ≥ {result['target_ratio']})"
    )
    w(f"intake report: {median['intake']['report']}")
    passed = median["ratio"] >= result["target_ratio"]
    w(f"check: ratio ≥ {result['target_ratio']}: {'PASS' if passed else 'FAIL'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows per run (default 20,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is reported (default 3)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)

    from bench.boot import bootstrap

    bootstrap()

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = measure(args.rows, args.runs, say)
    print_report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str))
        print(f"Results written to {args.json}")
    return 0 if result["median"]["ratio"] >= result["target_ratio"] else 1


if __name__ == "__main__":
    sys.exit(main())
