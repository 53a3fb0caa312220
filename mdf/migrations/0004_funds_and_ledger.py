"""Funds, allocations and the append-only ledger (docs/mdf.md); each former FundAllocation becomes
an allocate entry of its partner's allocation, in a fund per tenant, quarter and currency.

The database enforces the ledger's rules (mdf/models/ledger.py):
- `mdf_ledger_entry_insert` (BEFORE INSERT): locks the fund's row, so the entries of one fund are
  written one at a time; refuses an entry in another currency than the fund's, or an allocation of
  another fund; numbers the entry in its fund (`seq`) and computes the running totals from the
  fund's and the allocation's previous entries. The CHECK constraints then refuse a negative one.
- `mdf_ledger_entry_never_updated` (AFTER UPDATE): refuses every update.
- `mdf_ledger_entry_never_deleted` (deferred, at commit): refuses a delete unless the entry's tenant
  is gone in the same transaction (offboarding takes all of a tenant's rows).
- `mdf_fund_money_fixed`, `mdf_allocation_owner_fixed` (BEFORE UPDATE): a fund's amount and currency,
  and an allocation's fund, partner and tier, never change (the running totals rest on them).
The application role has no TRUNCATE (partnerhub/tenancy/rls.py grants it none).
"""

import django.contrib.postgres.fields
import django.core.validators
import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
import partnerhub.tenancy.taxonomy
from django.conf import settings
from django.db import migrations, models

from partnerhub.tenancy.context import tenant_context


TIERS = ["one_to_one", "one_to_few", "one_to_many"]
REFUSED = "restrict_violation"  # SQLSTATE 23001: an integrity error to the application

