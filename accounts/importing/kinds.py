"""The kinds of rows a CSV import can hold, registered by the apps that own them.

The import machinery (upload, mapping step, worker, report, rejected-rows download, saved mappings)
lives here in accounts and knows no kind by name: each kind registers what the machinery needs, from
its app's `AppConfig.ready()` (accounts registers its own kinds like any other app; leads registers
leads and event attendance). Accounts never imports the apps above it: they come to it.

A kind says:
- `label`: what the pages call it ("Accounts", "Leads"; `upload_label` on the upload form);
- `row`: the row validator (an `accounts.rows.RowSerializer`): its fields are what the mapping step
  offers a column for, with their aliases, required columns and keys, and it reads the preview;
- `upsert(job, rows)`: validates and writes the numbered rows of a chunk, returning an UpsertReport;
- `permission`: the role permission an uploader needs (`refusal` says so when they lack it);
- `target`: what an upload names besides its file: "" (nothing), "partner" (a partner's accounts),
  "program" (the program an attendee list belongs to);
- `check(tenant, membership, partner)`: a kind's own rule of who may upload what (the partner kinds);
- `audit_action`, `saves_mappings`, `vocabulary_fields` ((row field, vocabulary) whose words the
  tenant's vocabulary maps), `upload_page` (which upload page offers it: "main" for Imports → Import,
  "" for a page of its own) and `help` (a line for the upload page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from partnerhub.tenancy.errors import ServiceError

if TYPE_CHECKING:
    from accounts.rows import RowSerializer


@dataclass(frozen=True)
class ImportKind:
    name: str
    label: str
    row: type[RowSerializer]
    upsert: Callable[..., Any]
    audit_action: str
    permission: str = "account.change"
    refusal: str = "Your role cannot import this kind of file."
    target: str = ""
    check: Callable[..., Any] | None = None
    saves_mappings: bool = True
    vocabulary_fields: tuple[tuple[str, str], ...] = ()
    upload_page: str = "main"
    help: str = ""
    upload_label: str = ""  # what the upload form calls it, when not its label

    @property
    def choice_label(self) -> str:
        return self.upload_label or self.label


_KINDS: dict[str, ImportKind] = {}


def register_import_kind(kind: ImportKind) -> None:
    """Register a kind (once per name: a second registration of a name is a programming error)."""
    name = str(kind.name)
    if name in _KINDS and _KINDS[name] != kind:
        raise ValueError(f"The import kind {name!r} is registered already.")
    _KINDS[name] = kind


def import_kind(name: str) -> ImportKind:
    """The registered kind of this name; a ServiceError on `kind` when there is none."""
    kind = _KINDS.get(str(name))
    if kind is None:
        raise ServiceError("Choose what the file holds.", field="kind")
    return kind


def import_kinds() -> list[ImportKind]:
    """Every registered kind, in the order the apps registered them."""
    return list(_KINDS.values())


def import_kind_choices() -> list[tuple[str, str]]:
    return [(kind.name, kind.label) for kind in _KINDS.values()]


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.label if kind else name
