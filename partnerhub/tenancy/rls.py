"""The database wall: PostgreSQL row-level security on every tenant-owned table.

Three roles (docs/operations.md):
- the **owner** runs migrations and owns the tables (`DATABASE_OWNER_URL`);
- the **application** role (`DATABASE_URL`) is what web, worker and beat connect as: not
  superuser, not owner, no BYPASSRLS, so the policies bind it;
- the **reader** role (NOLOGIN, read-only) admits every tenant's rows. The application role may
  switch into it for one statement at a time, and only `TenantScopedModel.unscoped` reads do.

Every table with a `tenant_id` column gets RLS enabled and forced, a policy admitting rows of the
transaction's tenant (`partnerhub.tenant_id`, set per statement by the backend in
`partnerhub.tenancy.postgres`) and a SELECT-only policy for the reader. They are installed after
every `migrate`, from the models, so a new app's tables get them without anyone remembering to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from psycopg import sql

from partnerhub.tenancy.context import get_active_tenant, is_reading_across_tenants

TENANT_SETTING = "partnerhub.tenant_id"
TENANT_POLICY = "tenant_isolation"
READER_POLICY = "cross_tenant_read"
POLICY_CHECK = f"(tenant_id = NULLIF(current_setting('{TENANT_SETTING}', true), '')::bigint)"
CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")
PREFIX_START = f"SELECT set_config('{TENANT_SETTING}', "


def statement_prefix(connection) -> str | None:
    """What precedes each statement: the active tenant, and the role reading it (None: nothing to
    set, because an autocommit statement with no tenant cannot inherit one)."""
    tenant = get_active_tenant()
    across = is_reading_across_tenants()
    if tenant is None and not across and connection.get_autocommit():
        return None
    tenant_id = str(int(tenant.pk)) if tenant is not None else ""
    role = settings.PARTNERHUB_DATABASE_READER_ROLE if across else "none"
    return f"{PREFIX_START}'{tenant_id}', true), set_config('role', '{role}', true); "


def tenant_tables() -> list[str]:
    """Every table with a `tenant_id` column, found from the models (later apps included)."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and any(f.column == "tenant_id" for f in meta.concrete_fields):
            tables.add(meta.db_table)
    return sorted(tables)


@contextmanager
def owner_connection(alias: str = "default") -> Iterator[None]:
    """Run the block on `alias` connected as the owner role (migrate, flush, test set-up)."""
    owner = settings.PARTNERHUB_DATABASE_OWNER
    connection = connections[alias]
    saved = {key: connection.settings_dict.get(key) for key in CREDENTIALS}
    if alias != "default" or not owner or saved["USER"] == owner["USER"]:
        yield
        return
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def install_wall(*, using: str = "default") -> None:
    """Grants, roles and policies, idempotently: only what is missing is created."""
    app_role = settings.PARTNERHUB_DATABASE_APP_ROLE
    reader = settings.PARTNERHUB_DATABASE_READER_ROLE
    statements: list[sql.Composable] = []
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        _ensure_reader_role(cursor, reader=reader, app_role=app_role, owner=owner)
        grantees = [sql.Identifier(app_role)] if app_role != owner else []
        for grantee in grantees:
            statements += [
                sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
                    grantee
                ),
                sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(grantee),
            ]
        statements.append(
            sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(sql.Identifier(reader))
        )
        statements += _policy_statements(cursor, reader=reader)
        for statement in statements:
            cursor.execute(statement)


def _ensure_reader_role(cursor, *, reader: str, app_role: str, owner: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [reader])
    if cursor.fetchone() is None:
        cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            raise ImproperlyConfigured(
                f"The read-only role {reader!r} does not exist and {owner!r} may not create it: "
                f"CREATE ROLE {reader} NOLOGIN; GRANT {reader} TO {app_role}; (docs/operations.md)"
            )
        cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(reader)))
    cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app_role, reader])
    if not cursor.fetchone()[0]:
        cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(reader), sql.Identifier(app_role)))


def _policy_statements(cursor, *, reader: str) -> list[sql.Composable]:
    tables = tenant_tables()
    cursor.execute(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
        "WHERE relnamespace = 'public'::regnamespace AND relname = ANY(%s)",
        [tables],
    )
    flags = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
    cursor.execute(
        "SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = ANY(%s)",
        [tables],
    )
    policies = set(cursor.fetchall())
    statements = []
    for table in tables:
        name = sql.Identifier(table)
        enabled, forced = flags.get(table, (False, False))
        if not enabled:
            statements.append(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(name))
        if not forced:
            statements.append(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(name))
        if (table, TENANT_POLICY) not in policies:
            statements.append(
                sql.SQL("CREATE POLICY {} ON {} USING {check} WITH CHECK {check}").format(
                    sql.Identifier(TENANT_POLICY), name, check=sql.SQL(POLICY_CHECK)
                )
            )
        if (table, READER_POLICY) not in policies:
            statements.append(
                sql.SQL("CREATE POLICY {} ON {} FOR SELECT TO {} USING (true)").format(
                    sql.Identifier(READER_POLICY), name, sql.Identifier(reader)
                )
            )
    return statements


def wall_report(*, using: str = "default") -> dict:
    """What the application's own connection says of the wall (`manage.py dbwall`)."""
    tables = tenant_tables()
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        role, superuser, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        )
        owned = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
            "AND c.relname = ANY(%s) AND c.relrowsecurity AND c.relforcerowsecurity "
            "AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' "
            "AND p.tablename = c.relname AND p.policyname = %s)",
            [tables, TENANT_POLICY],
        )
        guarded = {name for (name,) in cursor.fetchall()}
    return {
        "role": role,
        "superuser": superuser,
        "bypassrls": bypass,
        "tables_owned": owned,
        "tenant_tables": len(tables),
        "unguarded": sorted(set(tables) - guarded),
    }
