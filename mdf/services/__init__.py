"""Writes of MDF, one module per subject; import them from here."""

from mdf.services.funds import (
    allocation_create,
    allocation_reallocate,
    fund_create,
    fund_expire_unused,
    quarter_end,
)
from mdf.services.ledger import (
    ledger_claim_approved,
    ledger_draw,
    ledger_pay,
    ledger_release,
    ledger_reserve,
    ledger_write,
    locked_fund,
)
from mdf.services.proofs import proof_accept, proof_reject, proof_upload

__all__ = [
    "allocation_create",
    "allocation_reallocate",
    "fund_create",
    "fund_expire_unused",
    "ledger_claim_approved",
    "ledger_draw",
    "ledger_pay",
    "ledger_release",
    "ledger_reserve",
    "ledger_write",
    "locked_fund",
    "proof_accept",
    "proof_reject",
    "proof_upload",
    "quarter_end",
]