LEDGER_SQL = f"""
CREATE FUNCTION mdf_ledger_entry_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fund_amount numeric;
    fund_currency text;
    x numeric := NEW.amount;
    d_allocated numeric := 0;
    d_reserved numeric := 0;
    d_claimed numeric := 0;
    d_paid numeric := 0;
    d_expired numeric := 0;
    drawn numeric;
    last_fund mdf_ledgerentry%ROWTYPE;
    last_allocation mdf_ledgerentry%ROWTYPE;
BEGIN
    -- One writer per fund: a concurrent entry of the same fund waits here, then reads this one.
    SELECT amount, currency INTO fund_amount, fund_currency FROM mdf_fund WHERE id = NEW.fund_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'MDF ledger: fund % does not exist', NEW.fund_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_fund_exists';
    END IF;
    IF NEW.currency IS DISTINCT FROM fund_currency THEN
        RAISE EXCEPTION 'MDF ledger: an entry in % cannot draw on a fund in %', NEW.currency, fund_currency
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_currency_is_the_funds';
    END IF;
    IF NEW.allocation_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM mdf_allocation WHERE id = NEW.allocation_id AND fund_id = NEW.fund_id
    ) THEN
        RAISE EXCEPTION 'MDF ledger: allocation % is not part of fund %', NEW.allocation_id, NEW.fund_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_allocation_of_the_fund';
    END IF;
    -- The same table as mdf.models.ledger.EFFECTS.
    CASE NEW.kind
        WHEN 'allocate' THEN d_allocated := x;
        WHEN 'reallocate' THEN d_allocated := -x;
        WHEN 'reserve' THEN d_reserved := x;
        WHEN 'release' THEN d_reserved := -x;
        WHEN 'claim_approved' THEN d_reserved := -x; d_claimed := x;
        WHEN 'paid' THEN d_claimed := -x; d_paid := x;
        WHEN 'expire' THEN d_expired := x;
        ELSE NULL;  -- ledger_kind_known refuses it
    END CASE;
    drawn := d_reserved + d_claimed + d_paid + d_expired;
    SELECT * INTO last_fund FROM mdf_ledgerentry WHERE fund_id = NEW.fund_id ORDER BY seq DESC LIMIT 1;
    NEW.seq := COALESCE(last_fund.seq, 0) + 1;
    NEW.fund_allocated := COALESCE(last_fund.fund_allocated, 0) + d_allocated;
    NEW.fund_reserved := COALESCE(last_fund.fund_reserved, 0) + d_reserved;
    NEW.fund_claimed := COALESCE(last_fund.fund_claimed, 0) + d_claimed;
    NEW.fund_paid := COALESCE(last_fund.fund_paid, 0) + d_paid;
    NEW.fund_expired := COALESCE(last_fund.fund_expired, 0) + d_expired;
    IF NEW.allocation_id IS NULL THEN
        NEW.fund_available := COALESCE(last_fund.fund_available, fund_amount) - drawn;
        NEW.allocation_allocated := NULL;
        NEW.allocation_reserved := NULL;
        NEW.allocation_claimed := NULL;
        NEW.allocation_paid := NULL;
        NEW.allocation_expired := NULL;
        NEW.allocation_available := NULL;
    ELSE
        NEW.fund_available := COALESCE(last_fund.fund_available, fund_amount) - d_allocated;
        SELECT * INTO last_allocation FROM mdf_ledgerentry
            WHERE allocation_id = NEW.allocation_id ORDER BY seq DESC LIMIT 1;
        NEW.allocation_allocated := COALESCE(last_allocation.allocation_allocated, 0) + d_allocated;
        NEW.allocation_reserved := COALESCE(last_allocation.allocation_reserved, 0) + d_reserved;
        NEW.allocation_claimed := COALESCE(last_allocation.allocation_claimed, 0) + d_claimed;
        NEW.allocation_paid := COALESCE(last_allocation.allocation_paid, 0) + d_paid;
        NEW.allocation_expired := COALESCE(last_allocation.allocation_expired, 0) + d_expired;
        NEW.allocation_available := COALESCE(last_allocation.allocation_available, 0) + d_allocated - drawn;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER mdf_ledger_entry_insert BEFORE INSERT ON mdf_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION mdf_ledger_entry_insert();

CREATE FUNCTION mdf_ledger_entry_never_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'MDF ledger entries are never changed: write a new entry instead (entry %)', OLD.id
        USING ERRCODE = '{REFUSED}', CONSTRAINT = 'ledger_append_only';
END $$;

CREATE TRIGGER mdf_ledger_entry_never_updated AFTER UPDATE ON mdf_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION mdf_ledger_entry_never_updated();

CREATE FUNCTION mdf_ledger_entry_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tenancy_tenant WHERE id = OLD.tenant_id) THEN
        RAISE EXCEPTION 'MDF ledger entries are never deleted (entry %)', OLD.id
            USING ERRCODE = '{REFUSED}', CONSTRAINT = 'ledger_append_only';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER mdf_ledger_entry_never_deleted AFTER DELETE ON mdf_ledgerentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mdf_ledger_entry_never_deleted();

CREATE FUNCTION mdf_fund_money_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.amount IS DISTINCT FROM OLD.amount OR NEW.currency IS DISTINCT FROM OLD.currency THEN
        RAISE EXCEPTION 'A fund''s amount and currency never change: create another fund'
            USING ERRCODE = '{REFUSED}', CONSTRAINT = 'fund_money_fixed';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER mdf_fund_money_fixed BEFORE UPDATE ON mdf_fund
    FOR EACH ROW EXECUTE FUNCTION mdf_fund_money_fixed();

CREATE FUNCTION mdf_allocation_owner_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.fund_id IS DISTINCT FROM OLD.fund_id OR NEW.partner_id IS DISTINCT FROM OLD.partner_id
        OR NEW.tier IS DISTINCT FROM OLD.tier THEN
        RAISE EXCEPTION 'An allocation''s fund, partner and tier never change: reallocate instead'
            USING ERRCODE = '{REFUSED}', CONSTRAINT = 'allocation_owner_fixed';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER mdf_allocation_owner_fixed BEFORE UPDATE ON mdf_allocation
    FOR EACH ROW EXECUTE FUNCTION mdf_allocation_owner_fixed();
"""

