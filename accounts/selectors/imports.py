"""Reads of CSV import jobs, saved column mappings and the tenant's import vocabularies."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.importing.vocabularies import BUILTIN
from accounts.models import ImportJob, ImportMapping, ValueMapping
from partnerhub.tenancy.models import Tenant


def import_job_list(*, tenant: Tenant) -> QuerySet[ImportJob]:
    """Import jobs for the history list, without the uploaded file or the rejections."""
    return (
        ImportJob.objects.filter(tenant=tenant)
        .select_related("partner", "created_by")
        .defer("content", "errors")
        .order_by("-created_at", "-id")
    )


def import_job_detail(*, tenant: Tenant) -> QuerySet[ImportJob]:
    """An import job with its report, without the uploaded file."""
    return (
        ImportJob.objects.filter(tenant=tenant)
        .select_related("partner", "created_by", "saved_mapping")
        .defer("content")
    )


def import_job_with_file(*, tenant: Tenant) -> QuerySet[ImportJob]:
    """An import job with its uploaded file, for the mapping step."""
    return ImportJob.objects.filter(tenant=tenant).select_related("partner", "created_by", "saved_mapping")


def import_mapping_list(*, tenant: Tenant, kind: str | None = None) -> QuerySet[ImportMapping]:
    mappings = ImportMapping.objects.filter(tenant=tenant).select_related("created_by")
    return mappings.filter(kind=kind) if kind else mappings


def import_mapping_named(*, tenant: Tenant, kind: str, name: str) -> ImportMapping | None:
    """The saved mapping of this kind with this name, in any case and spacing (names are saved with
    their spaces collapsed, see `import_mapping_save`)."""
    return ImportMapping.objects.filter(tenant=tenant, kind=kind, name__iexact=" ".join(name.split())).first()


def import_mapping_for_header(*, tenant: Tenant, kind: str, signature: str) -> ImportMapping | None:
    """The saved mapping of a header with these columns (the latest saved, if several)."""
    return (
        ImportMapping.objects.filter(tenant=tenant, kind=kind, signature=signature)
        .order_by("-updated_at", "-id")
        .first()
    )


def value_mapping_list(*, tenant: Tenant) -> QuerySet[ValueMapping]:
    return ValueMapping.objects.filter(tenant=tenant).select_related("updated_by")


def vocabularies_for(tenant: Tenant) -> dict[str, dict[str, str]]:
    """{field: {folded CRM word: PartnerHub value}}: the tenant's mappings over the built-in ones.
    One query, for a whole batch of rows."""
    vocabularies = {field: dict(words) for field, words in BUILTIN.items()}
    for field, key, value in ValueMapping.objects.filter(tenant=tenant).values_list("field", "key", "value"):
        vocabularies.setdefault(field, {})[key] = value
    return vocabularies
