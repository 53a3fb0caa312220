"""One UPDATE for many rows, each with its own values: `UPDATE … FROM jsonb_to_recordset(…)`.

Django's `bulk_update` builds a CASE WHEN per row and field and resolves each as an expression in
Python: for a thousand leads and eight fields that is most of the bulk intake's time. This sends
the rows' values as one JSON document (typed back by PostgreSQL per column) in one statement, on
the tenant's rows only."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, models
from psycopg import sql


def _plain(value):
    """A time in full ISO 8601 (microseconds kept), a decimal as its digits."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def update_rows(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write `fields` of each of `objs` (saved rows of one tenant-scoped model) in one statement."""
    if not objs:
        return
    meta = objs[0]._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    rows = [{field.column: getattr(obj, field.attname) for field in columns} for obj in objs]
    statement = sql.SQL(
        "UPDATE {table} AS t SET {sets} FROM jsonb_to_recordset(%s::jsonb) AS v({types}) "
        "WHERE t.{pk} = v.{pk} AND t.tenant_id = %s"
    ).format(
        table=sql.Identifier(meta.db_table),
        sets=sql.SQL(", ").join(
            sql.SQL("{column} = v.{column}").format(column=sql.Identifier(field.column))
            for field in columns[1:]
        ),
        types=sql.SQL(", ").join(
            sql.SQL("{name} {type}").format(
                name=sql.Identifier(field.column), type=sql.SQL(field.db_type(connection))
            )
            for field in columns
        ),
        pk=sql.Identifier(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            statement.as_string(cursor.cursor), [json.dumps(rows, default=_plain), objs[0].tenant_id]
        )
