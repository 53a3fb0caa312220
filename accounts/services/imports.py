"""CSV imports of the kinds of rows the apps register (accounts.importing.kinds: accounts,
opportunities and account mapping here; leads and event attendance from the leads app). An upload is
read as a whole (accounts.importing.reading: a file that cannot be imported at all is refused with
the reason) and kept as an ImportJob awaiting its column mapping, pre-filled
(accounts.importing.columns). The user confirms the mapping, possibly saving it for the next file
with the same header and mapping unknown words of the file's vocabulary; then a worker upserts the
rows in chunks, committing progress and counts after each chunk so the job page can show them. Each
row is judged on its own (see accounts.services.upserts): the good rows are kept, each rejected row
is reported by row and column and kept as the file had it, for the download to fix and upload again.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.importing import columns as column_mapping
from accounts.importing.kinds import ImportKind, import_kind, import_kinds, register_import_kind
from accounts.importing.options import ReadOptions
from accounts.importing.reading import CsvFile, decode, read_csv
from accounts.importing.values import detect_date_order, detect_decimal_mark
from accounts.importing.vocabularies import fold_value
from accounts.models import AccountMapping, ImportJob, ImportMapping, Program, ValueMapping
from accounts.rows import (
    AccountRow,
    ClaimRow,
    MappingRow,
    NumberedRow,
    OpportunityRow,
    choice_key,
    duplicate_rows,
    fold,
    validate_rows,
)
from accounts.selectors.imports import import_mapping_for_header, import_mapping_named, vocabularies_for
from accounts.services.claims import claims_record
from accounts.services.upserts import (
    UpsertReport,
    accounts_upsert,
    lock_tenant,
    mappings_upsert,
    opportunities_upsert,
)
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Membership, Partner, Tenant
from partnerhub.tenancy.roles import can
from partnerhub.tenancy.services.common import check_partner_in_tenant, check_permission, membership_of
from partnerhub.tenancy.taxonomy import currency_code

logger = logging.getLogger(__name__)

# Rows upserted per transaction: progress is committed (and shown) after each chunk.
CHUNK_ROWS = 500
# The job keeps the first rejections (and their rows) for its report; its count stays exact beyond.
MAX_STORED_ERRORS = 5_000
# A job still queued this long after it was confirmed lost its task (broker down): the sweep runs it.
QUEUED_GRACE = timedelta(minutes=1)
# A job "running" this long without finishing lost its worker: the sweep resumes it. Resuming a
# job that is in fact still running is safe (each chunk is taken under the job's row lock), only
# wasteful, so this is generous.
STALE_RUNNING = timedelta(minutes=30)
SWEEP_BATCH = 10
# An upload left at the mapping step this long is discarded (its file is not kept forever).
MAPPING_KEPT = timedelta(days=7)
# Rows the mapping step previews.
PREVIEW_ROWS = 10
# The longest CRM word a vocabulary maps (ValueMapping.source_value and key).
MAX_WORD = 200
DATE_FIELDS = ("close_date", "created_date", "stage_changed_at", "occurred_at")


def vocabulary_fields() -> dict[str, tuple[tuple[str, str], ...]]:
    """{kind: ((row field, vocabulary), …)}: the fields whose words the tenant's vocabulary maps."""
    return {kind.name: kind.vocabulary_fields for kind in import_kinds() if kind.vocabulary_fields}


def saves_mappings() -> list[str]:
    """The kinds whose column mappings are saved (partners' own lists are mapped by names only)."""
    return [kind.name for kind in import_kinds() if kind.saves_mappings]


def job_rows(job: ImportJob, parsed: CsvFile) -> list[NumberedRow]:
    """The file's records read through the job's column mapping (a job queued before imports had a
    mapping step is mapped by its columns' names, as it was then)."""
    columns = job.columns or column_mapping.suggest_columns(job.kind, parsed.header)
    return column_mapping.mapped_rows(parsed.records, columns)


