"""Django's PostgreSQL backend, with every statement carrying the active tenant to the database.

Row-level security admits only rows whose `tenant_id` equals the transaction's
`partnerhub.tenant_id` setting (see `partnerhub.tenancy.rls`). Each statement is sent as
`SELECT set_config(…, true), set_config('role', …, true); <statement>` in one round trip: in a
transaction the settings hold for what follows, and in autocommit the two statements form one
implicit transaction. Nothing is ever session state, so a pooled connection (PgBouncer in
transaction mode, Django's persistent connections) carries no tenant from one use to the next.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.backends.postgresql import base, operations
from django.db.backends.utils import CursorWrapper
from psycopg import adapters
from psycopg import sql as psycopg_sql
from psycopg.pq import Format

from partnerhub.tenancy.rls import PREFIX_START, statement_prefix

# Savepoint commands go bare: in a failed transaction only they may run (to roll it back).
TRANSACTION_CONTROL = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


class TenantCursorMixin:
    def _execute(self, sql, params, *ignored_wrapper_args):
        prefix = statement_prefix(self.db)
        if prefix is None or (isinstance(sql, str) and sql.startswith(TRANSACTION_CONTROL)):
            return super()._execute(sql, params, *ignored_wrapper_args)
        sql = prefix + sql if isinstance(sql, str) else psycopg_sql.Composed([psycopg_sql.SQL(prefix), sql])
        result = super()._execute(sql, params, *ignored_wrapper_args)
        self.cursor.nextset()  # past set_config's row: the caller reads its own statement's result
        return result

    def _executemany(self, sql, param_list, *ignored_wrapper_args):
        # executemany cannot carry a second statement: set the tenant first, in one transaction.
        prefix = statement_prefix(self.db)
        if prefix is None:
            return super()._executemany(sql, param_list, *ignored_wrapper_args)
        with transaction.atomic(using=self.db.alias, savepoint=False):
            super()._execute(prefix.rstrip("; "), None)
            return super()._executemany(sql, param_list, *ignored_wrapper_args)


class TenantCursorWrapper(TenantCursorMixin, CursorWrapper):
    pass


class TenantCursorDebugWrapper(TenantCursorMixin, base.CursorDebugWrapper):
    pass


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # Logged and captured queries (connection.queries, EXPLAIN in the bench) show the statement
        # the caller ran, without the settings sent ahead of it.
        query = super().last_executed_query(cursor, sql, params)
        if isinstance(query, str) and query.startswith(PREFIX_START):
            return query.split("; ", 1)[1]
        return query


# psycopg's own loader of timestamptz text: compiled with psycopg[binary] (or [c]). It answers in the
# connection's time zone, which Django sets to UTC; Django's loader (registered on every connection)
# parses in Python and then sets UTC itself, about 7 µs a value: a list of 100 rows with three
# date-times each spent 2 ms on it.
PSYCOPG_TIMESTAMPTZ_LOADER = adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def create_cursor(self, name=None):
        cursor = super().create_cursor(name)
        # Only where both loaders give the same values: datetimes in UTC (`datetime.timezone.utc`),
        # read from a session in UTC. Elsewhere Django's loader stays (it re-registers its own on a
        # cursor when the time zone setting changes).
        if self.timezone is datetime.UTC and self.connection.info.parameter_status("TimeZone") == "UTC":
            cursor.adapters.register_loader(base.TIMESTAMPTZ_OID, PSYCOPG_TIMESTAMPTZ_LOADER)
        return cursor

    def make_cursor(self, cursor):
        return TenantCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return TenantCursorDebugWrapper(cursor, self)
