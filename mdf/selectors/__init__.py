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
from mdf.selectors.requests import (
    aging_business_days,
    aging_cutoff,
    catalog_list,
    catalog_offer,
    request_accounts,
    request_detail,
    request_list,
    template_list,
    template_offer,
)
from mdf.selectors.tranches import request_tranches, tranche_list

__all__ = [
    "aging_business_days",
    "aging_cutoff",
    "allocation_balances",
    "allocation_last_entry",
    "catalog_list",
    "catalog_offer",
    "fund_balances",
    "fund_last_entry",
    "funds_by_partner",
    "ledger_list",
    "partner_balances",
    "proof_file_list",
    "proof_file_open",
    "ranking_with_funds",
    "request_accounts",
    "request_detail",
    "request_list",
    "request_tranches",
    "template_list",
    "template_offer",
    "tranche_list",
]
