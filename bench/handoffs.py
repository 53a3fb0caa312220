"""Handoffs at scale: the SLA ladder sweep and the partner's lead inbox (issue 9).

    python -m bench.handoffs                       # generate the two tenants if missing, measure
    python -m bench.handoffs --repeat 7 --json bench/results/handoffs.json
    python -m bench.handoffs --reset               # generate them again

Two tenants, each with one open handoff per lead: `bench-handoffs-1m` with 1,000,000 open
handoffs and `bench-handoffs-10k` with 10,000. In each, the same 1,000 handoffs are made due (their
accept clock's warn instant a minute ago); everything else is due in days. Measured:

- **The sweep of the 1,000 due** (`handoff_ladder_sweep` as beat runs it, batch after batch until
  nothing is due), in each tenant alone, alternating, `--repeat` times; after each run its effects
  (escalations, notifications, audit events) are deleted and the 1,000 made due again. Checks: the
  median under 2 s, and the ratio of the big tenant to the small one at most 1.2 (the sweep reads
  only the due rows, through the partial index).
- **The partner's lead inbox** (`/t/<slug>/handoffs/`, the whole stack through Django's test
  client) for the partner holding 50,000 of the big tenant's handoffs and for one with 100 in the
  small tenant: median latency (check: under 200 ms) and the number of queries (check: the same).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.planning import Timing

TENANTS = {"bench-handoffs-1m": 1_000_000, "bench-handoffs-10k": 10_000}
PARTNERS = 100
DUE = 1_000
INBOX_PARTNER_HANDOFFS = {"bench-handoffs-1m": 50_000, "bench-handoffs-10k": 100}
USERS_PER_PARTNER = 2
PASSWORD = "partnerhub-demo"


def say(message: str) -> None:
    print(message, flush=True)


def _defaults(model, given: dict[str, str]) -> tuple[list[str], list[str], list]:
    """Columns, SQL expressions and parameters of an INSERT … SELECT of `model`: the expressions
    `given` by column name, every other concrete column at its field's default (so a column added
    later still gets its value)."""
    from django.db import connection

    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in given:
            expressions.append(given[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("now()")
        else:
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    return columns, expressions, params


def insert_select(model, given: dict[str, str], source: str) -> None:
    """INSERT … SELECT FROM `source`. The given expressions and the source are SQL written here
    from integers only (no placeholders); the defaults are parameters."""
    from django.db import connection

    columns, expressions, defaults = _defaults(model, given)
    sql = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
        f"SELECT {', '.join(expressions)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, defaults)


# --- generation -------------------------------------------------------------------------------


def generate(slug: str, handoffs: int, *, reset: bool) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from bench.generate import Generator, Size
    from leads.models import Handoff, Lead
    from partnerhub.tenancy.context import tenant_context
    from partnerhub.tenancy.models import Membership, Partner, Tenant, User
    from partnerhub.tenancy.roles import Role
    from partnerhub.tenancy.services import tenant_create

    existing = Tenant.objects.filter(slug=slug).first()
    if existing and not reset:
        say(f"Tenant {slug!r} exists: kept (--reset to generate it again).")
        return
    started = time.monotonic()
    say(f"Generating {slug!r}: {handoffs:,} leads, each with one open handoff, {PARTNERS} partners")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.4242)")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        if existing:
            Generator(slug=slug, scale=1, size=Size.at(1, PARTNERS)).delete_tenant(existing)
        tenant = tenant_create(actor=None, slug=slug, name=f"Bench handoffs {handoffs:,}", timezone="UTC")
        password = make_password(PASSWORD)
        with tenant_context(tenant):
            partners = Partner.objects.bulk_create(
                Partner(tenant=tenant, name=f"Bench partner {rank + 1:03d}", tier=Partner.Tier.ONE_TO_FEW)
                for rank in range(PARTNERS)
            )
            # Users are not tenant rows: a tenant generated again finds them from the last time.
            emails = [
                f"p{rank + 1:03d}-{n}@{slug}.example"
                for rank in range(PARTNERS)
                for n in range(USERS_PER_PARTNER)
            ]
            known = {user.email: user for user in User.objects.filter(email__in=emails)}
            User.objects.bulk_create(
                User(email=email, full_name=email.split("@")[0], password=password)
                for email in emails
                if email not in known
            )
            by_email = {user.email: user for user in User.objects.filter(email__in=emails)}
            users = [by_email[email] for email in emails]
            Membership.objects.bulk_create(
                Membership(
                    tenant=tenant,
                    user=user,
                    role=Role.PARTNER_ADMIN,
                    partner=partners[index // USERS_PER_PARTNER],
                )
                for index, user in enumerate(users)
            )
            insert_select(
                Lead,
                {
                    "tenant_id": str(tenant.id),
                    "email": "'lead' || g || '@company' || mod(g, 5000) || '.example'",
                    "first_name": "'First' || g",
                    "last_name": "'Last' || g",
                    "title": "'Head of IT'",
                    "company_name": "'Company ' || mod(g, 5000)",
                    "company_domain": "'company' || mod(g, 5000) || '.example'",
                },
                f"generate_series(1, {int(handoffs)}) AS g",
            )
            lead_table = Lead._meta.db_table
            # The inbox partner (the first) holds INBOX_PARTNER_HANDOFFS; the rest spread over the others.
            inbox = INBOX_PARTNER_HANDOFFS[slug]
            partner_ids = [partner.id for partner in partners]
            others = ", ".join(str(int(partner_id)) for partner_id in partner_ids[1:])
            insert_select(
                Handoff,
                {
                    "tenant_id": str(tenant.id),
                    "lead_id": "l.id",
                    "partner_id": (
                        f"CASE WHEN l.n <= {inbox} THEN {partner_ids[0]} "
                        f"ELSE (ARRAY[{others}]::bigint[])[1 + mod(l.n, {PARTNERS - 1})] END"
                    ),
                    "state": "'offered'",
                    "offered_at": "now() - interval '1 hour'",
                    "accept_warn_at": "now() + (1 + mod(l.n, 30)) * interval '1 day'",
                    "accept_due_at": "now() + (2 + mod(l.n, 30)) * interval '1 day'",
                    "accept_recall_at": "now() + (3 + mod(l.n, 30)) * interval '1 day'",
                    "next_due_at": "now() + (1 + mod(l.n, 30)) * interval '1 day'",
                    "deadline_at": "now() + (2 + mod(l.n, 30)) * interval '1 day'",
                    "created_at": "now()",
                    "updated_at": "now()",
                },
                f"(SELECT id, row_number() OVER (ORDER BY id) AS n FROM {lead_table} "
                f"WHERE tenant_id = {tenant.id}) AS l",
            )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Lead._meta.db_table}; ANALYZE {Handoff._meta.db_table}")
    say(f"  done in {time.monotonic() - started:.0f} s")


# --- measuring --------------------------------------------------------------------------------


def due_ids(tenant) -> list[int]:
    """The same 1,000 handoffs in either tenant: the first by id among partners other than the
    inbox partner's (their users get the nudges)."""
    from leads.models import Handoff

    return list(
        Handoff.unscoped.filter(tenant=tenant)
        .order_by("id")
        .values_list("id", flat=True)[
            INBOX_PARTNER_HANDOFFS["bench-handoffs-10k"] : INBOX_PARTNER_HANDOFFS["bench-handoffs-10k"] + DUE
        ]
    )


