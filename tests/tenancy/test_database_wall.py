"""The second wall: PostgreSQL row-level security, checked with raw SQL as the application role.

Every table with a `tenant_id` column is found from the models, so the tables of later apps are
covered with no new test code; each needs a `<Model>Factory` (tests/factories.py) to be filled.
"""

import ast
import datetime
import io
import zoneinfo
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
from django.test.utils import CaptureQueriesContext
from psycopg.pq import Format

from partnerhub.tenancy.context import NoActiveTenant, tenant_context
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.postgres.base import PSYCOPG_TIMESTAMPTZ_LOADER
from partnerhub.tenancy.rls import READER_POLICY, TENANT_POLICY, TENANT_SETTING, tenant_tables
from tests.factories import PartnerFactory, TenantFactory
from tests.routes import factory_for

ROOT = Path(__file__).resolve().parent.parent.parent
TENANT_MODELS = [
    model
    for model in apps.get_models()
    if any(field.column == "tenant_id" for field in model._meta.concrete_fields)
]

# App code that reads across tenants through `unscoped`, and why. Anything else must not.
UNSCOPED_ALLOWED = {
    "partnerhub/tenancy/admin.py": "the operator admin lists every tenant's rows (read-only)",
    "partnerhub/tenancy/selectors.py": "a user's memberships: the sign-in and the tenant switcher",
    "partnerhub/tenancy/services/api_keys.py": "the key tells the tenant: looked up by its prefix",
    "partnerhub/tenancy/services/invitations.py": "the link tells the tenant; the invitation outbox sweep",
    "partnerhub/tenancy/services/notifications.py": "the notification email outbox sweep",
    "partnerhub/tenancy/services/system.py": "lists tenants with expired idempotency answers",
    "partnerhub/tenancy/api/viewsets.py": "an empty queryset for the schema generator",
    "accounts/services/nudges.py": "lists tenants with follow-ups due",
    "accounts/services/imports.py": "lists import jobs left behind by a dead worker or broker",
    "leads/services/ladder.py": "lists handoffs whose SLA ladder has a step due",
    "leads/services/feedback.py": "lists accepted handoffs whose silence nudge is due",
    "leads/services/registrations.py": "lists approved deal registrations whose protection has ended",
    "mdf/services/expiry.py": "lists funds whose quarter has ended with money still available",
    "mdf/services/claim_reminders.py": "lists approved requests whose claim window closes within 7 days",
    "mdf/api/requests.py": "an empty queryset for the schema generator",
    "reporting/services/checkpoints.py": "lists tenants with a checkpoint due",
    "reporting/services/nudges.py": "lists tenants with a launched plan old enough to nudge about",
}


def raw_cursor():
    """psycopg itself, below Django's backend: nothing is set for us."""
    return connection.connection.cursor()


def set_tenant(cursor, tenant) -> None:
    cursor.execute("SELECT set_config(%s, %s, true)", [TENANT_SETTING, str(tenant.id) if tenant else ""])


@pytest.fixture
def two_tenants_in_every_table(db):
    """One row of every tenant-owned model in each of two tenants."""
    a, b = TenantFactory(slug="alpha"), TenantFactory(slug="bravo")
    for model in TENANT_MODELS:
        factory = factory_for(model)
        assert factory is not None, f"{model.__name__} has no {model.__name__}Factory in tests/factories.py"
        for tenant in (a, b):
            factory(tenant=tenant)
    return a, b


@pytest.mark.django_db
def test_the_walk_finds_every_tenant_table():
    tables = {model._meta.db_table for model in TENANT_MODELS}
    assert len(tables) >= 23
    assert tables == set(tenant_tables())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'tenant_id'"
        )
        in_database = {name for (name,) in cursor.fetchall()}
    assert in_database == tables  # no table with a tenant column escapes the models


@pytest.mark.django_db
def test_the_application_role_is_not_superuser_not_owner_and_cannot_bypass():
    with raw_cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        )
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (settings.PARTNERHUB_DATABASE_APP_ROLE,)


