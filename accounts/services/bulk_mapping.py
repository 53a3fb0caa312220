"""The bulk API's saved mappings: a nightly sync sends `mapping` (a saved mapping's name) beside
`rows`, and its rows are keyed by the CRM's own column names, as the CRM's export writes them. They
are read as an upload with that header is: through the same column mapping and read options, by the
same upserts (accounts.services.upserts)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from accounts.importing.options import ReadOptions
from accounts.models import ImportMapping
from accounts.rows import NumberedRow, fold
from accounts.services.imports import rows_through_mapping
from accounts.services.upserts import UpsertReport

RowsUpsert = Callable[[list[NumberedRow], ReadOptions], UpsertReport]


def rows_upsert_through_mapping(
    *, saved: ImportMapping, rows: Sequence[NumberedRow], upsert: RowsUpsert
) -> UpsertReport:
    """Upsert rows keyed by a CRM's column names as a file with those columns would be: each row goes
    through the saved mapping (names matched in any case and spacing; a key the mapping ignores or
    does not name is left out) and is read with the mapping's options (date order, decimal mark,
    default currency, replacing CRM ids). `upsert` writes the mapped rows with those options.

    Each rejection names the CRM's column at fault in `column`, the way the caller wrote it, and
    PartnerHub's field in `field`: the row's own key that fed the field, else the mapping's column
    for it (a required value the row left out). A field no column of the mapping goes to, and the
    row as a whole (""), keep the field's name."""
    mapped = rows_through_mapping(saved, [row for _, row in rows])
    report = upsert(
        [(number, row) for (number, _), row in zip(rows, mapped, strict=True)],
        ReadOptions.from_dict(saved.options),
    )
    columns = _columns_by_field(saved)
    sent = dict(rows)
    report.rejected = [
        {
            "row": entry["row"],
            "column": _column(columns.get(entry["column"], []), sent.get(entry["row"]), entry["column"]),
            "field": entry["column"],
            "reason": entry["reason"],
        }
        for entry in report.rejected
    ]
    return report


def _columns_by_field(saved: ImportMapping) -> dict[str, list[str]]:
    """{field: the mapping's columns that go to it} (several when the CRM has more than one name)."""
    columns: dict[str, list[str]] = {}
    for name, field in saved.columns.items():
        if field:
            columns.setdefault(field, []).append(name)
    return columns


def _column(names: Sequence[str], sent, field: str) -> str:
    if not field or not names:
        return field
    keys = {fold(key): key for key in sent if isinstance(key, str)} if isinstance(sent, Mapping) else {}
    return next((keys[fold(name)] for name in names if fold(name) in keys), names[0])