def _detected_options(parsed: CsvFile, columns: Sequence[str], saved: Mapping | None) -> ReadOptions:
    """What the file shows (date order, decimal mark), else what the saved mapping said."""
    base = ReadOptions.from_dict(saved)
    dates = [
        value for name in DATE_FIELDS for value in column_mapping.values_of(parsed.records, columns, name)
    ]
    amounts = column_mapping.values_of(parsed.records, columns, "amount")
    return dataclasses.replace(
        base,
        date_order=detect_date_order(dates) or base.date_order,
        decimal_mark=detect_decimal_mark(amounts) or base.decimal_mark,
    )


def _check_claims(tenant: Tenant, membership: Membership, partner: Partner | None) -> Partner | None:
    """A partner's own list of the companies it works with (accounts/services/claims.py)."""
    if partner is not None and partner.id != membership.partner_id:
        raise ServiceError("You can only upload your own company's accounts.", field="partner")
    return membership.partner


def _check_mappings(tenant: Tenant, membership: Membership, partner: Partner | None) -> Partner | None:
    """A mapping file belongs to a partner, and a partner user's is always their own company's."""
    if membership.is_partner_role:
        if partner is not None and partner.id != membership.partner_id:
            raise ServiceError("You can only upload your own company's accounts.", field="partner")
        partner = membership.partner
    if partner is None:
        raise ServiceError("Choose the partner whose accounts these are.", field="partner")
    check_partner_in_tenant(tenant, partner)
    return partner


def _check_uploader(
    tenant: Tenant,
    membership: Membership,
    kind: ImportKind,
    partner: Partner | None,
    program: Program | None = None,
) -> tuple[Partner | None, Program | None]:
    """Who may import what: the kind's permission, then what the upload names besides its file (a
    partner for a partner's accounts, a program for an attendee list, else nothing)."""
    if not can(membership.role, kind.permission):
        raise ServiceError(kind.refusal)
    if kind.check is not None:
        partner = kind.check(tenant, membership, partner)
    elif partner is not None:
        raise ServiceError("Only an account mapping file belongs to a partner.", field="partner")
    if kind.target != "program":
        if program is not None:
            raise ServiceError("Only an attendee list belongs to a program.", field="program")
        return partner, None
    if program is None:
        raise ServiceError("Choose the program whose attendees these are.", field="program")
    if program.tenant_id != tenant.id:
        raise ServiceError("No such program.", field="program")
    return partner, program


@transaction.atomic
def import_job_create(
    *,
    tenant: Tenant,
    actor: Actor,
    kind: str,
    filename: str,
    content_bytes: bytes,
    partner: Partner | None = None,
    program: Program | None = None,
) -> ImportJob:
    """Accept an upload: refuse a file that cannot be imported as a whole (see
    accounts.importing.reading), else keep it as a job awaiting its column mapping, pre-filled from
    the tenant's saved mapping for this header, a shipped preset, or the columns' names, and with
    the date order and decimal mark the file shows. Nothing is written to the CRM mirror yet."""
    partner, program = _check_uploader(
        tenant, membership_of(tenant=tenant, user=actor), import_kind(kind), partner, program
    )
    text = decode(content_bytes)
    parsed = read_csv(text)
    saved = None
    if import_kind(kind).saves_mappings:
        saved = import_mapping_for_header(
            tenant=tenant, kind=kind, signature=column_mapping.header_signature(parsed.header)
        )
    columns = column_mapping.suggest_columns(kind, parsed.header, saved=saved.columns if saved else None)
    options = _detected_options(parsed, columns, saved.options if saved else None)
    return ImportJob.objects.create(
        tenant=tenant,
        kind=kind,
        partner=partner,
        program=program,
        filename=PurePath(filename or "upload.csv").name[:255],
        content=text,
        header=parsed.header,
        columns=columns,
        options=options.as_dict(),
        saved_mapping=saved,
        total_rows=len(parsed.records),
        created_by=actor,
        status=ImportJob.Status.MAPPING,
    )


