"""Reads of CSV import jobs, saved column mappings and the tenant's import vocabularies."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.importing.vocabularies import BUILTIN, fold_value, region_of_country
from accounts.models import ImportJob, ImportMapping, OpportunityStage, ValueMapping
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.selectors import vertical_choices

# PartnerHub's own values of a vocabulary: a word that is one of them (or its label) reads as it.
OWN_VALUES = {ValueMapping.Field.OPPORTUNITY_STAGE: OpportunityStage.choices}  # industries: the tenant's


def import_job_list(*, tenant: Tenant) -> QuerySet[ImportJob]:
    """Import jobs for the history list, without the uploaded file or the rejections."""
    return (
        ImportJob.objects.filter(tenant=tenant)
        .select_related("partner", "created_by")
        .defer("content", "errors", "rejected_records")
        .order_by("-created_at", "-id")
    )


def import_job_detail(*, tenant: Tenant) -> QuerySet[ImportJob]:
    """An import job with its report, without the uploaded file or its rejected rows as written
    (the job page polls this every second; the rows load only for their download)."""
    return (
        ImportJob.objects.filter(tenant=tenant)
        .select_related("partner", "created_by", "saved_mapping")
        .defer("content", "rejected_records")
    )


def import_job_with_file(*, tenant: Tenant) -> QuerySet[ImportJob]:
    """An import job with its uploaded file, for the mapping step."""
    return ImportJob.objects.filter(tenant=tenant).select_related("partner", "created_by", "saved_mapping")


def may_download_file_rows(membership, job: ImportJob) -> bool:
    """The rejected rows as the file had them show every column of the file: staff see them, a
    partner user only those of a file it uploaded itself (not one staff uploaded for its company)."""
    return not membership.is_partner_role or job.created_by_id == membership.user_id


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


def builtin_words(*, tenant: Tenant) -> dict[str, dict[str, str]]:
    """{field: {folded CRM word: PartnerHub value}} of the built-in vocabulary that still applies:
    the words the tenant has not mapped itself (its own mapping comes first, see vocabularies_for)."""
    own = set(ValueMapping.objects.filter(tenant=tenant).values_list("field", "key"))
    return {
        field: {key: value for key, value in words.items() if (field, key) not in own}
        for field, words in BUILTIN.items()
    }


def builtin_meaning(*, tenant: Tenant, field: str, word: str) -> str | None:
    """What a word means without the tenant's own mapping of it: PartnerHub's own value (or label;
    for industries the tenant's verticals), the built-in vocabulary's, for a country the region it
    is in; None when it is unknown."""
    if field == ValueMapping.Field.REGION:
        return region_of_country(word)
    folded = fold_value(word)
    own = (
        vertical_choices(tenant=tenant) if field == ValueMapping.Field.INDUSTRY else OWN_VALUES.get(field, ())
    )
    for value, label in own:
        if folded in (fold_value(value), fold_value(label)):
            return str(value)
    return BUILTIN.get(field, {}).get(folded)


def vocabularies_for(tenant: Tenant) -> dict[str, dict[str, str]]:
    """{field: {folded CRM word: PartnerHub value}}: the tenant's mappings over the built-in ones.
    One query, for a whole batch of rows."""
    vocabularies = {field: dict(words) for field, words in BUILTIN.items()}
    for field, key, value in ValueMapping.objects.filter(tenant=tenant).values_list("field", "key", "value"):
        vocabularies.setdefault(field, {})[key] = value
    return vocabularies
