"""Amounts in the currency a report is read in, in SQL. Until FX rates are loaded an amount in
another currency has no value (NULL): reports leave it out and count it, never as 0."""

from __future__ import annotations


def amount_sql(amount: str, currency: str, on: str, to_currency: str) -> str:
    """SQL for `amount` (in `currency`) in `to_currency`, at the rate of the date `on`."""
    return f"(CASE WHEN {currency} = {to_currency} THEN {amount} END)"


def reporting_currency(tenant) -> str:
    """The currency reports are read in."""
    return tenant.default_currency