def _job_awaiting_mapping(tenant: Tenant, job_id: int, actor: Actor) -> ImportJob:
    """The job, locked, if the actor may start it: who may upload its kind, a partner user only
    their own company's."""
    membership = membership_of(tenant=tenant, user=actor)
    job = ImportJob.objects.select_for_update().filter(tenant=tenant, id=job_id).first()
    if job is None or (membership.is_partner_role and job.partner_id != membership.partner_id):
        raise ServiceError("No such import.")
    _check_uploader(tenant, membership, import_kind(job.kind), job.partner, job.program)
    if not job.awaits_mapping:
        raise ServiceError("This import has been started already; upload the file again to change it.")
    return job


@transaction.atomic
def import_job_discard(*, tenant: Tenant, actor: Actor, job_id: int) -> ImportJob:
    """Discard an upload at its mapping step: nothing was written, and its file is dropped."""
    job = _job_awaiting_mapping(tenant, job_id, actor)
    _discard(job, "Discarded at the mapping step; nothing was imported.")
    audit(tenant=tenant, actor=actor, action="import.discarded", target=job, before={"status": "mapping"})
    return job


def _discard(job: ImportJob, reason: str) -> None:
    job.status, job.content, job.failure = ImportJob.Status.CANCELLED, "", reason
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "content", "failure", "finished_at"])


def import_jobs_discard_abandoned(*, batch: int = SWEEP_BATCH * 10) -> int:
    """Periodic, cross-tenant: discard uploads left at the mapping step for MAPPING_KEPT."""
    cutoff = timezone.now() - MAPPING_KEPT
    due = list(
        ImportJob.unscoped.filter(status=ImportJob.Status.MAPPING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("id", "tenant_id")[:batch]
    )
    tenants = Tenant.objects.in_bulk({tenant_id for _, tenant_id in due})
    for job_id, tenant_id in due:
        tenant = tenants[tenant_id]
        with tenant_context(tenant), transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(skip_locked=True)
                .filter(tenant=tenant, id=job_id, status=ImportJob.Status.MAPPING)
                .first()
            )
            if job is not None:
                _discard(job, f"Discarded: its columns were not mapped within {MAPPING_KEPT.days} days.")
    return len(due)


def _checked_options(data: Mapping) -> ReadOptions:
    options = ReadOptions.from_dict(data)
    if options.currency and currency_code(options.currency) is None:
        raise ServiceError(f"“{options.currency}” is not a currency code.", field="currency")
    return options


@dataclass
class UnknownWord:
    """A word of the file that no vocabulary maps: the mapping step offers to map it."""

    field: str
    vocabulary: str
    word: str
    rows: int


def unknown_words(
    tenant: Tenant, job: ImportJob, parsed: CsvFile, columns: Sequence[str]
) -> list[UnknownWord]:
    """The stage (or industry) names of the file PartnerHub cannot read yet, with how many rows
    have each: the mapping step offers the tenant's vocabulary for them."""
    serializer_class = import_kind(job.kind).row
    vocabularies = vocabularies_for(tenant)
    unknown = []
    for field_name, vocabulary in import_kind(job.kind).vocabulary_fields:
        known = serializer_class._declared_fields[field_name].lookup_for(tenant)  # one query at most
        counts: dict[str, int] = {}
        for value in column_mapping.values_of(parsed.records, columns, field_name):
            counts[value] = counts.get(value, 0) + 1
        for word, rows in counts.items():
            folded = fold_value(word)
            if len(word) > MAX_WORD or len(folded) > MAX_WORD:
                continue  # too long to be a vocabulary's word: its rows say why they are rejected
            if choice_key(word) in known or vocabularies.get(vocabulary, {}).get(folded):
                continue
            if not any(fold_value(seen.word) == folded for seen in unknown):
                unknown.append(UnknownWord(field=field_name, vocabulary=vocabulary, word=word, rows=rows))
    return unknown


@dataclass
class PreviewRow:
    number: int
    values: dict  # as read, if the row is valid
    errors: list[dict]
    written: dict  # the row's cells by field, as the file writes them


