"""The dashboards at scale: the rollup refresh and every reporting page (issue 11).

    python -m bench.reporting                     # generate the two tenants if missing, measure
    python -m bench.reporting --repeat 9 --json bench/results/reporting.json
    python -m bench.reporting --reset             # generate them again

Two tenants with the same 500 partners and two years of history, in the bench database:
`bench-reporting` (200,000 leads) and `bench-reporting-0-1` (a tenth of every bulk table). Per
scale 1: ~960 launched programs (plan, program, three checkpoints each, the due ones frozen met or
missed), 20,000 accounts, 50,000 opportunities (30 % with an approved deal registration, so
partner-sourced by the attribution rules; a partner maps half of the accounts), 200,000
leads (60 % through a program, stages new → opportunity), a handoff for 60 % of them (a tenth
breached, a twentieth silent), and MDF paid each quarter through the ledger (allocate, reserve,
claim approved, paid). The bulk rows are copies of one template row each, made by PostgreSQL
(`INSERT … SELECT` over `generate_series`); the few thousand others go through the ORM in bulk.

Measured, as the application role through the whole stack (Django's test client, production
settings, signed in as the tenant admin):
- the full rollup refresh (`rollups_refresh(tenant, full=True)`), then an incremental one after
  touching the 10 newest leads and the 5 newest opportunities;
- each dashboard page: reporting:executive, reporting:operational, reporting:scorecard, and where
  they resolve reporting:partner_review (a partner's QBR) and the tenancy home: the median of
  `--repeat` runs after a warm-up, and its query count.

Checks (exit status 1 when one fails): every page under 300 ms (median), and each page's query
count the same at both scales.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from bench.planning import Timing

TENANTS = {"bench-reporting": 1.0, "bench-reporting-0-1": 0.1}
PARTNERS = 500
FULL = {"accounts": 20_000, "opportunities": 50_000, "leads": 200_000, "programs_per_month": 40}
MONTHS = 24
PASSWORD = "partnerhub-demo"
LIMIT_MS = 300.0
RESULTS = Path(__file__).resolve().parent / "results"


def say(message: str) -> None:
    print(message, flush=True)


# --- generating -------------------------------------------------------------------------------


def _clone(cursor, model, template_id: int, source: str, overrides: dict[str, str], params: dict) -> int:
    """Copies of one template row, one per row of `source` (SQL after FROM, naming its rows `g`),
    with some columns computed: every NOT NULL column gets the template's value unless overridden,
    so the copy is as valid as the row the ORM wrote."""
    table = model._meta.db_table
    columns = [
        f.column
        for f in model._meta.concrete_fields
        if f.column != "id" and not getattr(f, "generated", False)
    ]
    values = [overrides.get(column, f"t.{column}") for column in columns]
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM {table} t, {source} WHERE t.id = %(template)s",
        {**params, "template": template_id},
    )
    return cursor.rowcount


def generate(slug: str, scale: float, *, reset: bool) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import AccountMapping, Opportunity, Program, TargetAccount
    from bench.generate import Generator, Size
    from leads.models import DealRegistration, Handoff, HandoffEscalation, Lead
    from mdf.models import Allocation, Fund
    from partnerhub.tenancy.context import tenant_context
    from partnerhub.tenancy.models import Partner, Tenant
    from partnerhub.tenancy.services import tenant_create
    from plays.models import ActivationPackage
    from plays.services import catalog_install

    existing = Tenant.objects.filter(slug=slug).first()
    if existing and not reset:
        say(f"Tenant {slug!r} exists: kept (--reset to generate it again).")
        return
    n = {key: max(1, round(value * scale)) for key, value in FULL.items()}
    say(
        f"Generating {slug!r}: {PARTNERS} partners, {n['leads']:,} leads, "
        f"{n['opportunities']:,} opportunities"
    )
    started = time.monotonic()
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.1111)")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        if existing:
            with tenant_context(existing):  # the database wall admits the tenant's own rows only
                Generator(slug=slug, scale=1, size=Size.at(1, PARTNERS)).delete_tenant(existing)
        tenant = tenant_create(
            actor=None, slug=slug, name=f"Bench reporting (scale {scale:g})", timezone="UTC"
        )
        with tenant_context(tenant):
            partners = Partner.objects.bulk_create(
                Partner(
                    tenant=tenant,
                    name=f"Bench partner {rank + 1:03d}",
                    tier="one_to_one" if rank < 25 else "one_to_few" if rank < 125 else "one_to_many",
                    status="active" if rank % 10 else "prospect",
                )
                for rank in range(PARTNERS)
            )
            _users(tenant, partners[0])
            plays = catalog_install(tenant=tenant)
            masters = {
                p.play_id: p for p in ActivationPackage.objects.filter(tenant=tenant, parent__isnull=True)
            }
            programs = _programs(tenant, partners, plays, masters, n["programs_per_month"], now)
            say(f"  programs: {len(programs):,} ({time.monotonic() - started:.0f} s)")
            params = {"tenant": tenant.id, "now": now, "months": MONTHS, "programs": [p.id for p in programs]}
            params["partners"] = [p.id for p in partners]
            with connection.cursor() as cursor:
                account = TargetAccount.objects.create(
                    tenant=tenant, name="Template", domain="template.example"
                )
                _clone(
                    cursor,
                    TargetAccount,
                    account.id,
                    "generate_series(1, %(count)s) g",
                    {
                        "name": "'Account ' || g",
                        "domain": "'account-' || g || '.example'",
                        "external_id": "'A-' || g",
                    },
                    {**params, "count": n["accounts"]},
                )
                opportunity = Opportunity.objects.create(
                    tenant=tenant, account=account, name="Template", amount=1000, currency="USD"
                )
                created = "%(now)s - random() * (%(months)s * interval '30 days')"
                _clone(
                    cursor,
                    Opportunity,
                    opportunity.id,
                    "generate_series(1, %(count)s) g",
                    {
                        "name": "'Opportunity ' || g",
                        "external_id": "'O-' || g",
                        "amount": "round((1000 + random() * 99000)::numeric, 2)",
                        "account_id": f"(SELECT min(id) FROM {TargetAccount._meta.db_table} "
                        "WHERE tenant_id = %(tenant)s) + (g %% %(accounts)s)",
                        "source_partner_id": "CASE WHEN random() < 0.3 THEN "
                        "(%(partners)s::bigint[])[1 + floor(power(random(), 2) * 500)::int] END",
                        "created_at": created,
                        "updated_at": "%(now)s - interval '1 day'",
                    },
                    {**params, "count": n["opportunities"], "accounts": n["accounts"]},
                )
                # Attribution's inputs: an approved deal registration sources 30 % of the
                # opportunities; a partner maps half of the accounts (it influences their deals).
                registration = DealRegistration.objects.create(
                    tenant=tenant,
                    partner=partners[0],
                    customer_name="Template",
                    customer_domain="template.example",
                    domain_key="example.template.",
                    solution="Bench",
                    amount=1000,
                    currency="USD",
                    close_date=now.date(),
                    state=DealRegistration.State.APPROVED,
                    decided_at=now,
                    protection_ends_at=now,
                )
                _clone(
                    cursor,
                    DealRegistration,
                    registration.id,
                    f"(SELECT o.id, o.created_at FROM {Opportunity._meta.db_table} o "
                    "WHERE o.tenant_id = %(tenant)s AND o.id <> %(template_opportunity)s "
                    "AND random() < 0.3) g",
                    {
                        "partner_id": "(%(partners)s::bigint[])[1 + floor(power(random(), 2) * 500)::int]",
                        "opportunity_id": "g.id",
                        "decided_at": "g.created_at - interval '1 day'",
                        "protection_ends_at": "g.created_at + interval '90 days'",
                        "created_at": "g.created_at - interval '2 days'",
                        "updated_at": "%(now)s - interval '1 day'",
                    },
                    {**params, "template_opportunity": opportunity.id},
                )
                DealRegistration.objects.filter(id=registration.id).delete()
                mapping = AccountMapping.objects.create(tenant=tenant, partner=partners[0], account=account)
                _clone(
                    cursor,
                    AccountMapping,
                    mapping.id,
                    f"(SELECT a.id FROM {TargetAccount._meta.db_table} a "
                    "WHERE a.tenant_id = %(tenant)s AND a.id <> %(template_account)s AND random() < 0.5) g",
                    {
                        "partner_id": "(%(partners)s::bigint[])[1 + floor(random() * 500)::int]",
                        "account_id": "g.id",
                        "created_at": "%(now)s - interval '800 days'",
                        "updated_at": "%(now)s - interval '800 days'",
                    },
                    {**params, "template_account": account.id},
                )
                lead = Lead.objects.create(tenant=tenant, email="template@lead.example")
                # A lead comes through a program launched in the ~90 days before it (programs are
                # evenly spaced over the two years, newest first), else through no program.
                days = 30 * MONTHS
                lead_program = (
                    "CASE WHEN random() < 0.6 THEN (%(programs)s::bigint[])[1 + least(%(last)s, "
                    "greatest(0, ceil(g.age * (%(last)s + 2) / %(days)s - 1)::int) "
                    "+ floor(random() * 120)::int)] END"
                )
                stages = "(ARRAY['new','new','nurture','mql','mql','sql','opportunity','disqualified'])"
                _clone(
                    cursor,
                    Lead,
                    lead.id,
                    f"(SELECT n, {stages}[1 + floor(random() * 8)::int] AS stage, random() * %(days)s AS age "
                    "FROM generate_series(1, %(count)s) n) g",
                    {
                        "email": "'lead' || g.n || '@company' || (g.n %% 5000) || '.example'",
                        "company_domain": "'company' || (g.n %% 5000) || '.example'",
                        "program_id": lead_program,
                        "stage": "g.stage",
                        "disqualified_reason": "CASE WHEN g.stage = 'disqualified' THEN 'Not a fit' "
                        "ELSE '' END",
                        "created_at": "%(now)s - g.age * interval '1 day'",
                        "updated_at": "%(now)s - interval '1 day'",
                    },
                    {**params, "count": n["leads"], "days": days, "last": len(programs) - 1},
                )
                Lead.objects.filter(id=lead.id).delete()
                handoff = Handoff.objects.create(
                    tenant=tenant,
                    lead=Lead.objects.order_by("id").first(),
                    partner=partners[0],
                    offered_at=now,
                )
                _clone(
                    cursor,
                    Handoff,
                    handoff.id,
                    f"(SELECT l.id, l.created_at, random() AS r, p.partner_id AS program_partner "
                    f"FROM {Lead._meta.db_table} l "
                    f"LEFT JOIN {Program._meta.db_table} p ON p.id = l.program_id "
                    "WHERE l.tenant_id = %(tenant)s AND l.id <> %(first)s AND random() < 0.6) g",
                    {
                        "lead_id": "g.id",
                        # Mostly to the partner of the lead's program; else anyone, skewed to the big ones.
                        "partner_id": "CASE WHEN g.program_partner IS NOT NULL AND random() < 0.8 "
                        "THEN g.program_partner "
                        "ELSE (%(partners)s::bigint[])[1 + floor(power(random(), 1.5) * 500)::int] END",
                        "state": "CASE WHEN g.r < 0.7 THEN 'accepted' WHEN g.r < 0.9 THEN 'rejected' "
                        "ELSE 'offered' END",
                        "reject_reason": "CASE WHEN g.r >= 0.7 AND g.r < 0.9 THEN 'not_a_fit' ELSE '' END",
                        "offered_at": "g.created_at + interval '2 hours'",
                        "accepted_at": "CASE WHEN g.r < 0.7 THEN g.created_at + interval '5 hours' END",
                        "silent_at": "CASE WHEN g.r < 0.05 THEN g.created_at + interval '10 days' END",
                        "deadline_at": "CASE WHEN g.r >= 0.9 THEN g.created_at + interval '1 day' END",
                        "next_due_at": "NULL",
                        "created_at": "g.created_at",
                        "updated_at": "%(now)s - interval '1 day'",
                    },
                    {**params, "first": handoff.lead_id},
                )
                cursor.execute(
                    f"""INSERT INTO {HandoffEscalation._meta.db_table}
                        (tenant_id, handoff_id, clock, step, at, created_at)
                    SELECT h.tenant_id, h.id, 'accept', 'breached', h.offered_at + interval '1 day',
                           h.offered_at + interval '1 day'
                    FROM {Handoff._meta.db_table} h WHERE h.tenant_id = %(tenant)s AND random() < 0.1""",
                    params,
                )
                say(f"  leads, handoffs, opportunities ({time.monotonic() - started:.0f} s)")
                _mdf(cursor, tenant, partners, now, Fund, Allocation)
    _analyze()
    say(f"  done in {time.monotonic() - started:.0f} s")


def _analyze() -> None:
    """Fresh statistics, as the owner (ANALYZE skips another role's tables): without them the
    planner takes the just-filled tables for empty (autovacuum would catch up minutes later)."""
    from django.db import connection

    from accounts.models import Checkpoint, Opportunity, OpportunityInfluence, Plan, Program, TargetAccount
    from leads.models import Handoff, HandoffEscalation, Lead
    from mdf.models import Allocation, LedgerEntry
    from partnerhub.tenancy.rls import owner_connection
    from reporting.models import Rollup

    models = [Lead, Handoff, HandoffEscalation, Opportunity, OpportunityInfluence, TargetAccount, Plan]
    models += [Checkpoint, Program, LedgerEntry, Allocation, Rollup]
    with owner_connection(), connection.cursor() as cursor:
        cursor.execute("; ".join(f'ANALYZE "{model._meta.db_table}"' for model in models))


def _users(tenant, first_partner) -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from partnerhub.tenancy.models import Membership, User
    from partnerhub.tenancy.roles import Role

    for email, role, partner in [
        ("admin@bench.example", Role.TENANT_ADMIN, None),
        ("partner@bench.example", Role.PARTNER_ADMIN, first_partner),
    ]:
        user, _ = User.objects.get_or_create(
            email=email,
            defaults={"full_name": email.split("@")[0].title(), "password": make_password(PASSWORD)},
        )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        Membership.objects.create(tenant=tenant, user=user, role=role, partner=partner)


def _programs(tenant, partners, plays, masters, per_month: int, now) -> list:
    """Launched plans and their programs, `per_month` a month for two years, with their three
    checkpoints: those due frozen, two in three met."""
    from accounts.models import Checkpoint, Plan, Program

    plans, programs, checkpoints = [], [], []
    count = per_month * MONTHS
    for i in range(count):
        launched = now - datetime.timedelta(days=30 * MONTHS * (i + 1) / (count + 1))
        partner = partners[(i * 7) % len(partners)]
        play = plays[i % len(plays)]
        quarter = (launched.month - 1) // 3 + 1
        plans.append(
            Plan(
                tenant=tenant,
                name=f"Bench plan {i + 1}",
                year=launched.year,
                quarter=quarter,
                status=Plan.Status.LAUNCHED,
                market_kind="vertical",
                market_value=f"bench-{i}",
                partner=partner,
                play=play,
                launched_at=launched,
            )
        )
    plans = Plan.objects.bulk_create(plans)
    for i, plan in enumerate(plans):
        programs.append(
            Program(
                tenant=tenant,
                plan=plan,
                play=plan.play,
                partner=plan.partner,
                package=masters[plan.play_id],
                package_label="Master r1",
                components={},
                tracking_code=f"BENCH-{i}",
                utm_source="partner",
                utm_medium="partner",
                utm_campaign=f"bench-{i}",
                utm_content="bench",
                status=Program.Status.RUNNING
                if plan.launched_at > now - datetime.timedelta(days=120)
                else "completed",
                launched_at=plan.launched_at,
            )
        )
        for day in (30, 60, 90):
            due = (plan.launched_at + datetime.timedelta(days=day)).date()
            frozen = due <= now.date()
            met = (i + day) % 3 != 0
            checkpoints.append(
                Checkpoint(
                    tenant=tenant,
                    plan=plan,
                    day=day,
                    due_on=due,
                    frozen_at=plan.launched_at + datetime.timedelta(days=day) if frozen else None,
                    snapshot={"version": 1, "day": day, "measures": [], "met": met} if frozen else None,
                )
            )
    Checkpoint.objects.bulk_create(checkpoints)
    return Program.objects.bulk_create(programs)


def _mdf(cursor, tenant, partners, now, Fund, Allocation) -> None:
    """One fund a quarter for eight quarters; 100 partners' allocations each, paid through the
    ledger in order (allocate, reserve, claim approved, paid), as the insert trigger requires."""
    for back in range(8):
        day = (now - datetime.timedelta(days=91 * back)).date()
        quarter = (day.month - 1) // 3 + 1
        fund = Fund.objects.create(
            tenant=tenant,
            name=f"MDF Q{quarter} {day.year}",
            year=day.year,
            quarter=quarter,
            amount=10_000_000,
        )
        allocations = Allocation.objects.bulk_create(
            Allocation(tenant=tenant, fund=fund, partner=p) for p in partners[:100]
        )
        cursor.execute(
            """
            INSERT INTO mdf_ledgerentry (
                tenant_id, fund_id, allocation_id, kind, amount, currency, actor_label, note, created_at,
                seq, fund_allocated, fund_reserved, fund_claimed, fund_paid, fund_expired, fund_available)
            SELECT a.tenant_id, a.fund_id, a.id, (ARRAY['allocate','reserve','claim_approved','paid'])[k],
                   (ARRAY[5000.00, 2000.00, 2000.00, 2000.00])[k], 'USD', 'Bench generator', '',
                   %(start)s + (a.id %% 80) * interval '1 day' + k * interval '1 hour',
                   0, 0, 0, 0, 0, 0, 0
            FROM mdf_allocation a CROSS JOIN generate_series(1, 4) AS k
            WHERE a.tenant_id = %(tenant)s AND a.id = ANY(%(ids)s)
            ORDER BY a.id, k
            """,
            {
                "tenant": tenant.id,
                "ids": [a.id for a in allocations],
                "start": datetime.datetime.combine(
                    datetime.date(day.year, quarter * 3 - 2, 1), datetime.time(), tzinfo=datetime.UTC
                ),
            },
        )


# --- measuring --------------------------------------------------------------------------------


def _pages(slug: str) -> dict[str, str]:
    from django.db.models import Count, F
    from django.db.models.functions import ExtractQuarter, ExtractYear
    from django.urls import NoReverseMatch, reverse

    from accounts.models import Checkpoint
    from mdf.selectors.funds import current_quarter
    from partnerhub.tenancy.context import tenant_context
    from partnerhub.tenancy.models import Partner, Tenant

    tenant = Tenant.objects.get(slug=slug)
    urls = {}
    names = ("reporting:executive", "reporting:operational", "reporting:scorecard", "tenancy:dashboard")
    for name in (*names, "reporting:attribution"):
        urls[name] = reverse(name, args=[slug])
    # The QBR of the partner and past quarter with the most checkpoints due in the quarter of their
    # plan: like for like at both scales (a review with no plan, or no checkpoint due, in its quarter
    # skips that part's statement).
    with tenant_context(tenant):
        now = current_quarter(tenant=tenant)
        busiest = (
            Checkpoint.objects.filter(plan__launched_at__isnull=False)
            .exclude(plan__year=now.year, plan__quarter=now.quarter)
            .annotate(due_year=ExtractYear("due_on"), due_quarter=ExtractQuarter("due_on"))
            .filter(due_year=F("plan__year"), due_quarter=F("plan__quarter"))
            .values("plan__partner", "plan__year", "plan__quarter")
            .annotate(due=Count("id"))
            .order_by("-due", "plan__partner", "-plan__year", "-plan__quarter")
            .first()
        )
        if busiest:
            partner = Partner.objects.get(id=busiest["plan__partner"])
            quarter = f"?quarter={busiest['plan__year']}-Q{busiest['plan__quarter']}"
        else:
            partner, quarter = Partner.objects.order_by("id").first(), ""
    for kwargs in ({"partner_id": partner.id}, {}):
        try:
            urls["reporting:partner_review"] = (
                reverse("reporting:partner_review", kwargs={"tenant_slug": slug, **kwargs}) + quarter
            )
            break
        except NoReverseMatch:
            continue
    return urls


def measure_page(url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client

    from partnerhub.tenancy.models import User

    client = Client()
    client.force_login(User.objects.get(email="admin@bench.example"))
    statements: list[str] = []

    def count(execute, sql, *args):
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    runs = []
    for _ in range(repeat + 3):
        started = time.perf_counter()
        client.get(url)
        runs.append((time.perf_counter() - started) * 1000)
    return {**Timing(runs).summary(), "queries": len(statements)}


def refresh(slug: str) -> dict:
    from django.utils import timezone

    from accounts.models import Opportunity
    from leads.models import Lead
    from partnerhub.tenancy.context import tenant_context
    from partnerhub.tenancy.models import Tenant
    from reporting.services.rollups import rollups_refresh

    tenant = Tenant.objects.get(slug=slug)
    _analyze()
    full = rollups_refresh(tenant, full=True)
    _analyze()  # as autovacuum would after a first fill of the rollups
    with tenant_context(tenant):
        # What changes between two scheduled runs: recent rows (a lead qualified, a deal resized).
        leads = list(Lead.objects.order_by("-created_at").values_list("id", flat=True)[:10])
        Lead.objects.filter(id__in=leads).update(stage="sql", updated_at=timezone.now())
        opportunities = list(Opportunity.objects.order_by("-created_at").values_list("id", flat=True)[:5])
        Opportunity.objects.filter(id__in=opportunities).update(amount=5000, updated_at=timezone.now())
    incremental = rollups_refresh(tenant)
    return {
        "full_s": round(full.seconds, 2),
        "full_rows": full.rows,
        "full_periods": full.months + full.weeks,
        "incremental_s": round(incremental.seconds, 2),
        "incremental_periods": incremental.months + incremental.weeks,
        "incremental_rows": incremental.rows,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from bench.boot import bootstrap

    bootstrap()
    for slug, scale in TENANTS.items():
        generate(slug, scale, reset=args.reset)
    results: dict = {"limit_ms": LIMIT_MS, "tenants": {}}
    for slug in TENANTS:
        say(f"Refreshing and measuring {slug!r}")
        entry = {"refresh": refresh(slug), "pages": {}}
        for name, url in _pages(slug).items():
            entry["pages"][name] = measure_page(url, args.repeat)
        results["tenants"][slug] = entry

    big, small = (results["tenants"][slug] for slug in TENANTS)
    failures = []
    say("")
    say(
        f"{'page':<28} {'median ms (1)':>14} {'queries (1)':>12} "
        f"{'median ms (0.1)':>16} {'queries (0.1)':>14}"
    )
    for name, figures in big["pages"].items():
        other = small["pages"].get(name, {})
        say(
            f"{name:<28} {figures['median_ms']:>14.1f} {figures['queries']:>12} "
            f"{other.get('median_ms', float('nan')):>16.1f} {other.get('queries', '-'):>14}"
        )
        big_slug, small_slug = TENANTS
        for slug, row in ((big_slug, figures), (small_slug, other)):
            if row and row["median_ms"] > LIMIT_MS:
                failures.append(f"{name} in {slug}: {row['median_ms']:.0f} ms > {LIMIT_MS:.0f} ms")
        if other and other["queries"] != figures["queries"]:
            failures.append(f"{name}: {figures['queries']} queries at scale 1, {other['queries']} at 0.1")
    for slug in TENANTS:
        r = results["tenants"][slug]["refresh"]
        say(
            f"refresh {slug}: full {r['full_s']} s ({r['full_rows']:,} rows, {r['full_periods']} periods); "
            f"incremental {r['incremental_s']} s ({r['incremental_periods']} periods, "
            f"{r['incremental_rows']:,} rows)"
        )
    results["failures"] = failures
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    for failure in failures:
        say(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
