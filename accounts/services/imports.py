"""CSV imports of accounts, opportunities and account mapping: an upload is checked as a whole and
kept as an ImportJob, then a worker upserts its rows in chunks, committing progress and counts
after each chunk so the job page can show them.

Whole-file rules (a file that breaks one is refused at upload, with the reason): at most
MAX_IMPORT_BYTES and MAX_IMPORT_ROWS; UTF-8 (with or without byte-order mark), UTF-16 with a
byte-order mark, or else Windows-1252; comma, semicolon or tab separated (read from the header);
the first row names the columns (case, spaces and common aliases do not matter) and has every
required column. Each row is then judged on its own (see accounts.services.upserts).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AccountMapping, ImportJob
from accounts.rows import (
    ROW_SERIALIZERS,
    NumberedRow,
    RowSerializer,
    duplicate_rows,
    missing_columns,
    rejection,
)
from accounts.services.claims import claims_record
from accounts.services.upserts import UpsertReport, accounts_upsert, mappings_upsert, opportunities_upsert
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Membership, Partner, Tenant
from partnerhub.tenancy.roles import can
from partnerhub.tenancy.services.common import check_partner_in_tenant, membership_of

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
# Rows upserted per transaction: progress is committed (and shown) after each chunk.
CHUNK_ROWS = 500
# The job keeps the first rejections for its report; its rejected count stays exact beyond.
MAX_STORED_ERRORS = 5_000
# A job still queued this long after upload lost its task (broker down): the sweep runs it.
QUEUED_GRACE = timedelta(minutes=1)
# A job "running" this long without finishing lost its worker: the sweep resumes it. Resuming a
# job that is in fact still running is safe (each chunk is taken under the job's row lock), only
# wasteful, so this is generous.
STALE_RUNNING = timedelta(minutes=30)
SWEEP_BATCH = 10

DELIMITERS = (",", ";", "\t")


@dataclass
class ParsedFile:
    """The rows of a CSV file keyed by column, each numbered as a spreadsheet shows it (the header
    is row 1), and the rows refused for their shape (too many values)."""

    columns: list[str | None]
    rows: list[NumberedRow] = field(default_factory=list)
    rejected: dict[int, dict] = field(default_factory=dict)


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ServiceError("The file could not be read as UTF-16 text.", field="file") from exc
    if b"\x00" in content:
        raise ServiceError("This is not a CSV file (it holds binary data).", field="file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(
        "The file is neither UTF-8 nor Windows-1252 text: save it as “CSV UTF-8” and upload it again.",
        field="file",
    )


def _delimiter(text: str) -> str:
    """The separator the header uses most: spreadsheets in many locales write semicolons."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _header(serializer_class: type[RowSerializer], record: list[str]) -> list[str | None]:
    columns: list[str | None] = []
    named: dict[str, str] = {}
    for cell in record:
        column = serializer_class.column_for(cell) if cell.strip() else None
        if column is not None and column in named:
            raise ServiceError(
                f"The columns “{named[column]}” and “{cell.strip()}” both give {column}; keep one of them.",
                field="file",
            )
        if column is not None:
            named[column] = cell.strip()
        columns.append(column)
    missing = missing_columns(serializer_class, named)
    if missing:
        raise ServiceError(
            f"The file has no column for {', '.join(missing)}. Its first row must name the columns "
            f"(found: {', '.join(cell.strip() for cell in record if cell.strip()) or 'nothing'}); "
            "the template shows them.",
            field="file",
        )
    return columns


def parse_csv(kind: str, text: str) -> ParsedFile:
    """Read a whole file; refuse it (ServiceError) if it cannot be imported at all."""
    serializer_class = ROW_SERIALIZERS[kind]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(text))
    parsed = None
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if parsed is None:
                parsed = ParsedFile(columns=_header(serializer_class, record))
                continue
            if not any(cell.strip() for cell in record):
                continue  # a blank line is not a row, but keeps its number
            width = len(parsed.columns)
            if any(cell.strip() for cell in record[width:]):
                parsed.rejected[number] = rejection(
                    number,
                    "",
                    f"This row has {len(record)} values but the header names {width} columns: "
                    "quote values that contain the separator.",
                )
            row = {
                column: cell
                for column, cell in zip(parsed.columns, record, strict=False)
                if column is not None
            }
            parsed.rows.append((number, row))
            if len(parsed.rows) > MAX_IMPORT_ROWS:
                raise ServiceError(
                    f"The file has more than {MAX_IMPORT_ROWS:,} rows; split it into smaller files.",
                    field="file",
                )
    except csv.Error as exc:
        raise ServiceError(f"Row {number + 1} could not be read as CSV: {exc}.", field="file") from exc
    if parsed is None:
        raise ServiceError("The file is empty.", field="file")
    if not parsed.rows:
        raise ServiceError("The file has a header but no rows.", field="file")
    return parsed


