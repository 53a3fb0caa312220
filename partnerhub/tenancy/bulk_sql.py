"""Many rows in one statement, their values sent as one JSON document: `jsonb_to_recordset(…)`.

Django's `bulk_update` builds a CASE WHEN per row and field and resolves each as an expression in
Python, and its `bulk_create` sends one array per column, which psycopg quotes element by element
(client-side binding): for a thousand leads that is most of the bulk intake's time. Here the rows
go as one JSON text (`json.dumps`, in C) that PostgreSQL types back per column, in one statement,
on the tenant's rows only. Row-level security applies as to any statement."""

from __future__ import annotations

import datetime
import decimal
import json
import operator
import uuid
from collections.abc import Sequence

from django.db import connection, models
from django.db.models import FileField
from django.utils.functional import Promise
from psycopg import sql


def _plain(value):
    """A time in full ISO 8601 (microseconds and offset kept), a decimal by its digits."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no JSON form for a bulk statement")


def _dumps(rows: list[dict]) -> str:
    return json.dumps(rows, default=_plain)


def _record_types(columns: Sequence[models.Field]) -> sql.Composable:
    """`v(name type, …)`: how PostgreSQL types each JSON key back (a JSON value for a jsonb column,
    an ISO text for a timestamp with time zone, a JSON array for an array column)."""
    return sql.SQL(", ").join(
        sql.SQL("{name} {type}").format(
            name=sql.Identifier(field.column), type=sql.SQL(field.db_type(connection))
        )
        for field in columns
    )


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
        types=_record_types(columns),
        pk=sql.Identifier(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(cursor.cursor), [_dumps(rows), objs[0].tenant_id])


def _reader(field: models.Field):
    """How a column's value is read from an object to insert: most fields hold what the column
    takes (json.dumps and `_plain` write it), so it is read as is, which is most of the saving over
    `bulk_create`; a foreign key set to an object saved since takes its key, as save() does; the
    fields save() prepares (auto_now, files) are prepared as it does."""
    attname = field.attname
    if (
        getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or isinstance(field, FileField)
    ):
        return lambda obj: field.get_prep_value(field.pre_save(obj, add=True))
    if field.is_relation:

        def related_key(obj):
            value = obj.__dict__[attname]
            if value is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None and related.pk is None:
                    raise ValueError(f"insert_rows() of {obj!r}: its {field.name} is not saved.")
                value = None if related is None else related.pk
            return value

        return related_key
    return operator.attrgetter(attname)


def insert_rows(objs: Sequence[models.Model], *, skip_conflicts_on: str | None = None) -> list[models.Model]:
    """Insert `objs` (new instances of one model) in one statement and give each its primary key, as
    `bulk_create` does; the inserted objects are returned.

    With `skip_conflicts_on` (a field unique among `objs`), a row a unique index refuses is left out
    (ON CONFLICT DO NOTHING, the index waiting for a concurrent insert to commit or roll back) and
    its object keeps no key; the inserted ones are matched to their objects by that field."""
    if not objs:
        return []
    meta = objs[0]._meta
    readers = [(field.column, _reader(field)) for field in meta.concrete_fields if not field.primary_key]
    rows = [{column: read(obj) for column, read in readers} for obj in objs]
    match = None if skip_conflicts_on is None else meta.get_field(skip_conflicts_on)
    returned = insert_values(type(objs[0]), rows, skip_conflicts_on=match and match.column)
    if match is None:
        inserted, keys = list(objs), [key for key, *_ in returned]
    else:
        key_of = {value: key for key, value in returned}
        inserted = [obj for obj in objs if getattr(obj, match.attname) in key_of]
        keys = [key_of[getattr(obj, match.attname)] for obj in inserted]
    for obj, key in zip(inserted, keys, strict=True):
        setattr(obj, meta.pk.attname, key)
        obj._state.adding, obj._state.db = False, connection.alias
    return inserted


def insert_values(
    model: type[models.Model], rows: Sequence[dict], *, skip_conflicts_on: str | None = None
) -> list[tuple]:
    """Insert `rows` ({column: value}, every column but the primary key, values as the column takes
    them) into `model`'s table in one statement. Returns per inserted row its primary key (and its
    `skip_conflicts_on` column, when rows a unique index refuses are skipped), in the order of the
    rows, as Django's own bulk insert has them (an INSERT … SELECT … ORDER BY returns its rows in
    that order)."""
    if not rows:
        return []
    meta = model._meta
    columns = [field for field in meta.concrete_fields if not field.primary_key]
    returning = [meta.pk.column] + ([skip_conflicts_on] if skip_conflicts_on else [])
    names = sql.SQL(", ").join(sql.Identifier(field.column) for field in columns)
    statement = sql.SQL(
        "INSERT INTO {table} ({names}) SELECT {names} FROM ROWS FROM (jsonb_to_recordset(%s::jsonb) "
        "AS ({types})) WITH ORDINALITY AS v({names}, _n) ORDER BY _n{conflicts} RETURNING {returning}"
    ).format(
        table=sql.Identifier(meta.db_table),
        names=names,
        types=_record_types(columns),
        conflicts=sql.SQL(" ON CONFLICT DO NOTHING" if skip_conflicts_on else ""),
        returning=sql.SQL(", ").join(sql.Identifier(column) for column in returning),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(cursor.cursor), [_dumps(list(rows))])
        return cursor.fetchall()