@pytest.mark.django_db
@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda model: model._meta.db_table)
def test_every_tenant_table_has_forced_row_level_security_and_its_policies(model):
    table = model._meta.db_table
    with raw_cursor() as cursor:
        cursor.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass", [table]
        )
        assert cursor.fetchone() == (True, True), f"{table}: row-level security is not enabled and forced"
        cursor.execute(
            "SELECT policyname, cmd, roles::text[], qual, with_check FROM pg_policies "
            "WHERE schemaname = 'public' AND tablename = %s ORDER BY policyname",
            [table],
        )
        policies = {name: (cmd, roles, qual, check) for name, cmd, roles, qual, check in cursor.fetchall()}
    assert set(policies) == {TENANT_POLICY, READER_POLICY}, f"{table}: policies {sorted(policies)}"
    cmd, roles, qual, check = policies[TENANT_POLICY]
    assert (cmd, roles) == ("ALL", ["public"])
    assert TENANT_SETTING in qual and TENANT_SETTING in check and "tenant_id" in qual
    assert policies[READER_POLICY][:2] == ("SELECT", [settings.PARTNERHUB_DATABASE_READER_ROLE])


@pytest.mark.django_db
def test_tenant_a_reads_not_one_row_of_tenant_b_in_any_table(two_tenants_in_every_table):
    a, b = two_tenants_in_every_table
    with raw_cursor() as cursor:
        for model in TENANT_MODELS:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute("SELECT set_config('role', %s, true)", [settings.PARTNERHUB_DATABASE_READER_ROLE])
            cursor.execute(f"SELECT count(*) FROM {table} WHERE tenant_id = %s", [b.id])
            assert cursor.fetchone()[0] >= 1, f"{table}: tenant B has rows (the check below is not empty)"
            cursor.execute("SELECT set_config('role', 'none', true)")
            set_tenant(cursor, a)
            cursor.execute(f"SELECT count(*) FROM {table} WHERE tenant_id <> %s", [a.id])
            assert cursor.fetchone() == (0,), f"{table}: tenant A read another tenant's rows"
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] >= 1, f"{table}: tenant A reads its own rows"
            set_tenant(cursor, None)
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone() == (0,), f"{table}: with no tenant set, rows were visible"


@pytest.mark.django_db
def test_the_database_refuses_a_write_naming_another_tenant_in_every_table(two_tenants_in_every_table):
    a, b = two_tenants_in_every_table
    with raw_cursor() as cursor:
        set_tenant(cursor, a)
        for model in TENANT_MODELS:
            table = connection.ops.quote_name(model._meta.db_table)
            columns = [  # a generated column (PostgreSQL computes it) is not written
                f.column
                for f in model._meta.concrete_fields
                if f.column not in ("id", "tenant_id") and not f.generated
            ]
            names = ", ".join(connection.ops.quote_name(column) for column in columns)
            own_row = f"SELECT {names} FROM {table} WHERE tenant_id = %s LIMIT 1"
            for statement, params in [
                (
                    f"INSERT INTO {table} (tenant_id, {names}) SELECT %s, {names} FROM ({own_row}) AS own",
                    [b.id, a.id],
                ),
                (f"UPDATE {table} SET tenant_id = %s WHERE tenant_id = %s", [b.id, a.id]),
            ]:
                cursor.execute("SAVEPOINT write_attempt")
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                    cursor.execute(statement, params)
                cursor.execute("ROLLBACK TO SAVEPOINT write_attempt")
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [b.id])
            assert cursor.rowcount == 0, f"{table}: tenant A deleted tenant B's rows"


