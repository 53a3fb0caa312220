"""A fingerprint of everything stored, to prove a request changed nothing."""

from django.apps import apps
from django.db import connection

# Columns that a refused request may legitimately touch: bookkeeping of the caller itself.
VOLATILE_COLUMNS = {
    "tenancy_user": {"last_login"},
    "tenancy_apikey": {"last_used_at"},
}
VOLATILE_TABLES = {"django_session"}


def _tables() -> list[tuple[str, list[str], str]]:
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in VOLATILE_TABLES:
            continue
        skip = VOLATILE_COLUMNS.get(meta.db_table, set())
        columns = [field.column for field in meta.concrete_fields if field.column not in skip]
        tables.append((meta.db_table, columns, meta.pk.column))
    return sorted(set((table, tuple(columns), pk) for table, columns, pk in tables))


def fingerprint() -> dict[str, str]:
    """One hash per table over every row (minus volatile columns), in a single round trip."""
    quote = connection.ops.quote_name
    parts = []
    for table, columns, pk in _tables():
        row = ", ".join(quote(column) for column in columns)
        parts.append(
            f"(SELECT md5(coalesce(string_agg(ROW({row})::text, '|' ORDER BY {quote(pk)}), '')) "
            f"FROM {quote(table)}) AS {quote(table)}"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in before if before[table] != after[table])
