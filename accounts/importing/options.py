"""How a file's values are read: chosen in the mapping step (pre-filled from what the file shows),
kept with the job and with a saved mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from accounts.importing.values import DATE_ORDERS

DATE_ORDER_LABELS = {
    "ymd": "Year first (2026-12-31)",
    "mdy": "Month first, US (12/31/2026)",
    "dmy": "Day first, European (31.12.2026)",
}
DECIMAL_MARK_LABELS = {".": "Point (45,000.00)", ",": "Comma (45.000,00)"}


@dataclass(frozen=True)
class ReadOptions:
    date_order: str = "ymd"
    decimal_mark: str = "."
    # The currency of an amount written without one; "" means the tenant's default currency.
    currency: str = ""
    # An account matched by domain whose CRM id differs takes the file's id (else the row is rejected).
    replace_external_ids: bool = False

    @classmethod
    def from_dict(cls, data: Mapping | None) -> ReadOptions:
        data = data or {}
        order = data.get("date_order")
        mark = data.get("decimal_mark")
        return cls(
            date_order=order if order in DATE_ORDERS else "ymd",
            decimal_mark=mark if mark in DECIMAL_MARK_LABELS else ".",
            currency=str(data.get("currency") or "")[:3].upper(),
            replace_external_ids=bool(data.get("replace_external_ids")),
        )

    def as_dict(self) -> dict:
        return asdict(self)
