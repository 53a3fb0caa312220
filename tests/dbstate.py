"""A fingerprint of everything stored, to prove a request changed nothing."""

from django.apps import apps
from django.db import connection

from partnerhub.tenancy.context import reading_across_tenants, tenant_context

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
    with reading_across_tenants(), connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in before if before[table] != after[table])


def _by_tenant(queryset):
    """The rows of an `unscoped` queryset, grouped per tenant, each group with its tenant active."""
    from partnerhub.tenancy.models import Tenant

    ids_by_tenant: dict[int, list] = {}
    for pk, tenant_id in queryset.values_list("pk", "tenant_id"):
        ids_by_tenant.setdefault(tenant_id, []).append(pk)
    for tenant in Tenant.objects.filter(id__in=ids_by_tenant):
        with tenant_context(tenant):
            yield queryset.model.objects.filter(pk__in=ids_by_tenant[tenant.id])


def update_rows(queryset, **values) -> int:
    """Arrange a test's state directly (an expired link, a stale job): the database admits the
    change only inside each row's own tenant."""
    return sum(rows.update(**values) for rows in _by_tenant(queryset))


def delete_rows(queryset) -> int:
    return sum(rows.delete()[0] for rows in _by_tenant(queryset))
