"""Generate a tenant at scale in the benchmark database.

    python -m bench.generate                 # tenant `bench`: 500 partners, 50,000 accounts,
                                             # 1,000,000 account mappings, 200,000 opportunities
    python -m bench.generate --scale 0.1     # tenant `bench-0-1`: a tenth of the accounts,
                                             # mappings and opportunities, the same 500 partners
    python -m bench.generate --reset         # drop the tenant first and generate it again

An existing, complete tenant is left alone (the run says so and exits), so `make bench` can call
this every time. Everything is written in one transaction: a run that fails leaves nothing behind.

The bulk tables are filled inside PostgreSQL with INSERT … SELECT over generate_series; only the
few hundred rows that need Python-side choices (partners, users, plays, MDF, the plan) go through
the ORM, in bulk. Random choices are seeded, so two runs produce the same data.

What is generated (counts at --scale 1):
- 500 partners: tiers 5 % one-to-one, 20 % one-to-few, the rest one-to-many; 85 % active,
  8 % prospect, 7 % inactive; 1 to 3 verticals, 1 to 3 regions, 0 to 4 certifications each.
- 50,000 target accounts with unique domains and CRM ids, spread over industries, regions,
  segments; their stage follows their opportunities (open / stalled / existing customer),
  otherwise a hand-set stage.
- 1,000,000 account mappings, unique per (partner, account), Zipf-skewed: the five best-connected
  partners know 70 % of the accounts each, the median partner about 1.5 %, the smallest 0.7 %;
  every account is known by 20 partners on average.
- 200,000 opportunities (skewed towards some accounts; 30 % partner-sourced, 10 % with an
  influencing partner) and about 345,000 stage-change history rows leading to their stages.
- MDF fund allocations for this quarter (and the last) for most active partners.
- Staff users (shared by all bench tenants) with memberships: admin, partner manager, sales,
  revops, and a partner admin of the best-connected partner. Password: partnerhub-demo.
- The four plays, and one draft plan for this quarter with the market set (vertical:
  healthcare) and exactly 20 named accounts of that vertical: ready for step 3 (partner).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from dataclasses import dataclass

PASSWORD = "partnerhub-demo"
SEED = 20261121
PLAN_ACCOUNTS = 20
PLAN_MARKET = ("vertical", "healthcare")
FULL = {"partners": 500, "accounts": 50_000, "mappings": 1_000_000, "opportunities": 200_000}

CERTIFICATIONS = [
    "Cloud Architect",
    "Security Specialist",
    "Data Platform",
    "Analytics",
    "AI & Machine Learning",
    "Networking",
    "Migration Specialist",
    "Healthcare Compliance",
    "Financial Services Compliance",
    "Managed Services",
    "DevOps",
    "SAP on Cloud",
]
NAME_WORDS = [
    "Blue", "Harbor", "Summit", "Northern", "Silver", "Granite", "Cedar", "Pioneer", "Atlas",
    "Beacon", "Crescent", "Evergreen", "Falcon", "Horizon", "Ironwood", "Juniper", "Keystone",
    "Lakeside", "Meridian", "Oakridge", "Pinnacle", "Quarry", "Redwood", "Sterling", "Tidewater",
    "Union", "Vanguard", "Westbrook", "Yellowstone", "Zenith",
]  # fmt: skip
NAME_SUFFIXES = [
    "Health", "Systems", "Bank", "Retail", "Logistics", "Energy", "Media", "Labs", "Foods",
    "Insurance", "Motors", "Pharma", "Telecom", "Capital", "Industries", "Hotels", "University",
    "Airlines", "Partners", "Group",
]  # fmt: skip
PARTNER_WORDS = [
    "Consulting", "Cloud Services", "Systems", "Integration", "Analytics", "Digital", "Solutions",
    "Technologies", "Advisory", "Networks",
]  # fmt: skip


@dataclass(frozen=True)
class Size:
    partners: int
    accounts: int
    mappings: int
    opportunities: int

    @classmethod
    def at(cls, scale: float, partners: int) -> Size:
        def scaled(n: int) -> int:
            return max(1, round(n * scale))

        return cls(
            partners=partners,
            accounts=max(PLAN_ACCOUNTS * 20, scaled(FULL["accounts"])),
            mappings=scaled(FULL["mappings"]),
            opportunities=scaled(FULL["opportunities"]),
        )


def default_slug(scale: float) -> str:
    return "bench" if scale == 1 else "bench-" + f"{scale:g}".replace(".", "-")


def mapping_sizes(size: Size, rng: random.Random) -> list[int]:
    """How many accounts each partner (by rank) knows: Zipf (1/rank), capped at 70 % of the
    accounts, at least 0.2 %, summing to exactly `size.mappings`."""
    n_accounts, total = size.accounts, size.mappings
    cap, floor = int(n_accounts * 0.7), max(1, int(n_accounts * 0.002))
    if total > cap * size.partners:
        raise SystemExit(f"{total} mappings do not fit {size.partners} partners of {cap} accounts")
    weights = [1 / (rank + 1) for rank in range(size.partners)]
    low, high = 0.0, float(total)
    for _ in range(200):  # bisect the Zipf constant so the sizes sum to the total
        constant = (low + high) / 2
        if sum(min(cap, max(floor, constant * w)) for w in weights) < total:
            low = constant
        else:
            high = constant
    sizes = [int(min(cap, max(floor, high * w))) for w in weights]
    rank = 0
    while sum(sizes) != total:  # hand out the rounding difference one by one
        step = 1 if sum(sizes) < total else -1
        if floor <= sizes[rank] + step <= cap:
            sizes[rank] += step
        rank = (rank + 1) % size.partners
    return sizes


def coprime_multiplier(n: int, rng: random.Random) -> int:
    """A multiplier a with gcd(a, n) = 1: k ↦ (a·k + b) mod n visits n distinct accounts."""
    while True:
        a = rng.randrange(1, n)
        if math.gcd(a, n) == 1:
            return a


class Generator:
    def __init__(self, *, slug: str, scale: float, size: Size, mapping_order: str = "random", out=sys.stdout):
        self.slug, self.scale, self.size, self.out = slug, scale, size, out
        self.mapping_order = mapping_order
        self.rng = random.Random(SEED)
        self.timings: list[tuple[str, float]] = []

    def say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def step(self, label: str, func, *args):
        started = time.monotonic()
        result = func(*args)
        self.record(label, time.monotonic() - started)
        return result

    def record(self, label: str, elapsed: float) -> None:
        self.timings.append((label, elapsed))
        self.say(f"  {label:<38} {elapsed:7.1f} s")

    # --- orchestration ------------------------------------------------------------------------

    def run(self, *, reset: bool) -> bool:
        """Generate the tenant; False if it already existed (and reset was not asked)."""
        from django.db import connection, transaction

        from partnerhub.tenancy.context import tenant_context
        from partnerhub.tenancy.models import Tenant

        existing = Tenant.objects.filter(slug=self.slug).first()
        if existing and not reset:
            self.say(
                f"Tenant {self.slug!r} exists in {connection.settings_dict['NAME']}: kept (--reset to redo)."
            )
            return False
        size = self.size
        self.say(
            f"Generating tenant {self.slug!r} in database {connection.settings_dict['NAME']}: "
            f"{size.partners:,} partners, {size.accounts:,} accounts, {size.mappings:,} mappings, "
            f"{size.opportunities:,} opportunities"
        )
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Deterministic random() in the INSERT … SELECTs; more memory for sorts and indexes.
                cursor.execute("SELECT setseed(%s)", [0.4242])
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            if existing:
                self.step("delete the previous tenant", self.delete_tenant, existing)
            tenant = self.step("tenant and users", self.create_tenant)
            with tenant_context(tenant):
                partner_ids = self.step("partners", self.create_partners, tenant)
                self.step("memberships", self.create_memberships, tenant, partner_ids)
                self.step("target accounts", self.create_accounts, tenant)
                self.step("account mappings", self.create_mappings, tenant, partner_ids)
                self.step("opportunities", self.create_opportunities, tenant)
                self.step("stage history, influences", self.create_history, tenant)
                self.step("account stages from opportunities", self.refresh_account_stages, tenant)
                self.step("MDF allocations", self.create_allocations, tenant, partner_ids)
                self.step("plays and the 20-account plan", self.create_plan, tenant)
            commit_started = time.monotonic()
        self.record("commit (deferred foreign-key checks)", time.monotonic() - commit_started)
        self.step("VACUUM ANALYZE", self.vacuum_analyze)
        self.say(f"Done in {time.monotonic() - started:.1f} s.")
        self.report_counts()
        return True

    def delete(self, slug: str) -> bool:
        from django.db import transaction

        from partnerhub.tenancy.models import Tenant

        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            self.say(f"No tenant {slug!r}.")
            return False
        with transaction.atomic():
            self.step(f"delete tenant {slug!r}", self.delete_tenant, tenant)
        self.step("VACUUM ANALYZE", self.vacuum_analyze)
        return True

    # --- steps --------------------------------------------------------------------------------

    def delete_tenant(self, tenant) -> None:
        """Every row of the tenant, table by table in SQL (the ORM's cascade would load a million
        rows into Python). Foreign keys are deferred to the commit, so the order does not matter."""
        from django.apps import apps
        from django.db import connection

        from partnerhub.tenancy.models import Tenant

        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in apps.get_models(include_auto_created=True):
                fields = {f.name: f for f in model._meta.concrete_fields}
                tenant_field = fields.get("tenant")
                if tenant_field is not None and tenant_field.related_model is Tenant:
                    cursor.execute(
                        f'DELETE FROM "{model._meta.db_table}" WHERE "{tenant_field.column}" = %s',
                        [tenant.id],
                    )
                elif model._meta.auto_created:  # an implicit many-to-many table between tenant rows
                    for field in model._meta.concrete_fields:
                        target = field.related_model
                        if target is not None and "tenant" in {f.name for f in target._meta.concrete_fields}:
                            cursor.execute(
                                f'DELETE FROM "{model._meta.db_table}" WHERE "{field.column}" IN '
                                f'(SELECT id FROM "{target._meta.db_table}" WHERE tenant_id = %s)',
                                [tenant.id],
                            )
            cursor.execute(f'DELETE FROM "{Tenant._meta.db_table}" WHERE id = %s', [tenant.id])

    def create_tenant(self):
        from allauth.account.models import EmailAddress
        from django.contrib.auth.hashers import make_password

        from partnerhub.tenancy.models import User
        from partnerhub.tenancy.services import tenant_create

        label = "" if self.scale == 1 else f" (scale {self.scale:g})"
        tenant = tenant_create(actor=None, slug=self.slug, name=f"Bench Corp{label}", timezone="UTC")
        password = make_password(PASSWORD)  # hashed once for all the users
        self.users = {}
        for key, email, name in [
            ("admin", "admin@bench.example", "Bench Admin"),
            ("pm", "pm@bench.example", "Bench Partnermanager"),
            ("sales1", "sales1@bench.example", "Bench Sales One"),
            ("sales2", "sales2@bench.example", "Bench Sales Two"),
            ("sales3", "sales3@bench.example", "Bench Sales Three"),
            ("revops", "revops@bench.example", "Bench Revops"),
            ("partner", "partner@bench.example", "Bench Partner Admin"),
        ]:
            user, _ = User.objects.get_or_create(
                email=email, defaults={"full_name": name, "password": password}
            )
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            self.users[key] = user
        return tenant

    def create_partners(self, tenant) -> list[int]:
        """Partner ids by rank: rank 0 knows the most accounts. Tier follows the rank."""
        from partnerhub.tenancy.models import Partner
        from partnerhub.tenancy.taxonomy import Region, Vertical

        rng, count = self.rng, self.size.partners
        verticals, regions = list(Vertical.values), list(Region.values)
        automation_odds = {
            Partner.Tier.ONE_TO_ONE: 0.8,
            Partner.Tier.ONE_TO_FEW: 0.8,
            Partner.Tier.ONE_TO_MANY: 0.3,
        }
        partners = []
        for rank in range(count):
            tier = (
                Partner.Tier.ONE_TO_ONE
                if rank < max(1, count // 20)
                else Partner.Tier.ONE_TO_FEW
                if rank < count // 4
                else Partner.Tier.ONE_TO_MANY
            )
            status = rng.choices(
                [Partner.Status.ACTIVE, Partner.Status.PROSPECT, Partner.Status.INACTIVE], [85, 8, 7]
            )[0]
            if rank < 10:  # the best-connected partners are established ones
                status = Partner.Status.ACTIVE
            name = f"{rng.choice(NAME_WORDS)} {rng.choice(PARTNER_WORDS)} {rank + 1:04d}"
            partners.append(
                Partner(
                    tenant=tenant,
                    name=name,
                    website=f"https://partner-{rank + 1:04d}.example",
                    tier=tier,
                    status=status,
                    verticals=rng.sample(verticals, rng.choices([1, 2, 3], [50, 35, 15])[0]),
                    regions=rng.sample(regions, rng.choices([1, 2, 3], [55, 30, 15])[0]),
                    certifications=rng.sample(
                        CERTIFICATIONS, rng.choices([0, 1, 2, 3, 4], [25, 30, 25, 12, 8])[0]
                    ),
                    has_marketing_automation=rng.random() < automation_odds[tier],
                    account_manager=self.users["pm"] if rank < count // 4 else None,
                )
            )
        return [p.id for p in Partner.objects.bulk_create(partners, batch_size=1000)]

    def create_memberships(self, tenant, partner_ids: list[int]) -> None:
        from partnerhub.tenancy.models import Membership
        from partnerhub.tenancy.roles import Role

        roles = {
            "admin": Role.TENANT_ADMIN,
            "pm": Role.PARTNER_MANAGER,
            "sales1": Role.SALES,
            "sales2": Role.SALES,
            "sales3": Role.SALES,
            "revops": Role.REVOPS,
            "partner": Role.PARTNER_ADMIN,
        }
        Membership.objects.bulk_create(
            Membership(
                tenant=tenant,
                user=self.users[key],
                role=role,
                partner_id=partner_ids[0] if role == Role.PARTNER_ADMIN else None,
            )
            for key, role in roles.items()
        )

    def create_accounts(self, tenant) -> None:
        from accounts.models import AccountStage, TargetAccount
        from partnerhub.tenancy.taxonomy import Region, Vertical

        sales = [self.users[k].id for k in ("sales1", "sales2", "sales3")]
        self.sql(
            f"""
            INSERT INTO {TargetAccount._meta.db_table}
                (tenant_id, name, domain, industry, region, segment, stage, manual_stage,
                 senior_buyers_engaged, owner_id, external_id, created_at, updated_at)
            SELECT %(tenant)s,
                   w1 || ' ' || w2 || ' ' || lpad(g::text, 6, '0'),
                   lower(w1 || w2) || '-' || g || '.example.com',
                   (%(verticals)s::text[])[1 + floor(power(r_ind, 1.3) * %(n_verticals)s)::int],
                   (%(regions)s::text[])[1 + floor(power(r_reg, 1.5) * %(n_regions)s)::int],
                   CASE WHEN r_seg < 0.15 THEN 'enterprise' WHEN r_seg < 0.45 THEN 'mid_market'
                        WHEN r_seg < 0.90 THEN 'smb' ELSE 'public' END,
                   stage, stage,
                   random() < 0.15,
                   CASE WHEN r_own < 0.8 THEN (%(sales)s::bigint[])[1 + floor(r_own * 10)::int %% 3] END,
                   'CRM-A-' || lpad(g::text, 7, '0'),
                   created, created
            FROM (
                SELECT g,
                       (%(words)s::text[])[1 + floor(random() * %(n_words)s)::int] AS w1,
                       (%(suffixes)s::text[])[1 + floor(random() * %(n_suffixes)s)::int] AS w2,
                       random() AS r_ind, random() AS r_reg, random() AS r_seg, random() AS r_own,
                       (ARRAY[%(net_new)s, %(net_new)s, %(net_new)s, %(net_new)s, %(net_new)s,
                              %(net_new)s, %(net_new)s, %(existing)s, %(existing)s, %(stalled)s,
                              %(open)s])[1 + floor(random() * 11)::int] AS stage,
                       now() - random() * interval '3 years' AS created
                FROM generate_series(1, %(count)s) AS g
            ) AS s
            """,
            tenant=tenant.id,
            count=self.size.accounts,
            verticals=list(Vertical.values),
            n_verticals=len(Vertical.values),
            regions=list(Region.values),
            n_regions=len(Region.values),
            sales=sales,
            words=NAME_WORDS,
            n_words=len(NAME_WORDS),
            suffixes=NAME_SUFFIXES,
            n_suffixes=len(NAME_SUFFIXES),
            net_new=AccountStage.NET_NEW,
            existing=AccountStage.EXISTING_CUSTOMER,
            stalled=AccountStage.STALLED_OPPORTUNITY,
            open=AccountStage.OPEN_OPPORTUNITY,
        )
        self.analyze_tables(TargetAccount)
        # Position → id of every account, for the generators below (ids need not be contiguous).
        self.sql(
            f"""
            CREATE TEMP TABLE bench_account (idx int PRIMARY KEY, id bigint NOT NULL) ON COMMIT DROP;
            INSERT INTO bench_account
            SELECT row_number() OVER (ORDER BY id) - 1, id
            FROM {TargetAccount._meta.db_table} WHERE tenant_id = %(tenant)s;
            ANALYZE bench_account;
            """,
            tenant=tenant.id,
        )

    def create_mappings(self, tenant, partner_ids: list[int]) -> None:
        """Partner of rank r knows sizes[r] distinct accounts: positions (a·k + b) mod N for
        k < sizes[r], a permutation of the accounts since gcd(a, N) = 1.

        Rows are written in random order by default, as they arrive over time from staff, the
        API and uploads of many partners; `--mapping-order partner` writes them partner by
        partner. The order matters to the planner: partner by partner, partner_id correlates
        with the heap order (0.999), a scan of the single-column partner_id index looks cheap,
        and lookups of one partner's mapped accounts may be planned on it (see bench/README.md)."""
        from accounts.models import AccountMapping

        n_accounts = self.size.accounts
        rows = [
            (rank, partner_id, size, coprime_multiplier(n_accounts, self.rng), self.rng.randrange(n_accounts))
            for rank, (partner_id, size) in enumerate(
                zip(partner_ids, mapping_sizes(self.size, self.rng), strict=True)
            )
        ]
        self.sql(
            """
            CREATE TEMP TABLE bench_partner (
                rank int PRIMARY KEY, id bigint NOT NULL, n int NOT NULL, a bigint NOT NULL, b bigint NOT NULL
            ) ON COMMIT DROP
            """
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO bench_partner VALUES (%s, %s, %s, %s, %s)", rows)
        self.sql(
            f"""
            ANALYZE bench_partner;
            INSERT INTO {AccountMapping._meta.db_table}
                (tenant_id, partner_id, account_id, relationship, source, notes, created_at, updated_at)
            SELECT %(tenant)s, p.id, a.id,
                   CASE WHEN r_rel < 0.3 THEN 'customer' WHEN r_rel < 0.5 THEN 'active_project'
                        ELSE 'relationship' END,
                   CASE WHEN r_src < 0.5 THEN 'staff' WHEN r_src < 0.9 THEN 'partner_upload' ELSE 'api' END,
                   '', created, created
            FROM (
                SELECT p.id, (k * p.a + p.b) %% %(n_accounts)s AS idx,
                       random() AS r_rel, random() AS r_src, random() AS r_order,
                       now() - random() * interval '2 years' AS created
                FROM bench_partner AS p CROSS JOIN LATERAL generate_series(0, p.n - 1) AS k
            ) AS p
            JOIN bench_account AS a ON a.idx = p.idx
            ORDER BY {"p.id, a.id" if self.mapping_order == "partner" else "r_order"}
            """,
            tenant=tenant.id,
            n_accounts=n_accounts,
        )
        self.analyze_tables(AccountMapping)

    def create_opportunities(self, tenant) -> None:
        from accounts.models import Opportunity

        n_partners = self.size.partners
        self.sql(
            f"""
            INSERT INTO {Opportunity._meta.db_table}
                (tenant_id, account_id, name, stage, amount, currency, close_date, external_id,
                 source_partner_id, stage_changed_at, created_at, updated_at)
            SELECT %(tenant)s, a.id,
                   (ARRAY['Platform', 'Migration', 'Expansion', 'Renewal', 'Analytics', 'Security',
                          'Pilot'])[1 + floor(r_name * 7)::int] || ' ' || lpad(g::text, 7, '0'),
                   stage,
                   round((5000 + power(r_amt, 3) * 495000)::numeric, 2),
                   CASE WHEN r_cur < 0.8 THEN 'USD' WHEN r_cur < 0.92 THEN 'EUR' ELSE 'GBP' END,
                   CASE WHEN stage IN ('closed_won', 'closed_lost') THEN changed::date
                        ELSE (changed + (30 + r_close * 150) * interval '1 day')::date END,
                   'CRM-O-' || lpad(g::text, 8, '0'),
                   sp.id, changed, changed - r_age * interval '200 days', changed
            FROM (
                SELECT g,
                       floor(power(random(), 2.5) * %(n_accounts)s)::int AS account_idx,
                       CASE WHEN r < 0.10 THEN 'prospecting' WHEN r < 0.18 THEN 'qualification'
                            WHEN r < 0.25 THEN 'proposal' WHEN r < 0.30 THEN 'negotiation'
                            WHEN r < 0.65 THEN 'closed_won' ELSE 'closed_lost' END AS stage,
                       -- open deals moved recently or stalled (over 60 days); closed ones within a year
                       now() - (CASE WHEN r < 0.30 THEN power(random(), 2) * 150 ELSE random() * 365 END)
                             * interval '1 day' AS changed,
                       CASE WHEN random() < 0.3 THEN floor(power(random(), 2) * %(n_partners)s)::int END
                           AS partner_rank,
                       random() AS r_name, random() AS r_amt, random() AS r_cur, random() AS r_close,
                       random() AS r_age
                FROM (SELECT g, random() AS r FROM generate_series(1, %(count)s) AS g) AS raw
            ) AS s
            JOIN bench_account AS a ON a.idx = s.account_idx
            LEFT JOIN bench_partner AS sp ON sp.rank = s.partner_rank
            """,
            tenant=tenant.id,
            count=self.size.opportunities,
            n_accounts=self.size.accounts,
            n_partners=n_partners,
        )
        self.analyze_tables(Opportunity)

    def create_history(self, tenant) -> None:
        """The last one or two stage changes leading to each opportunity's stage, two weeks
        apart; one influencing partner on 10 % of the opportunities."""
        from accounts.models import Opportunity, OpportunityInfluence, OpportunityStageChange

        self.sql(
            f"""
            INSERT INTO {OpportunityStageChange._meta.db_table}
                (tenant_id, opportunity_id, from_stage, to_stage, changed_at)
            SELECT %(tenant)s, o.id,
                   (ARRAY['prospecting', 'qualification', 'proposal', 'negotiation'])[step],
                   CASE WHEN step = o.pos THEN o.stage
                        ELSE (ARRAY['prospecting', 'qualification', 'proposal', 'negotiation'])[step + 1] END,
                   o.stage_changed_at - (o.pos - step) * interval '14 days'
            FROM (
                SELECT id, stage, stage_changed_at,
                       CASE stage WHEN 'prospecting' THEN 0 WHEN 'qualification' THEN 1
                                  WHEN 'proposal' THEN 2 WHEN 'negotiation' THEN 3 ELSE 4 END AS pos
                FROM {Opportunity._meta.db_table} WHERE tenant_id = %(tenant)s
            ) AS o
            CROSS JOIN LATERAL generate_series(greatest(1, o.pos - 1), o.pos) AS step
            WHERE o.pos > 0;

            INSERT INTO {OpportunityInfluence._meta.db_table} (tenant_id, opportunity_id, partner_id)
            SELECT %(tenant)s, o.id, p.id
            FROM (
                SELECT id, floor(power(random(), 2) * %(n_partners)s)::int AS partner_rank, random() AS r
                FROM {Opportunity._meta.db_table} WHERE tenant_id = %(tenant)s
            ) AS o
            JOIN bench_partner AS p ON p.rank = o.partner_rank
            WHERE o.r < 0.1
            """,
            tenant=tenant.id,
            n_partners=self.size.partners,
        )
        self.analyze_tables(OpportunityStageChange, OpportunityInfluence)

    def refresh_account_stages(self, tenant) -> None:
        """An account with opportunities takes its stage from them: an open one moved within
        STALLED_AFTER_DAYS → open, an older open one → stalled, a won one → existing customer."""
        from accounts.models import OPEN_OPPORTUNITY_STAGES, STALLED_AFTER_DAYS, Opportunity, TargetAccount

        self.sql(
            f"""
            UPDATE {TargetAccount._meta.db_table} AS a
            SET stage = CASE WHEN o.fresh_open THEN 'open_opportunity'
                             WHEN o.any_open THEN 'stalled_opportunity'
                             WHEN o.won THEN 'existing_customer'
                             ELSE a.manual_stage END
            FROM (
                SELECT account_id,
                       bool_or(stage = ANY(%(open)s)
                               AND stage_changed_at >= now() - %(stalled)s * interval '1 day') AS fresh_open,
                       bool_or(stage = ANY(%(open)s)) AS any_open,
                       bool_or(stage = 'closed_won') AS won
                FROM {Opportunity._meta.db_table} WHERE tenant_id = %(tenant)s
                GROUP BY account_id
            ) AS o
            WHERE a.id = o.account_id AND a.tenant_id = %(tenant)s
            """,
            tenant=tenant.id,
            open=list(OPEN_OPPORTUNITY_STAGES),
            stalled=STALLED_AFTER_DAYS,
        )

    def create_allocations(self, tenant, partner_ids: list[int]) -> None:
        """A fund for each of the last two quarters, allocated to most active partners: bulk
        inserts, the ledger's trigger computing each entry's running totals as the service's would."""
        from decimal import Decimal

        from mdf.models import Allocation, EntryKind, LedgerEntry
        from mdf.services import fund_create
        from partnerhub.tenancy.models import Partner

        year, quarter = current_quarter()
        previous = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        active = set(
            Partner.objects.filter(tenant=tenant, status=Partner.Status.ACTIVE).values_list("id", flat=True)
        )
        amounts: dict[tuple[int, int], dict[int, Decimal]] = {previous: {}, (year, quarter): {}}
        for rank, partner_id in enumerate(partner_ids):
            if partner_id not in active or self.rng.random() > 0.7:
                continue
            base = 250_000 if rank < 25 else 60_000 if rank < 125 else 15_000
            for period in amounts:
                amount = Decimal(round(base * (0.4 + self.rng.random()), -2)).quantize(Decimal("0.01"))
                amounts[period][partner_id] = amount
        for (y, q), by_partner in amounts.items():
            fund = fund_create(
                tenant=tenant,
                actor=None,
                name="Partner marketing",
                year=y,
                quarter=q,
                amount=sum(by_partner.values()),
            )
            allocations = Allocation.objects.bulk_create(
                [Allocation(tenant=tenant, fund=fund, partner_id=partner_id) for partner_id in by_partner],
                batch_size=1000,
            )
            LedgerEntry.objects.bulk_create(
                [
                    LedgerEntry(
                        tenant=tenant,
                        fund=fund,
                        allocation=allocation,
                        kind=EntryKind.ALLOCATE,
                        amount=by_partner[allocation.partner_id],
                        currency=fund.currency,
                        actor_label="bench",
                    )
                    for allocation in allocations
                ],
                batch_size=1000,
            )

    def create_plan(self, tenant) -> None:
        from django.db.models import TextField
        from django.db.models.functions import MD5, Cast

        from accounts.models import Plan, PlanAccount, TargetAccount

        year, quarter = current_quarter()
        kind, value = PLAN_MARKET
        pm = self.users["pm"]
        plan = Plan.objects.create(
            tenant=tenant,
            name=f"Bench: {value.replace('_', ' ')} accounts, Q{quarter} {year}",
            year=year,
            quarter=quarter,
            market_kind=kind,
            market_value=value,
            created_by=pm,
            owner_partner_marketing=pm,
            owner_sales=self.users["sales1"],
            owner_revops=self.users["revops"],
        )
        # Twenty accounts of the market, spread over the tenant (a stable pseudo-random pick).
        accounts = list(
            TargetAccount.objects.filter(tenant=tenant, industry=value)
            .order_by(MD5(Cast("id", TextField())))
            .values_list("id", flat=True)[:PLAN_ACCOUNTS]
        )
        if len(accounts) != PLAN_ACCOUNTS:
            raise RuntimeError(f"Only {len(accounts)} {value} accounts: raise --scale.")
        PlanAccount.objects.bulk_create(PlanAccount(tenant=tenant, plan=plan, account_id=a) for a in accounts)

    def vacuum_analyze(self) -> None:
        """Statistics for the planner, and a settled table as production has: dead rows of a
        deleted tenant reclaimed, the visibility map set (index-only scans)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    # --- helpers ------------------------------------------------------------------------------

    def analyze_tables(self, *models) -> None:
        """Fresh statistics inside the transaction: without them the planner takes the just-filled
        tables for empty and joins them with nested loops over tens of thousands of rows."""
        self.sql("; ".join(f'ANALYZE "{model._meta.db_table}"' for model in models))

    def sql(self, statement: str, **params) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(statement, params or None)

    def report_counts(self) -> None:
        for label, count in tenant_counts(self.slug).items():
            self.say(f"  {label:<28} {count:>12,}")


def current_quarter() -> tuple[int, int]:
    from django.utils import timezone

    from accounts.models import quarter_of

    return quarter_of(timezone.localdate())


def tenant_counts(slug: str) -> dict[str, int]:
    """Rows of the tenant per table, as the benchmark report prints them."""
    from accounts.models import (
        AccountMapping,
        Opportunity,
        OpportunityInfluence,
        OpportunityStageChange,
        Plan,
        PlanAccount,
        TargetAccount,
    )
    from mdf.models import FundAllocation
    from partnerhub.tenancy.models import Membership, Partner, Tenant

    tenant = Tenant.objects.get(slug=slug)
    models = [
        ("partners", Partner),
        ("memberships", Membership),
        ("target accounts", TargetAccount),
        ("account mappings", AccountMapping),
        ("opportunities", Opportunity),
        ("stage changes", OpportunityStageChange),
        ("opportunity influences", OpportunityInfluence),
        ("fund allocations", FundAllocation),
        ("plans", Plan),
        ("plan accounts", PlanAccount),
    ]
    return {label: model.unscoped.filter(tenant=tenant).count() for label, model in models}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="fraction of the accounts, mappings and opportunities of the full tenant (default 1)",
    )
    parser.add_argument(
        "--partners", type=int, default=FULL["partners"], help="partners (default 500, any scale)"
    )
    parser.add_argument("--slug", help="tenant slug (default: bench, or bench-0-1 for --scale 0.1)")
    parser.add_argument("--reset", action="store_true", help="delete the tenant first if it exists")
    parser.add_argument("--delete", action="store_true", help="only delete the tenant")
    parser.add_argument(
        "--mapping-order",
        choices=["random", "partner"],
        default="random",
        help="physical order of the account mappings: random (default, rows of many sources "
        "interleaved) or partner (partner by partner, as after bulk uploads)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 10:
        parser.error("--scale must be in (0, 10]")

    from bench.boot import bootstrap

    bootstrap()
    slug = args.slug or default_slug(args.scale)
    generator = Generator(
        slug=slug, scale=args.scale, size=Size.at(args.scale, args.partners), mapping_order=args.mapping_order
    )
    from partnerhub.tenancy.rls import owner_connection

    # A bulk load is the operator's job, like a migration: as the owner, which may VACUUM and
    # ANALYZE the tables it owns. The benchmarks then read as the application role.
    with owner_connection():
        if args.delete:
            return 0 if generator.delete(slug) else 1
        generator.run(reset=args.reset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