def import_preview(
    *,
    tenant: Tenant,
    job: ImportJob,
    parsed: CsvFile,
    columns: Sequence[str],
    options: ReadOptions,
    words: Mapping[str, Mapping[str, str]] | None = None,
) -> list[PreviewRow]:
    """The first rows of the job's file (`parsed`, read once by the caller) as they will be read
    with this mapping (and the words mapped on the page, not saved yet), and what is wrong with
    each; nothing is written. Rows are checked alone: whether a row creates or updates shows after
    the import."""
    rows = column_mapping.mapped_rows(parsed.records[:PREVIEW_ROWS], columns)
    valid, rejected = validate_rows(
        import_kind(job.kind).row, tenant=tenant, rows=rows, options=options, words=words
    )
    by_number = {number: data for number, data in valid}
    errors: dict[int, list[dict]] = {}
    for entry in rejected:
        errors.setdefault(entry["row"], []).append(entry)
    return [
        PreviewRow(
            number=number, values=by_number.get(number, {}), errors=errors.get(number, []), written=dict(row)
        )
        for number, row in rows
    ]


@transaction.atomic
def value_mappings_save(
    *, tenant: Tenant, actor: Actor, vocabulary: str, words: Mapping[str, str]
) -> list[ValueMapping]:
    """Map CRM words to PartnerHub values in a vocabulary (a word mapped again takes the new
    value); each change audited. Values are checked against the vocabulary's field."""
    check_permission(tenant, actor, "account.change", "Your role cannot change the import vocabulary.")
    if vocabulary not in ValueMapping.Field.values:
        raise ServiceError("No such vocabulary.", field="vocabulary")
    allowed = _vocabulary_values(tenant, vocabulary)
    # Two imports mapping the same new word at once take turns (the second finds the first's row),
    # never a unique-key error.
    lock_tenant(tenant, "vocabulary")
    saved = []
    for word, value in words.items():
        word, key = str(word).strip(), fold_value(word)
        if not key or not value:
            continue
        if len(word) > MAX_WORD or len(key) > MAX_WORD:
            raise ServiceError(f"A word to map has at most {MAX_WORD} characters.", field="word")
        if value not in allowed:
            raise ServiceError(f"“{value}” is not a value of this vocabulary.", field="value")
        if _own_word(tenant, vocabulary, word):
            raise ServiceError(
                f"“{word}” is one of PartnerHub's own values and always means itself.", field="word"
            )
        mapping = ValueMapping.objects.filter(tenant=tenant, field=vocabulary, key=key).first()
        before = {"value": mapping.value} if mapping else None
        if mapping is None:
            mapping = ValueMapping(tenant=tenant, field=vocabulary, key=key, source_value=word)
        if mapping.pk and mapping.value == value:
            continue
        mapping.value, mapping.updated_by, mapping.updated_at = value, actor, timezone.now()
        mapping.save()
        audit(
            tenant=tenant,
            actor=actor,
            action="vocabulary.mapped",
            target=mapping,
            before=before,
            after={"field": vocabulary, "word": word, "value": value},
        )
        saved.append(mapping)
    return saved


def _own_word(tenant: Tenant, vocabulary: str, word: str) -> bool:
    """Whether a row field read through `vocabulary` knows `word` without it (its own values and
    labels come first, so a mapping of such a word would never apply)."""
    for kind in import_kinds():
        for field_name, name in kind.vocabulary_fields:
            if name == vocabulary and kind.row._declared_fields[field_name].knows(word, tenant):
                return True
    return False


def _vocabulary_values(tenant: Tenant, vocabulary: str) -> set[str]:
    from accounts.models import OpportunityStage
    from partnerhub.tenancy.selectors import vertical_choices
    from partnerhub.tenancy.taxonomy import Region

    if vocabulary == ValueMapping.Field.OPPORTUNITY_STAGE:
        return set(OpportunityStage.values)
    if vocabulary == ValueMapping.Field.INDUSTRY:
        return {value for value, _ in vertical_choices(tenant=tenant)}
    if vocabulary == ValueMapping.Field.REGION:
        return set(Region.values)
    return {str(pk) for pk in Partner.objects.filter(tenant=tenant).values_list("id", flat=True)}