@pytest.mark.django_db
def test_the_reader_role_reads_every_tenant_and_writes_nothing(two_tenants_in_every_table):
    with raw_cursor() as cursor:
        cursor.execute("SELECT set_config('role', %s, true)", [settings.PARTNERHUB_DATABASE_READER_ROLE])
        cursor.execute("SELECT count(DISTINCT tenant_id) FROM tenancy_partner")
        assert cursor.fetchone() == (2,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            cursor.execute("UPDATE tenancy_partner SET name = name || '!'")


@pytest.mark.django_db(transaction=True)
def test_the_tenant_does_not_outlive_its_statement_on_a_reused_connection():
    tenant = TenantFactory()
    PartnerFactory(tenant=tenant)
    with tenant_context(tenant):
        assert Partner.objects.count() == 1  # autocommit: its own implicit transaction
        with transaction.atomic():
            assert Partner.objects.count() == 1
    with raw_cursor() as cursor:  # the same connection, next use: nothing carried over
        cursor.execute("SELECT current_setting(%s, true), current_user", [TENANT_SETTING])
        assert cursor.fetchone() in {
            (None, settings.PARTNERHUB_DATABASE_APP_ROLE),
            ("", settings.PARTNERHUB_DATABASE_APP_ROLE),
        }
        cursor.execute("SELECT count(*) FROM tenancy_partner")
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db
def test_unscoped_reads_every_tenant_only_outside_a_tenant(two_tenants_in_every_table):
    a, b = two_tenants_in_every_table
    assert set(Partner.unscoped.values_list("tenant_id", flat=True)) == {a.id, b.id}
    with tenant_context(a):
        # Inside a tenant, even the way around the first wall meets the second.
        assert set(Partner.unscoped.values_list("tenant_id", flat=True)) == {a.id}
        assert set(Partner.unscoped.across_tenants().values_list("tenant_id", flat=True)) == {a.id, b.id}


@pytest.mark.django_db
def test_unscoped_writes_without_a_tenant_are_refused_not_silently_empty(two_tenants_in_every_table):
    with pytest.raises(NoActiveTenant, match="tenant by tenant"):
        Partner.unscoped.update(name="Renamed")
    with pytest.raises(NoActiveTenant, match="tenant by tenant"):
        Partner.unscoped.all().delete()
    with pytest.raises(NoActiveTenant, match="locking read"), transaction.atomic():
        list(Partner.unscoped.select_for_update())


def _modules_using_unscoped() -> set[str]:
    found = set()
    for top in ("partnerhub", "accounts", "plays", "mdf", "leads", "reporting"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            if any(isinstance(node, ast.Attribute) and node.attr == "unscoped" for node in ast.walk(tree)):
                found.add(str(path.relative_to(ROOT)))
    return found


def test_only_the_named_cross_tenant_paths_use_unscoped():
    used = _modules_using_unscoped()
    assert used - set(UNSCOPED_ALLOWED) == set(), "a new cross-tenant path: name it here, with its reason"
    assert set(UNSCOPED_ALLOWED) - used == set(), "a path listed here no longer reads across tenants"


@pytest.mark.django_db
def test_dbwall_reports_the_wall_up():
    out = io.StringIO()
    call_command("dbwall", stdout=out)
    assert "superuser=False bypassrls=False tables owned=0" in out.getvalue()
    assert f"tenant tables: {len(TENANT_MODELS)}, without forced row-level security and policy: none" in (
        out.getvalue()
    )


@pytest.mark.django_db
def test_captured_queries_show_the_statement_without_the_settings_sent_ahead(tenant):
    with tenant_context(tenant), CaptureQueriesContext(connection) as captured:
        list(Partner.objects.all())
    assert captured.captured_queries[0]["sql"].startswith('SELECT "tenancy_partner"."id"')


@pytest.mark.django_db
def test_timestamps_read_back_as_the_instants_stored_in_utc_with_psycopgs_compiled_loader():
    stored = [
        datetime.datetime(1901, 1, 1, 0, 0, 0, 1, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 29, 3, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Oslo")),  # summer time
        datetime.datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::timestamptz[])", [stored])
        read = [value for (value,) in cursor.fetchall()]
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert read == stored
    assert all(value.tzinfo is datetime.UTC for value in read)
    # Django's own loader parses in Python, 7 µs a value: a 100-row list page spent 2 ms on it.
    assert loader is PSYCOPG_TIMESTAMPTZ_LOADER