def arm(tenant, ids: list[int]) -> None:
    """Make `ids` due: the accept clock's warn instant a minute ago, nothing fired yet."""
    from django.db import connection

    from leads.models import Handoff, HandoffEscalation
    from partnerhub.tenancy.context import tenant_context
    from partnerhub.tenancy.models import AuditEvent, Notification

    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {HandoffEscalation._meta.db_table} WHERE tenant_id = %s", [tenant.id])
        cursor.execute(f"DELETE FROM {Notification._meta.db_table} WHERE tenant_id = %s", [tenant.id])
        cursor.execute(
            f"DELETE FROM {AuditEvent._meta.db_table} WHERE tenant_id = %s AND action = 'handoff.escalated'",
            [tenant.id],
        )
        cursor.execute(
            f"UPDATE {Handoff._meta.db_table} SET accept_warn_at = now() - interval '1 minute', "
            "next_due_at = now() - interval '1 minute' WHERE tenant_id = %s AND id = ANY(%s)",
            [tenant.id, ids],
        )


def disarm(tenant, ids: list[int]) -> None:
    """Put `ids` back in the future, so the other tenant's sweep finds nothing of this one due."""
    from django.db import connection

    from leads.models import Handoff
    from partnerhub.tenancy.context import tenant_context

    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Handoff._meta.db_table} SET accept_warn_at = now() + interval '1 day', "
            "next_due_at = now() + interval '1 day' WHERE tenant_id = %s AND id = ANY(%s)",
            [tenant.id, ids],
        )


