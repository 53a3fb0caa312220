"""Amounts in the currency a report is read in, in SQL. An amount in another currency converts at
the FX rate of its own date: the latest rate loaded on or before that day (reporting.models.FxRate).
Without such a rate it has no value (NULL): reports leave it out and count it, never as 0."""

from __future__ import annotations

from reporting.models import FxRate


def amount_sql(amount: str, currency: str, on: str, to_currency: str) -> str:
    """SQL for `amount` (in `currency`) in `to_currency`, at the rate of the SQL date `on`, rounded
    to the cent. The statement binds the tenant as `%(tenant)s`."""
    rate = (
        f"(SELECT r.rate FROM {FxRate._meta.db_table} r WHERE r.tenant_id = %(tenant)s"
        f" AND r.currency = {currency} AND r.quote_currency = {to_currency} AND r.rate_date <= {on}"
        " ORDER BY r.rate_date DESC LIMIT 1)"
    )
    return f"(CASE WHEN {currency} = {to_currency} THEN {amount} ELSE round({amount} * {rate}, 2) END)"


def local_date_sql(timestamp: str) -> str:
    """The day of a timestamp in the tenant's time zone; the statement binds it as `%(zone)s`."""
    return f"({timestamp} AT TIME ZONE %(zone)s)::date"


def reporting_currency(tenant) -> str:
    """The currency reports are read in: the tenant's default currency (Settings)."""
    return tenant.default_currency