def _check_uploader(
    tenant: Tenant, membership: Membership, kind: str, partner: Partner | None
) -> Partner | None:
    """Who may import what: account and opportunity files need the right to change accounts; a
    mapping file belongs to a partner, and a partner user's is always their own company's."""
    if kind not in ImportJob.Kind.values:
        raise ServiceError("Choose what the file holds.", field="kind")
    if kind == ImportJob.Kind.CLAIMS:
        # A partner's own list of the companies it works with (accounts/services/claims.py).
        if not can(membership.role, "claim.change"):
            raise ServiceError("Only a partner uploads its own list of accounts.")
        if partner is not None and partner.id != membership.partner_id:
            raise ServiceError("You can only upload your own company's accounts.", field="partner")
        return membership.partner
    if kind != ImportJob.Kind.MAPPINGS:
        if not can(membership.role, "account.change"):
            raise ServiceError("Your role cannot import accounts or opportunities.")
        if partner is not None:
            raise ServiceError("Only an account mapping file belongs to a partner.", field="partner")
        return None
    if not can(membership.role, "mapping.change"):
        raise ServiceError("Your role cannot upload account mapping.")
    if membership.is_partner_role:
        if partner is not None and partner.id != membership.partner_id:
            raise ServiceError("You can only upload your own company's accounts.", field="partner")
        partner = membership.partner
    if partner is None:
        raise ServiceError("Choose the partner whose accounts these are.", field="partner")
    check_partner_in_tenant(tenant, partner)
    return partner


@transaction.atomic
def import_job_create(
    *,
    tenant: Tenant,
    actor: Actor,
    kind: str,
    filename: str,
    content_bytes: bytes,
    partner: Partner | None = None,
) -> ImportJob:
    """Accept a CSV upload: refuse a file that cannot be imported as a whole (see the module's
    rules), else keep it as a queued job and have a worker run it after commit. If the broker is
    down the job stays queued and the periodic sweep runs it (`import_jobs_sweep`)."""
    from partnerhub.tenancy.tasking import enqueue_on_commit

    partner = _check_uploader(tenant, membership_of(tenant=tenant, user=actor), kind, partner)
    if len(content_bytes) > MAX_IMPORT_BYTES:
        raise ServiceError(
            f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it into smaller files.",
            field="file",
        )
    text = _decode(content_bytes)
    parsed = parse_csv(kind, text)
    job = ImportJob.objects.create(
        tenant=tenant,
        kind=kind,
        partner=partner,
        filename=PurePath(filename or "upload.csv").name[:255],
        content=text,
        total_rows=len(parsed.rows),
        created_by=actor,
    )
    enqueue_on_commit("accounts.run_import", tenant_id=tenant.id, job_id=job.id)
    return job


# --- Running a job ------------------------------------------------------------------------------


def _upsert(job: ImportJob, rows: list[NumberedRow]) -> UpsertReport:
    tenant, actor = job.tenant, job.created_by
    if job.kind == ImportJob.Kind.ACCOUNTS:
        return accounts_upsert(tenant=tenant, actor=actor, rows=rows, summary_audit=False)
    if job.kind == ImportJob.Kind.OPPORTUNITIES:
        return opportunities_upsert(tenant=tenant, actor=actor, rows=rows, summary_audit=False)
    if job.kind == ImportJob.Kind.CLAIMS:
        return claims_record(tenant=tenant, actor=actor, rows=rows)  # the uploader's own company's
    return mappings_upsert(
        tenant=tenant,
        actor=actor,
        partner=job.partner,
        rows=rows,
        source=AccountMapping.Source.STAFF,  # a partner uploader's rows are marked as theirs
        summary_audit=False,
    )


JOB_PROGRESS_FIELDS = [
    "processed_rows",
    "created_count",
    "updated_count",
    "unchanged_count",
    "rejected_count",
    "errors",
]
IMPORT_AUDIT_ACTIONS = {
    ImportJob.Kind.ACCOUNTS: "account.imported",
    ImportJob.Kind.OPPORTUNITIES: "opportunity.imported",
    ImportJob.Kind.MAPPINGS: "mapping.imported",
    ImportJob.Kind.CLAIMS: "claim.imported",
}


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
def _run_chunk(tenant: Tenant, job_id: int, rows: list[NumberedRow], refused: dict[int, dict]) -> bool:
    """Upsert the next chunk and record it, in one transaction under the job's row lock: the rows
    and the progress commit together, so a worker that dies mid-chunk leaves neither, and two
    workers on one job never take the same chunk. Returns whether rows remain."""
    job = (
        ImportJob.objects.select_for_update(of=("self",))
        .select_related("tenant", "partner", "created_by")
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
    update_fields = list(JOB_PROGRESS_FIELDS)
    if job.processed_rows >= job.total_rows:
        # The rows are in the tables now; the upload itself is not kept (the report is).
        job.status, job.finished_at, job.content = ImportJob.Status.DONE, timezone.now(), ""
        update_fields += ["status", "finished_at", "content"]
        if job.created_count or job.updated_count:
            audit(
                tenant=tenant,
                actor=job.created_by,
                action=IMPORT_AUDIT_ACTIONS[job.kind],
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
        parsed = parse_csv(job.kind, job.content)
    except ServiceError as exc:  # checked at upload: only a file changed since could get here
        _fail(tenant, job_id, exc.message)
        return ImportJob.objects.get(tenant=tenant, id=job_id)
    serializer_class = ROW_SERIALIZERS[job.kind]
    refused = dict(parsed.rejected)
    refused.update(
        duplicate_rows(
            serializer_class, [(number, row) for number, row in parsed.rows if number not in refused]
        )
    )
    attempts = 0
    while True:
        try:
            if not _run_chunk(tenant, job_id, parsed.rows, refused):
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