DROP_LEDGER_SQL = """
DROP TRIGGER IF EXISTS mdf_allocation_owner_fixed ON mdf_allocation;
DROP FUNCTION IF EXISTS mdf_allocation_owner_fixed();
DROP TRIGGER IF EXISTS mdf_fund_money_fixed ON mdf_fund;
DROP FUNCTION IF EXISTS mdf_fund_money_fixed();
DROP TRIGGER IF EXISTS mdf_ledger_entry_never_deleted ON mdf_ledgerentry;
DROP FUNCTION IF EXISTS mdf_ledger_entry_never_deleted();
DROP TRIGGER IF EXISTS mdf_ledger_entry_never_updated ON mdf_ledgerentry;
DROP FUNCTION IF EXISTS mdf_ledger_entry_never_updated();
DROP TRIGGER IF EXISTS mdf_ledger_entry_insert ON mdf_ledgerentry;
DROP FUNCTION IF EXISTS mdf_ledger_entry_insert();
"""


def fund_allocations_to_ledger(apps, schema_editor):
    """Each tenant's FundAllocations: a fund per (year, quarter, currency) holding their sum, an
    allocation per partner, an allocate entry per former row (its amount, note and time)."""
    Tenant = apps.get_model("tenancy", "Tenant")
    FundAllocation = apps.get_model("mdf", "FundAllocation")
    Fund = apps.get_model("mdf", "Fund")
    Allocation = apps.get_model("mdf", "Allocation")
    LedgerEntry = apps.get_model("mdf", "LedgerEntry")
    # Tenant by tenant, with the tenant active: the database wall admits each tenant's rows only inside it.
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            rows = list(FundAllocation.objects.filter(tenant_id=tenant.id).order_by("created_at", "id"))
            groups = {}
            for row in rows:
                groups.setdefault((row.year, row.quarter, row.currency), []).append(row)
            currencies = {}
            for year, quarter, currency in groups:
                currencies.setdefault((year, quarter), set()).add(currency)
            for (year, quarter, currency), members in sorted(groups.items()):
                name = f"MDF Q{quarter} {year}"
                if len(currencies[(year, quarter)]) > 1:
                    name = f"{name} ({currency})"
                fund = Fund.objects.create(
                    tenant_id=tenant.id,
                    name=name,
                    year=year,
                    quarter=quarter,
                    amount=sum((row.amount for row in members), start=0),
                    currency=currency,
                    tiers=TIERS,
                    created_at=members[0].created_at,
                )
                allocations = {}
                for row in members:
                    if row.partner_id not in allocations:
                        allocations[row.partner_id] = Allocation.objects.create(
                            tenant_id=tenant.id,
                            fund=fund,
                            partner_id=row.partner_id,
                            note=row.note,
                            created_at=row.created_at,
                        )
                    if row.amount > 0:
                        LedgerEntry.objects.create(
                            tenant_id=tenant.id,
                            fund=fund,
                            allocation=allocations[row.partner_id],
                            kind="allocate",
                            amount=row.amount,
                            currency=currency,
                            actor_label="System (the former fund allocations)",
                            note=row.note,
                            created_at=row.created_at,
                        )