def sweep_all() -> tuple[float, int]:
    """Sweep until nothing is due, as beat's runs would; (milliseconds, steps fired)."""
    from leads.services import handoff_ladder_sweep

    started, fired = time.perf_counter(), 0
    while True:
        count = handoff_ladder_sweep()
        fired += count
        if count == 0:
            break
    return (time.perf_counter() - started) * 1000, fired


def measure_sweeps(tenants: dict, repeat: int) -> dict[str, Timing]:
    """The sweep runs as the application role, as the worker does; arming and cleaning up after it
    (deleting audit events, which the application role may not) is the bench's, as the owner."""
    from partnerhub.tenancy.rls import owner_connection

    ids = {slug: due_ids(tenant) for slug, tenant in tenants.items()}
    with owner_connection():
        for slug, tenant in tenants.items():
            disarm(tenant, ids[slug])
    runs: dict[str, list[float]] = {slug: [] for slug in tenants}
    for _ in range(repeat + 3):  # Timing counts the runs after the first and two warm-ups
        for slug, tenant in tenants.items():
            with owner_connection():
                arm(tenant, ids[slug])
            elapsed, fired = sweep_all()
            assert fired == DUE, (slug, fired)
            runs[slug].append(elapsed)
            with owner_connection():
                disarm(tenant, ids[slug])
    return {slug: Timing(values) for slug, values in runs.items()}


def measure_inbox(slug: str, repeat: int) -> tuple[Timing, int, int]:
    from django.db import connection
    from django.test import Client

    from partnerhub.tenancy.models import User

    user = User.objects.get(email=f"p001-0@{slug}.example")
    client = Client()
    client.force_login(user)
    url = f"/t/{slug}/handoffs/"
    # Counted by a wrapper: the request's start resets Django's own query log.
    statements = []

    def count(execute, sql, *args):
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    rows = response.content.decode().count('id="handoff-')
    runs = []
    for _ in range(repeat + 3):
        started = time.perf_counter()
        client.get(url)
        runs.append((time.perf_counter() - started) * 1000)
    return Timing(runs), len(statements), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.handoffs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reset", action="store_true", help="generate the tenants again")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)

    from bench.boot import bootstrap

    bootstrap()
    from partnerhub.celery import app

    app.loader.import_default_modules()  # the tasks the sweep enqueues (its notification emails)
    from partnerhub.tenancy.models import Tenant
    from partnerhub.tenancy.rls import owner_connection

    with owner_connection():
        for slug, handoffs in TENANTS.items():
            generate(slug, handoffs, reset=args.reset)
    tenants = {slug: Tenant.objects.get(slug=slug) for slug in TENANTS}
    sweeps = measure_sweeps(tenants, args.repeat)
    big, small = (sweeps[slug].median for slug in TENANTS)
    inbox = {slug: measure_inbox(slug, args.repeat * 4) for slug in TENANTS}
    figures = {
        "sweep_of_1000_due_ms": {slug: timing.summary() for slug, timing in sweeps.items()},
        "sweep_ratio_1m_to_10k": round(big / small, 3),
        "inbox": {
            slug: {
                **timing.summary(),
                "queries": queries,
                "rows_shown": rows,
                "partner_handoffs": INBOX_PARTNER_HANDOFFS[slug],
            }
            for slug, (timing, queries, rows) in inbox.items()
        },
    }
    checks = {
        "sweep of 1,000 due under 2 s (both tenants)": all(t.median < 2000 for t in sweeps.values()),
        "sweep ratio 1M / 10k at most 1.2": big / small <= 1.2,
        "inbox of the 50,000-handoff partner under 200 ms": inbox["bench-handoffs-1m"][0].median < 200,
        "inbox query count the same at 50,000 and 100 handoffs": len({q for _, q, _ in inbox.values()}) == 1,
    }
    figures["checks"] = checks
    say("")
    say("Ladder sweep of 1,000 due handoffs (median of the runs after a warm-up)")
    for slug, timing in sweeps.items():
        say(
            f"  {slug:<20} {TENANTS[slug]:>10,} open   median {timing.median:8.1f} ms   "
            f"p95 {timing.p95:8.1f} ms"
        )
    say(f"  ratio 1M / 10k: {big / small:.2f}")
    say("Partner lead inbox (first page, whole stack)")
    for slug, (timing, queries, rows) in inbox.items():
        say(
            f"  {slug:<20} {INBOX_PARTNER_HANDOFFS[slug]:>10,} handoffs   median {timing.median:6.1f} ms   "
            f"p95 {timing.p95:6.1f} ms   {queries} queries   {rows} rows"
        )
    for check, passed in checks.items():
        say(f"  [{'ok' if passed else 'FAILED'}] {check}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
