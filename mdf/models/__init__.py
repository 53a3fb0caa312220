"""The models of MDF (issue 10), by subject: funds and their allocations (funds.py), the
append-only ledger of every movement of their money (ledger.py), the catalog, proposal templates
and approval rules (catalog.py), the partners' requests for money (requests.py), proof-of-performance
files (proofs.py), claims on approved requests (claims.py), tranches of a request paid against its plan's
checkpoints (tranches.py)."""

from mdf.models.catalog import (
    DEFAULT_AGING_BUSINESS_DAYS,
    ActivityType,
    CatalogItem,
    ProposalTemplate,
    RequestRules,
)
from mdf.models.claims import APPROVED_CLAIM, OPEN_CLAIM, Claim, ClaimProof, ClaimReminder, ClaimState
from mdf.models.funds import DEFAULT_CLAIM_WINDOW_DAYS, Allocation, Fund
from mdf.models.ledger import BUCKETS, EARMARKING, EFFECTS, EntryKind, LedgerEntry
from mdf.models.proofs import ProofFile, ProofKind, ReviewState, ScanState
from mdf.models.requests import EDITABLE, IN_REVIEW, FundRequest, RequestAccount, RequestState
from mdf.models.tranches import CHECKPOINT_DAYS, PAID_OUT, FundTranche, TrancheState

__all__ = [
    "APPROVED_CLAIM",
    "BUCKETS",
    "CHECKPOINT_DAYS",
    "DEFAULT_AGING_BUSINESS_DAYS",
    "DEFAULT_CLAIM_WINDOW_DAYS",
    "EARMARKING",
    "EDITABLE",
    "EFFECTS",
    "IN_REVIEW",
    "OPEN_CLAIM",
    "PAID_OUT",
    "ActivityType",
    "Allocation",
    "CatalogItem",
    "Claim",
    "ClaimProof",
    "ClaimReminder",
    "ClaimState",
    "EntryKind",
    "Fund",
    "FundRequest",
    "FundTranche",
    "LedgerEntry",
    "ProofFile",
    "ProofKind",
    "ProposalTemplate",
    "RequestAccount",
    "RequestRules",
    "RequestState",
    "ReviewState",
    "ScanState",
    "TrancheState",
]