@transaction.atomic
def value_mapping_delete(*, tenant: Tenant, actor: Actor, value_mapping_id: int) -> None:
    check_permission(tenant, actor, "account.change", "Your role cannot change the import vocabulary.")
    mapping = ValueMapping.objects.filter(tenant=tenant, id=value_mapping_id).first()
    if mapping is None:
        raise ServiceError("No such mapping.")
    audit(
        tenant=tenant,
        actor=actor,
        action="vocabulary.unmapped",
        target=mapping,
        before={"field": mapping.field, "word": mapping.source_value, "value": mapping.value},
    )
    mapping.delete()


def import_mapping_save(
    *,
    tenant: Tenant,
    actor: Actor,
    kind: str,
    name: str,
    header: Sequence[str],
    columns: Sequence[str],
    options: ReadOptions,
) -> ImportMapping:
    """Save (or replace, by name) the column mapping of a source, for files with the same header."""
    name = " ".join(str(name).split())[:100]
    if not name:
        raise ServiceError("Name the mapping, e.g. “Salesforce accounts report”.", field="save_as")
    repeated = column_mapping.repeated_names(header)
    if repeated:
        raise ServiceError(
            f"The file has more than one column named {', '.join(repeated)}: a saved mapping knows columns "
            "by name, so this one cannot be saved. Import without saving, or rename the columns.",
            field="save_as",
        )
    values = {
        "columns": column_mapping.saved_columns(header, columns),
        "signature": column_mapping.header_signature(header),
        "options": options.as_dict(),
        "updated_at": timezone.now(),
    }
    mapping = import_mapping_named(tenant=tenant, kind=kind, name=name)
    if mapping is not None and mapping.signature != values["signature"]:
        raise ServiceError(
            f"The saved mapping “{mapping.name}” is for files with other columns: choose another name, "
            "or delete that mapping first (Imports → Saved mappings).",
            field="save_as",
        )
    before = {"columns": mapping.columns} if mapping else None
    if mapping is None:
        mapping = ImportMapping(tenant=tenant, kind=kind, name=name, created_by=actor)
    for field_name, value in values.items():
        setattr(mapping, field_name, value)
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError as exc:
        raise ServiceError("A saved mapping of this kind already has this name.", field="save_as") from exc
    audit(
        tenant=tenant,
        actor=actor,
        action="import_mapping.saved",
        target=mapping,
        before=before,
        after={"name": name, "columns": mapping.columns},
    )
    return mapping


@transaction.atomic
def import_mapping_delete(*, tenant: Tenant, actor: Actor, import_mapping_id: int) -> None:
    check_permission(tenant, actor, "account.change", "Your role cannot change saved mappings.")
    mapping = ImportMapping.objects.filter(tenant=tenant, id=import_mapping_id).first()
    if mapping is None:
        raise ServiceError("No such mapping.")
    audit(
        tenant=tenant,
        actor=actor,
        action="import_mapping.deleted",
        target=mapping,
        before={"name": mapping.name},
    )
    mapping.delete()