def ledger_to_fund_allocations(apps, schema_editor):
    """Back: each partner's allocation as one FundAllocation of what it holds."""
    Tenant = apps.get_model("tenancy", "Tenant")
    FundAllocation = apps.get_model("mdf", "FundAllocation")
    Allocation = apps.get_model("mdf", "Allocation")
    LedgerEntry = apps.get_model("mdf", "LedgerEntry")
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            for allocation in Allocation.objects.filter(tenant_id=tenant.id, partner__isnull=False):
                last = LedgerEntry.objects.filter(allocation=allocation).order_by("-seq").first()
                FundAllocation.objects.create(
                    tenant_id=tenant.id,
                    partner_id=allocation.partner_id,
                    year=allocation.fund.year,
                    quarter=allocation.fund.quarter,
                    amount=last.allocation_allocated if last else 0,
                    currency=allocation.fund.currency,
                    note=allocation.note,
                    created_at=allocation.created_at,
                )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mdf", "0003_currency_is_any_iso_4217_code"),
        ("tenancy", "0010_logos"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Fund",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(2000),
                            django.core.validators.MaxValueValidator(2100),
                        ]
                    ),
                ),
                (
                    "quarter",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(4),
                        ]
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        choices=partnerhub.tenancy.taxonomy.currency_choices, default="USD", max_length=3
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("marketing", "Marketing funds"), ("co_op", "Co-op (accrued from revenue)")],
                        default="marketing",
                        max_length=20,
                    ),
                ),
                (
                    "accrual_percent",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Co-op only: the share of a partner's recorded revenue for the period it accrues.",
                        max_digits=5,
                        null=True,
                    ),
                ),
                (
                    "tiers",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(
                            choices=[
                                ("one_to_one", "One-to-one (strategic)"),
                                ("one_to_few", "One-to-few (growing)"),
                                ("one_to_many", "One-to-many (long tail)"),
                            ],
                            max_length=20,
                        ),
                        default=list,
                        help_text="The partner tiers this fund serves.",
                        size=None,
                    ),
                ),
                (
                    "claim_window_days",
                    models.PositiveSmallIntegerField(
                        default=60,
                        help_text="Days after an activity ends within which it may be claimed.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(365),
                        ],
                    ),
                ),
                (
                    "max_reimbursement_percent",
                    models.DecimalField(
                        decimal_places=2,
                        default=100,
                        help_text="The most of an approved request's amount a claim may be reimbursed.",
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
            ],
            options={
                "ordering": ["-year", "-quarter", "name", "id"],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name="Allocation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "tier",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("one_to_one", "One-to-one (strategic)"),
                            ("one_to_few", "One-to-few (growing)"),
                            ("one_to_many", "One-to-many (long tail)"),
                        ],
                        help_text="A shared pool's tier; empty for a partner's allocation.",
                        max_length=20,
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "partner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="mdf_allocations",
                        to="tenancy.partner",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
                (
                    "fund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="allocations",
                        to="mdf.fund",
                    ),
                ),
            ],
            options={
                "ordering": ["fund", "partner__name", "tier", "id"],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name="LedgerEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("allocate", "Allocated"),
                            ("reserve", "Reserved"),
                            ("release", "Released"),
                            ("claim_approved", "Claim approved"),
                            ("paid", "Paid"),
                            ("expire", "Expired"),
                            ("reallocate", "Reallocated"),
                        ],
                        max_length=20,
                    ),
                ),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                (
                    "currency",
                    models.CharField(choices=partnerhub.tenancy.taxonomy.currency_choices, max_length=3),
                ),
                ("concerns_id", models.PositiveBigIntegerField(blank=True, null=True)),
                ("actor_label", models.CharField(max_length=200)),
                ("note", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "seq",
                    models.PositiveIntegerField(
                        default=0, editable=False, help_text="The entry's number in its fund."
                    ),
                ),
                (
                    "fund_allocated",
                    models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=14),
                ),
                (
                    "fund_reserved",
                    models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=14),
                ),
                (
                    "fund_claimed",
                    models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=14),
                ),
                (
                    "fund_paid",
                    models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=14),
                ),
                (
                    "fund_expired",
                    models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=14),
                ),
                (
                    "fund_available",
                    models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=14),
                ),
                (
                    "allocation_allocated",
                    models.DecimalField(decimal_places=2, editable=False, max_digits=14, null=True),
                ),
                (
                    "allocation_reserved",
                    models.DecimalField(decimal_places=2, editable=False, max_digits=14, null=True),
                ),
                (
                    "allocation_claimed",
                    models.DecimalField(decimal_places=2, editable=False, max_digits=14, null=True),
                ),
                (
                    "allocation_paid",
                    models.DecimalField(decimal_places=2, editable=False, max_digits=14, null=True),
                ),
                (
                    "allocation_expired",
                    models.DecimalField(decimal_places=2, editable=False, max_digits=14, null=True),
                ),
                (
                    "allocation_available",
                    models.DecimalField(decimal_places=2, editable=False, max_digits=14, null=True),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "allocation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="entries",
                        to="mdf.allocation",
                    ),
                ),
                (
                    "api_key",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="tenancy.apikey",
                    ),
                ),
                (
                    "concerns_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "fund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT, related_name="entries", to="mdf.fund"
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "ledger entries",
                "ordering": ["fund", "-seq"],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddConstraint(
            model_name="fund",
            constraint=models.UniqueConstraint(
                fields=("tenant", "year", "quarter", "name"), name="fund_name_per_quarter"
            ),
        ),
        migrations.AddConstraint(
            model_name="fund",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0)), name="fund_amount_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="fund",
            constraint=models.CheckConstraint(
                condition=models.Q(("quarter__gte", 1), ("quarter__lte", 4)), name="fund_quarter_range"
            ),
        ),
        migrations.AddConstraint(
            model_name="fund",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "co_op"), ("accrual_percent__gt", 0), ("accrual_percent__lte", 100)),
                    models.Q(models.Q(("kind", "co_op"), _negated=True), ("accrual_percent__isnull", True)),
                    _connector="OR",
                ),
                name="fund_accrual_only_for_co_op",
            ),
        ),
        migrations.AddConstraint(
            model_name="fund",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("max_reimbursement_percent__gte", 1), ("max_reimbursement_percent__lte", 100)
                ),
                name="fund_reimbursement_percent_range",
            ),
        ),
        migrations.AddIndex(
            model_name="allocation",
            index=models.Index(fields=["tenant", "partner", "fund"], name="allocation_partner_idx"),
        ),
        migrations.AddConstraint(
            model_name="allocation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("partner__isnull", False)),
                fields=("fund", "partner"),
                name="allocation_one_per_partner",
            ),
        ),
        migrations.AddConstraint(
            model_name="allocation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("partner__isnull", True)),
                fields=("fund", "tier"),
                name="allocation_one_pool_per_tier",
            ),
        ),
        migrations.AddConstraint(
            model_name="allocation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("partner__isnull", False), ("tier", "")),
                    models.Q(("partner__isnull", True), models.Q(("tier", ""), _negated=True)),
                    _connector="OR",
                ),
                name="allocation_partner_or_pool",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["allocation", "-seq"], name="ledger_allocation_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["fund", "kind", "-seq"], name="ledger_fund_kind_idx"),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["tenant", "concerns_type", "concerns_id"], name="ledger_concerns_idx"),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="ledger_amount_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        ["allocate", "reserve", "release", "claim_approved", "paid", "expire", "reallocate"],
                    )
                ),
                name="ledger_kind_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind__in", ("allocate", "reallocate")), _negated=True),
                    ("allocation__isnull", False),
                    _connector="OR",
                ),
                name="ledger_earmark_has_allocation",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("concerns_id__isnull", True), ("concerns_type__isnull", True)),
                    models.Q(("concerns_id__isnull", False), ("concerns_type__isnull", False)),
                    _connector="OR",
                ),
                name="ledger_concerns_type_and_id",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("fund_allocated__gte", 0)), name="ledger_fund_allocated_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("fund_reserved__gte", 0)), name="ledger_fund_reserved_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("fund_claimed__gte", 0)), name="ledger_fund_claimed_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("fund_paid__gte", 0)), name="ledger_fund_paid_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("fund_expired__gte", 0)), name="ledger_fund_expired_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("fund_available__gte", 0)), name="ledger_fund_available_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("allocation_allocated__gte", 0)), name="ledger_allocation_allocated_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("allocation_reserved__gte", 0)), name="ledger_allocation_reserved_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("allocation_claimed__gte", 0)), name="ledger_allocation_claimed_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("allocation_paid__gte", 0)), name="ledger_allocation_paid_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("allocation_expired__gte", 0)), name="ledger_allocation_expired_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("allocation_available__gte", 0)), name="ledger_allocation_available_gte_0"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(fields=("fund", "seq"), name="ledger_seq_per_fund"),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(condition=models.Q(("seq__gte", 1)), name="ledger_seq_set"),
        ),
        migrations.RunSQL(LEDGER_SQL, DROP_LEDGER_SQL),
        migrations.RunPython(fund_allocations_to_ledger, ledger_to_fund_allocations),
        migrations.DeleteModel(
            name="FundAllocation",
        ),
    ]
