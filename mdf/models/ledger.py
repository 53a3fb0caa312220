"""The MDF ledger: every movement of a fund's money, append-only (docs/mdf.md, "The ledger").

The database keeps it honest, whatever code writes to it (mdf/migrations/0004_funds_and_ledger.py):
- an entry is never updated, and deleted only with its whole tenant (offboarding);
- before an entry is inserted the fund's row is locked (so entries of one fund are written one at
  a time), its currency must be the fund's, its allocation must be the fund's, and the running
  totals below are computed from the fund's previous entry: `seq` numbers the fund's entries;
- the CHECK constraints then refuse any entry that would take a balance below zero: the fund's
  available money, an allocation's, or any bucket (releasing more than is reserved, paying more
  than was claimed).

Each kind moves money between buckets (`EFFECTS`): the fund's available money is what is neither
allocated nor drawn directly from it; an allocation's is what it holds, less what is reserved,
claimed, paid or expired."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.models import ApiKey, User
from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency

BUCKETS = ("allocated", "reserved", "claimed", "paid", "expired")


class EntryKind(models.TextChoices):
    ALLOCATE = "allocate", "Allocated"
    RESERVE = "reserve", "Reserved"
    RELEASE = "release", "Released"
    CLAIM_APPROVED = "claim_approved", "Claim approved"
    PAID = "paid", "Paid"
    EXPIRE = "expire", "Expired"
    REALLOCATE = "reallocate", "Reallocated"


# What an entry of each kind adds to each bucket (its amount times the sign). The balance selector is
# written from this table; the insert trigger does the same arithmetic in SQL, and the tests hold
# the two together (tests/mdf/test_ledger.py).
EFFECTS: dict[str, dict[str, int]] = {
    EntryKind.ALLOCATE: {"allocated": 1},
    EntryKind.REALLOCATE: {"allocated": -1},
    EntryKind.RESERVE: {"reserved": 1},
    EntryKind.RELEASE: {"reserved": -1},
    EntryKind.CLAIM_APPROVED: {"reserved": -1, "claimed": 1},
    EntryKind.PAID: {"claimed": -1, "paid": 1},
    EntryKind.EXPIRE: {"expired": 1},
}
# Moving money between the fund and an allocation: these need an allocation.
EARMARKING = (EntryKind.ALLOCATE, EntryKind.REALLOCATE)


def _not_negative(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{prefix}_{name}__gte": 0}), name=f"ledger_{prefix}_{name}_gte_0"
        )
        for name in (*BUCKETS, "available")
    ]


def _kept_id(model) -> models.ForeignKey:
    """A reference kept as it was written: no database constraint, no index, nothing cascades."""
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )


class LedgerEntry(TenantScopedModel):
    """One movement of money: what moved (kind, amount in the fund's currency), from which fund and
    allocation, for which object (a request, a claim), by whom and when, and the balances after it."""

    fund = models.ForeignKey("mdf.Fund", on_delete=models.RESTRICT, related_name="entries")
    allocation = models.ForeignKey(
        "mdf.Allocation", on_delete=models.RESTRICT, null=True, blank=True, related_name="entries"
    )
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    # The object the movement concerns (a request, a claim), when there is one.
    concerns_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    concerns_id = models.PositiveBigIntegerField(null=True, blank=True)
    concerns = GenericForeignKey("concerns_type", "concerns_id")
    # Entries are never updated, so a user or key deleted later keeps its id here, unconstrained;
    # the label keeps the ledger readable.
    actor = _kept_id(User)
    api_key = _kept_id(ApiKey)
    actor_label = models.CharField(max_length=200)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now)
    # Set by the database on insert (see the module docstring); whatever is sent is replaced.
    seq = models.PositiveIntegerField(default=0, editable=False, help_text="The entry's number in its fund.")
    fund_allocated = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    fund_reserved = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    fund_claimed = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    fund_paid = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    fund_expired = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    fund_available = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    allocation_allocated = models.DecimalField(max_digits=14, decimal_places=2, null=True, editable=False)
    allocation_reserved = models.DecimalField(max_digits=14, decimal_places=2, null=True, editable=False)
    allocation_claimed = models.DecimalField(max_digits=14, decimal_places=2, null=True, editable=False)
    allocation_paid = models.DecimalField(max_digits=14, decimal_places=2, null=True, editable=False)
    allocation_expired = models.DecimalField(max_digits=14, decimal_places=2, null=True, editable=False)
    allocation_available = models.DecimalField(max_digits=14, decimal_places=2, null=True, editable=False)

    partner_scope = None  # the vendor's books; a partner sees its balance through its allocation

    class Meta:
        ordering = ["fund", "-seq"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="ledger_kind_known"),
            models.CheckConstraint(
                condition=~Q(kind__in=EARMARKING) | Q(allocation__isnull=False),
                name="ledger_earmark_has_allocation",
            ),
            models.CheckConstraint(
                condition=Q(concerns_type__isnull=True, concerns_id__isnull=True)
                | Q(concerns_type__isnull=False, concerns_id__isnull=False),
                name="ledger_concerns_type_and_id",
            ),
            *_not_negative("fund"),
            *_not_negative("allocation"),
            models.UniqueConstraint(fields=["fund", "seq"], name="ledger_seq_per_fund"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="ledger_seq_set"),
        ]
        indexes = [
            models.Index(fields=["allocation", "-seq"], name="ledger_allocation_seq_idx"),
            models.Index(fields=["fund", "kind", "-seq"], name="ledger_fund_kind_idx"),
            models.Index(fields=["tenant", "concerns_type", "concerns_id"], name="ledger_concerns_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"