@transaction.atomic
def import_job_confirm(
    *,
    tenant: Tenant,
    actor: Actor,
    job_id: int,
    columns: Sequence[str],
    options: Mapping | ReadOptions,
    save_as: str = "",
    words: Mapping[str, Mapping[str, str]] | None = None,
) -> ImportJob:
    """Start an import with the mapping the user confirmed: check it (every required field has a
    column, none twice), map the words given ({vocabulary: {word: value}}) in the tenant's
    vocabulary, save the mapping under `save_as` if named, and have a worker run the job after
    commit. If the broker is down the job stays queued and the periodic sweep runs it."""
    from partnerhub.tenancy.tasking import enqueue_on_commit

    job = _job_awaiting_mapping(tenant, job_id, actor)
    columns = [str(column) for column in columns]
    problems = column_mapping.check_columns(job.kind, job.header, columns)
    if problems:
        raise ServiceError(" ".join(problems), field="columns")
    options = options if isinstance(options, ReadOptions) else _checked_options(options)
    for vocabulary, mapped in (words or {}).items():
        value_mappings_save(tenant=tenant, actor=actor, vocabulary=vocabulary, words=mapped)
    if save_as and import_kind(job.kind).saves_mappings:
        job.saved_mapping = import_mapping_save(
            tenant=tenant,
            actor=actor,
            kind=job.kind,
            name=save_as,
            header=job.header,
            columns=columns,
            options=options,
        )
    job.columns, job.options, job.status = columns, options.as_dict(), ImportJob.Status.QUEUED
    job.created_at = timezone.now()  # the sweep's grace counts from here
    job.save(update_fields=["columns", "options", "status", "saved_mapping", "created_at"])
    enqueue_on_commit("accounts.run_import", tenant_id=tenant.id, job_id=job.id)
    return job


def rows_through_mapping(saved: ImportMapping, rows: Sequence[Mapping]) -> list[Mapping]:
    """Rows keyed by a CRM's own field names, read through a saved mapping (the bulk API's
    `mapping`): keys the mapping ignores or does not name are left out."""
    fields = {fold(name): field for name, field in saved.columns.items() if field}
    return [
        {
            fields[fold(key)]: value
            for key, value in row.items()
            if isinstance(key, str) and fold(key) in fields
        }
        if isinstance(row, Mapping)
        else row
        for row in rows
    ]


# --- Running a job ------------------------------------------------------------------------------


def _upsert(job: ImportJob, rows: list[NumberedRow]) -> UpsertReport:
    return import_kind(job.kind).upsert(job, rows)


JOB_PROGRESS_FIELDS = [
    "processed_rows",
    "created_count",
    "updated_count",
    "unchanged_count",
    "rejected_count",
    "errors",
    "rejected_records",
    "notices",
]


