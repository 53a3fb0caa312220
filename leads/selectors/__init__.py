"""Reads of the leads app, one module per subject (leads.py, calendars.py); import them from here."""

from leads.selectors.leads import (
    account_for_domain,
    lead_for_key,
    lead_list,
    lead_program_choices,
    lead_touches,
    program_for,
)

__all__ = [
    "account_for_domain",
    "lead_for_key",
    "lead_list",
    "lead_program_choices",
    "lead_touches",
    "program_for",
]
