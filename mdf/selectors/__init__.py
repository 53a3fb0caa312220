"""Reads of MDF, one module per subject; import them from here."""

from mdf.selectors.balances import (
    allocation_balances,
    allocation_last_entry,
    fund_balances,
    fund_last_entry,
    ledger_list,
    partner_balances,
)
from mdf.selectors.proofs import proof_file_list, proof_file_open
from mdf.selectors.ranking import funds_by_partner, ranking_with_funds

__all__ = [
    "allocation_balances",
    "allocation_last_entry",
    "fund_balances",
    "fund_last_entry",
    "funds_by_partner",
    "ledger_list",
    "partner_balances",
    "proof_file_list",
    "proof_file_open",
    "ranking_with_funds",
]