@transaction.atomic
def _claim(tenant: Tenant, job_id: int) -> ImportJob | None:
    """Mark the job running, unless it is finished or another worker holds it right now."""
    job = (
        ImportJob.objects.select_for_update(skip_locked=True)
        .filter(tenant=tenant, id=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        .first()
    )
    if job is not None and job.status == ImportJob.Status.QUEUED:
        job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


@transaction.atomic
def _run_chunk(
    tenant: Tenant,
    job_id: int,
    records: Mapping[int, list],
    rows: list[NumberedRow],
    refused: dict[int, dict],
) -> bool:
    """Upsert the next chunk and record it, in one transaction under the job's row lock: the rows
    and the progress commit together, so a worker that dies mid-chunk leaves neither, and two
    workers on one job never take the same chunk. Returns whether rows remain."""
    job = (
        ImportJob.objects.select_for_update(of=("self",))
        .select_related("tenant", "partner", "program", "created_by")
        .defer("content")  # read once per run, not once per chunk
        .get(tenant=tenant, id=job_id)
    )
    if job.status != ImportJob.Status.RUNNING:
        return False
    chunk = rows[job.processed_rows : job.processed_rows + CHUNK_ROWS]
    if chunk:
        report = _upsert(job, [(number, row) for number, row in chunk if number not in refused])
        report.rejected.extend(refused[number] for number, _ in chunk if number in refused)
        report.rejected.sort(key=lambda entry: entry["row"])
        job.processed_rows += len(chunk)
        job.created_count += report.created
        job.updated_count += report.updated
        job.unchanged_count += report.unchanged
        job.rejected_count += report.rejected_rows
        job.errors = job.errors + report.rejected[: max(0, MAX_STORED_ERRORS - len(job.errors))]
        _keep_rejected_records(job, records, {entry["row"] for entry in report.rejected})
        for notice, count in report.notices.items():
            job.notices[notice] = job.notices.get(notice, 0) + count
    update_fields = list(JOB_PROGRESS_FIELDS)
    if job.processed_rows >= job.total_rows:
        # The rows are in the tables now; the upload itself is not kept (the report is).
        job.status, job.finished_at, job.content = ImportJob.Status.DONE, timezone.now(), ""
        update_fields += ["status", "finished_at", "content"]
        if job.created_count or job.updated_count:
            audit(
                tenant=tenant,
                actor=job.created_by,
                action=import_kind(job.kind).audit_action,
                target=job,
                after={
                    "created": job.created_count,
                    "updated": job.updated_count,
                    "unchanged": job.unchanged_count,
                    "rejected": job.rejected_count,
                },
            )
    job.save(update_fields=update_fields)
    return job.status == ImportJob.Status.RUNNING


def _keep_rejected_records(job: ImportJob, records: Mapping[int, list], numbers: set[int]) -> None:
    """Keep the rejected rows as the file had them (the first MAX_STORED_ERRORS), for the download."""
    room = MAX_STORED_ERRORS - len(job.rejected_records)
    if room <= 0 or not numbers:
        return
    for number in sorted(numbers)[:room]:
        job.rejected_records[str(number)] = records.get(number, [])


def _fail(tenant: Tenant, job_id: int, failure: str) -> None:
    ImportJob.objects.filter(tenant=tenant, id=job_id, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.FAILED, failure=failure, finished_at=timezone.now()
    )


def import_job_run(*, tenant: Tenant, job_id: int) -> ImportJob | None:
    """Run a job to the end, a chunk at a time, resuming after the rows already done.

    Idempotent: a finished job is left alone; a job whose worker died is resumed where its last
    committed chunk ended. Rows that repeat an earlier row's key anywhere in the file are rejected
    (the first one wins), judged over the whole file each run so a resumed run judges alike. An
    unexpected error (a chunk fails twice) marks the job failed, keeping the chunks already done.
    """
    job = _claim(tenant, job_id)
    if job is None:
        return None
    try:
        parsed = read_csv(job.content)
    except ServiceError as exc:  # checked at upload: only a file changed since could get here
        _fail(tenant, job_id, exc.message)
        return ImportJob.objects.get(tenant=tenant, id=job_id)
    rows = job_rows(job, parsed)
    serializer_class = import_kind(job.kind).row
    refused = dict(parsed.rejected)
    refused.update(
        duplicate_rows(serializer_class, [(number, row) for number, row in rows if number not in refused])
    )
    records = dict(parsed.records)  # by row number, for the rejected rows' download
    attempts = 0
    while True:
        try:
            if not _run_chunk(tenant, job_id, records, rows, refused):
                break
            attempts = 0
        except Exception as exc:
            attempts += 1
            # A row written concurrently by someone else can trip a constraint once: retry the chunk.
            if attempts < 2:
                continue
            logger.exception("Import job %s failed", job_id)
            done = ImportJob.objects.filter(tenant=tenant, id=job_id).values_list(
                "processed_rows", flat=True
            )[0]
            _fail(
                tenant,
                job_id,
                f"An unexpected error ({type(exc).__name__}) stopped the import after {done} rows; "
                "those rows were kept. Upload the file again to finish it.",
            )
            break
    return ImportJob.objects.defer("content").get(tenant=tenant, id=job_id)


def _due_jobs() -> Q:
    now = timezone.now()
    return Q(status=ImportJob.Status.QUEUED, created_at__lt=now - QUEUED_GRACE) | Q(
        status=ImportJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING
    )


def _claim_due(tenant: Tenant, job_id: int) -> ImportJob | None:
    """Mark one due job running (or bump its resume time) under SKIP LOCKED, inside its tenant, so
    concurrent sweeps take different jobs; None if another sweep holds it or it finished meanwhile."""
    with tenant_context(tenant), transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_due_jobs(), id=job_id)
            .first()
        )
        if job is not None:
            # started_at doubles as "last (re)started": a resumed job is not taken again next minute.
            job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
            job.save(update_fields=["status", "started_at"])
        return job


