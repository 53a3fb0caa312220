"""Reading an uploaded file as CRMs and spreadsheets write it: the text encoding, the separator, the
header row, the records numbered as a spreadsheet shows them (the header is row 1), and the footer
Salesforce report exports append after the data, which is skipped.

Whole-file rules (a file that breaks one is refused, with the reason): at most MAX_IMPORT_BYTES,
MAX_IMPORT_ROWS and MAX_IMPORT_COLUMNS; UTF-8 (with or without byte-order mark), UTF-16 with a
byte-order mark, or else Windows-1252; comma, semicolon or tab separated (read from the header); a
first row that names the columns, and at least one row under it.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from accounts.importing.values import is_report_footer
from accounts.rows import rejection
from partnerhub.tenancy.errors import ServiceError

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
# The mapping step is a form with a field per column, and Django accepts at most
# DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields in a post: keep room for the others.
MAX_IMPORT_COLUMNS = 900
DELIMITERS = (",", ";", "\t")


@dataclass
class CsvFile:
    """A file's header, its records (row number, cells) and the rows refused for their shape."""

    header: list[str]
    records: list[tuple[int, list[str]]] = field(default_factory=list)
    rejected: dict[int, dict] = field(default_factory=dict)


def decode(content: bytes) -> str:
    if len(content) > MAX_IMPORT_BYTES:
        raise ServiceError(
            f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it into smaller files.",
            field="file",
        )
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


def _without_footer(records: list[tuple[int, list[str]]], width: int) -> list[tuple[int, list[str]]]:
    """The records before a report footer: from the end, drop the lines that are footer lines."""
    end = len(records)
    while end and is_report_footer(records[end - 1][1], width):
        end -= 1
    return records[:end]


def read_csv(text: str) -> CsvFile:
    """Read a whole file; refuse it (ServiceError) if it cannot be imported at all."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if header is None:
                header = [cell.strip() for cell in record]
                continue
            if not any(cell.strip() for cell in record):
                continue  # a blank line is not a row, but keeps its number
            records.append((number, record))
            if len(records) > MAX_IMPORT_ROWS + 10:  # room for a footer
                break
    except csv.Error as exc:
        raise ServiceError(f"Row {number + 1} could not be read as CSV: {exc}.", field="file") from exc
    if header is None or not any(header):
        raise ServiceError("The file is empty.", field="file")
    if len(header) > MAX_IMPORT_COLUMNS:
        raise ServiceError(
            f"The file has {len(header):,} columns; PartnerHub reads at most {MAX_IMPORT_COLUMNS}. "
            "Export only the columns you import.",
            field="file",
        )
    records = _without_footer(records, len(header))
    if len(records) > MAX_IMPORT_ROWS:
        raise ServiceError(
            f"The file has more than {MAX_IMPORT_ROWS:,} rows; split it into smaller files.", field="file"
        )
    if not records:
        raise ServiceError("The file has a header but no rows.", field="file")
    parsed = CsvFile(header=header, records=records)
    width = len(header)
    for number, record in records:
        if any(cell.strip() for cell in record[width:]):
            parsed.rejected[number] = rejection(
                number,
                "",
                f"This row has {len(record)} values but the header names {width} columns: "
                "quote values that contain the separator.",
            )
    return parsed
