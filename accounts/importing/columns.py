"""The mapping step: which column of a file goes to which field of its kind of row.

A file's columns are matched, in this order, by the tenant's saved mapping for the same header, by a
shipped preset (Salesforce, HubSpot), and by the field's own name or one of its aliases; the rest is
ignored. The user confirms or changes the choice before anything is written. A mapping is a list
with one entry per column of the file: the field it is read into, or IGNORE.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from accounts.importing.kinds import import_kind
from accounts.importing.presets import PRESETS, Preset
from accounts.rows import NumberedRow, RowSerializer, fold, missing_columns

IGNORE = ""
# The column the rejected-rows download adds: read back as nothing, so the fixed file maps alike.
REASON_COLUMN = "Rejection reason"
SAMPLES = 3


def header_signature(header: Iterable[str]) -> str:
    """The same columns in any order, case or spacing give the same signature."""
    names = sorted({fold(name) for name in header if fold(name) and fold(name) != fold(REASON_COLUMN)})
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()


@dataclass(frozen=True)
class FieldChoice:
    name: str
    label: str
    help: str


def field_choices(kind: str) -> list[FieldChoice]:
    """The fields a column of this kind of file can be read into, as the mapping step lists them."""
    serializer_class = import_kind(kind).row
    choices = []
    for name, field in serializer_class().fields.items():
        label = str(field.label or name.replace("_", " ")).capitalize()
        choices.append(FieldChoice(name=name, label=label, help=str(field.help_text or "")))
    return choices


def preset_for(kind: str, header: Sequence[str]) -> Preset | None:
    """The shipped preset that names most of the header's columns (at least half of them)."""
    folded = {fold(name) for name in header if fold(name)}
    best, best_count = None, 0
    for preset in PRESETS:
        if preset.kind != kind:
            continue
        count = len(folded & {fold(label) for label in preset.columns})
        if count > best_count:
            best, best_count = preset, count
    return best if best is not None and best_count * 2 >= len(folded - {fold(REASON_COLUMN)}) else None


def _by_name(columns: Mapping[str, str]) -> dict[str, str]:
    return {fold(name): field for name, field in columns.items()}


def suggest_columns(kind: str, header: Sequence[str], *, saved: Mapping[str, str] | None = None) -> list[str]:
    """For each column of the header, the field it most likely fills (see the module). A field is
    given once: a later column that would fill it again is ignored."""
    serializer_class: type[RowSerializer] = import_kind(kind).row
    saved_names = _by_name(saved or {})
    preset = preset_for(kind, header)
    preset_names = _by_name(preset.columns) if preset else {}
    fields = set(serializer_class._declared_fields)
    suggested, taken = [], set()
    for name in header:
        folded = fold(name)
        if folded in saved_names:
            field = saved_names[folded]
        elif folded in preset_names:
            field = preset_names[folded]
        else:
            field = serializer_class.column_for(name) or IGNORE
        if field not in fields or field in taken or folded == fold(REASON_COLUMN):
            field = IGNORE
        taken.add(field)
        suggested.append(field)
    return suggested


def check_columns(kind: str, header: Sequence[str], columns: Sequence[str]) -> list[str]:
    """What is wrong with a mapping, in words: a field chosen twice, a required field left out."""
    if len(columns) != len(header):
        return ["Choose a field (or “ignore”) for every column of the file."]
    fields = set(import_kind(kind).row._declared_fields)
    problems, seen = [], {}
    for name, field in zip(header, columns, strict=True):
        if field == IGNORE:
            continue
        if field not in fields:
            problems.append(f"“{field}” is not a field of this kind of file.")
        elif field in seen:
            problems.append(f"The columns “{seen[field]}” and “{name}” both go to {field}; keep one.")
        seen.setdefault(field, name)
    missing = missing_columns(import_kind(kind).row, seen)
    if missing:
        problems.append(f"No column goes to {', '.join(missing)}.")
    return problems


def mapped_rows(records: Iterable[tuple[int, Sequence[str]]], columns: Sequence[str]) -> list[NumberedRow]:
    """The file's records as rows keyed by field (ignored columns left out)."""
    return [
        (number, {field: cell for field, cell in zip(columns, cells, strict=False) if field != IGNORE})
        for number, cells in records
    ]


def samples(records: Sequence[tuple[int, Sequence[str]]], width: int) -> list[list[str]]:
    """A few non-empty values of each column, as the mapping step shows them."""
    found: list[list[str]] = [[] for _ in range(width)]
    for _, cells in records:
        for index, cell in enumerate(cells[:width]):
            value = cell.strip()
            if value and len(found[index]) < SAMPLES and value not in found[index]:
                found[index].append(value[:60])
        if all(len(values) >= SAMPLES for values in found):
            break
    return found


def values_of(records: Iterable[tuple[int, Sequence[str]]], columns: Sequence[str], field: str) -> list[str]:
    """Every non-empty value the file has for a field (to detect formats and unknown words)."""
    if field not in columns:
        return []
    index = list(columns).index(field)
    return [cells[index].strip() for _, cells in records if len(cells) > index and cells[index].strip()]


def repeated_names(header: Sequence[str]) -> list[str]:
    """Column names the header has more than once (in any case or spacing), as first written."""
    seen: dict[str, str] = {}
    repeated: dict[str, None] = {}
    for name in header:
        key = fold(name)
        if key and key in seen:
            repeated.setdefault(seen[key], None)
        seen.setdefault(key, name)
    return list(repeated)


def saved_columns(header: Sequence[str], columns: Sequence[str]) -> dict[str, str]:
    """A mapping as it is saved: by column name, so a file with the columns in another order fits."""
    return {name: field for name, field in zip(header, columns, strict=True) if name.strip()}
