"""The models of MDF (issue 10), by subject: funds and their allocations (funds.py), the
append-only ledger of every movement of their money (ledger.py), proof-of-performance files (proofs.py)."""

from mdf.models.funds import DEFAULT_CLAIM_WINDOW_DAYS, Allocation, Fund
from mdf.models.ledger import BUCKETS, EARMARKING, EFFECTS, EntryKind, LedgerEntry
from mdf.models.proofs import ProofFile, ProofKind, ReviewState, ScanState

__all__ = [
    "BUCKETS",
    "DEFAULT_CLAIM_WINDOW_DAYS",
    "EARMARKING",
    "EFFECTS",
    "Allocation",
    "EntryKind",
    "Fund",
    "LedgerEntry",
    "ProofFile",
    "ProofKind",
    "ReviewState",
    "ScanState",
]