def import_jobs_sweep(*, batch: int = SWEEP_BATCH) -> int:
    """Periodic, cross-tenant: run up to `batch` jobs left queued (the broker was down when they
    were uploaded) or left running by a dead worker. The due jobs are listed once across tenants
    (a read), then each is claimed and run inside its own tenant. Returns how many it ran."""
    due = list(
        ImportJob.unscoped.filter(_due_jobs()).order_by("created_at").values_list("id", "tenant_id")[:batch]
    )
    tenants = Tenant.objects.in_bulk({tenant_id for _, tenant_id in due})
    ran = 0
    for job_id, tenant_id in due:
        tenant = tenants[tenant_id]
        if _claim_due(tenant, job_id) is None:
            continue
        with tenant_context(tenant):
            import_job_run(tenant=tenant, job_id=job_id)
        ran += 1
    return ran


# --- The kinds of rows accounts imports ---------------------------------------------------------


def _job_upsert(upsert):
    """An import kind's `upsert(job, rows)` for a CRM-mirror upsert (accounts, opportunities)."""

    def run(job: ImportJob, rows: list[NumberedRow]) -> UpsertReport:
        options = ReadOptions.from_dict(job.options)
        return upsert(
            tenant=job.tenant, actor=job.created_by, rows=rows, summary_audit=False, options=options
        )

    return run


def _mappings_upsert(job: ImportJob, rows: list[NumberedRow]) -> UpsertReport:
    return mappings_upsert(
        tenant=job.tenant,
        actor=job.created_by,
        partner=job.partner,
        rows=rows,
        source=AccountMapping.Source.STAFF,  # a partner uploader's rows are marked as theirs
        summary_audit=False,
        options=ReadOptions.from_dict(job.options),
    )


def _claims_record(job: ImportJob, rows: list[NumberedRow]) -> UpsertReport:
    return claims_record(tenant=job.tenant, actor=job.created_by, rows=rows)  # the uploader's own company's


def register_account_kinds() -> None:
    """The kinds accounts imports, registered like any app's (AccountsConfig.ready)."""
    for kind in (
        ImportKind(
            name=ImportJob.Kind.ACCOUNTS,
            label=ImportJob.Kind.ACCOUNTS.label,
            upload_label="Target accounts",
            row=AccountRow,
            upsert=_job_upsert(accounts_upsert),
            audit_action="account.imported",
            refusal="Your role cannot import accounts or opportunities.",
            vocabulary_fields=(("industry", ValueMapping.Field.INDUSTRY),),
        ),
        ImportKind(
            name=ImportJob.Kind.OPPORTUNITIES,
            label=ImportJob.Kind.OPPORTUNITIES.label,
            row=OpportunityRow,
            upsert=_job_upsert(opportunities_upsert),
            audit_action="opportunity.imported",
            refusal="Your role cannot import accounts or opportunities.",
            vocabulary_fields=(("stage", ValueMapping.Field.OPPORTUNITY_STAGE),),
        ),
        ImportKind(
            name=ImportJob.Kind.MAPPINGS,
            label=ImportJob.Kind.MAPPINGS.label,
            row=MappingRow,
            upsert=_mappings_upsert,
            audit_action="mapping.imported",
            permission="mapping.change",
            refusal="Your role cannot upload account mapping.",
            target="partner",
            check=_check_mappings,
            upload_page="",
        ),
        ImportKind(
            name=ImportJob.Kind.CLAIMS,
            label=ImportJob.Kind.CLAIMS.label,
            row=ClaimRow,
            upsert=_claims_record,
            audit_action="claim.imported",
            permission="claim.change",
            refusal="Only a partner uploads its own list of accounts.",
            target="partner",
            check=_check_claims,
            saves_mappings=False,
            upload_page="",
        ),
    ):
        register_import_kind(kind)
