"""Movements of a fund's money: one ledger entry each (docs/mdf.md, "The ledger").

The rules kept here, with the database as their last word (mdf/models/ledger.py):
- Every movement is an entry: allocate, reserve (on a request's approval), release (a cancel, or
  what a partial claim leaves), claim_approved (from what was reserved), paid (from what was
  claimed), expire (what is unused at the period's end), reallocate (back to the fund).
- An entry draws on a fund, through one of its allocations or directly; its amount is a positive
  Decimal in the fund's currency. Entries of one fund are written one at a time (the fund's row is
  locked first), and an entry that would take any balance below zero is refused with the money
  that is there: there is no override.
- Request and claim code calls `ledger_reserve` … `ledger_pay` inside its own transaction and
  checks its own rules (who may approve, the claim window) first: these check only the money.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from mdf.models import Allocation, EntryKind, Fund, LedgerEntry
from mdf.selectors.balances import allocation_balances, fund_balances
from partnerhub.tenancy.actors import Actor, actor_columns
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.roles import can
from partnerhub.tenancy.services.common import membership_of

CENT = Decimal("0.01")
RUNNING_TOTALS = [
    f"{owner}_{name}"
    for owner in ("fund", "allocation")
    for name in ("allocated", "reserved", "claimed", "paid", "expired", "available")
]


def require_fund_manager(*, tenant: Tenant, actor: Actor) -> None:
    """Funds are the vendor's: staff with "mdf.change" (and the system) manage them."""
    if actor is None:
        return
    membership = membership_of(tenant=tenant, user=actor)
    if membership.is_partner_role or not can(membership.role, "mdf.change"):
        raise ServiceError("Your role cannot manage market development funds.")


def locked_fund(*, tenant: Tenant, fund_id: int) -> Fund:
    """The fund, its row locked until the transaction ends: every movement of its money waits here."""
    fund = Fund.objects.select_for_update().filter(tenant=tenant, id=fund_id).first()
    if fund is None:
        raise ServiceError("No such fund.", field="fund")
    return fund


def money(amount, *, field: str = "amount") -> Decimal:
    """A positive amount in cents, as a Decimal (never a float)."""
    if isinstance(amount, int) and not isinstance(amount, bool):
        amount = Decimal(amount)
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ServiceError("The amount is a number greater than 0.", field=field)
    if amount != amount.quantize(CENT):
        raise ServiceError("The amount has at most two decimal places.", field=field)
    return amount


def _describe_shortfall(tenant: Tenant, fund: Fund, allocation: Allocation | None, constraint: str) -> str:
    owner, _, bucket = constraint.removeprefix("ledger_").removesuffix("_gte_0").partition("_")
    if owner == "allocation" and allocation is not None:
        balance = allocation_balances(tenant=tenant, fund_ids=[fund.id]).get(id=allocation.id)
        where = f"the allocation of {allocation.partner.name if allocation.partner_id else 'its pool'}"
    else:
        balance = fund_balances(tenant=tenant, fund_ids=[fund.id]).get()
        where = f"{fund.name}" + (" (unallocated)" if bucket == "available" else "")
    have = getattr(balance, bucket, Decimal("0"))
    what = {"available": "available", "reserved": "reserved", "claimed": "claimed and unpaid"}.get(
        bucket, bucket
    )
    return f"Only {have} {fund.currency} is {what} in {where}."


def ledger_write(
    *,
    tenant: Tenant,
    actor: Actor,
    fund: Fund,
    kind: str,
    amount: Decimal,
    allocation: Allocation | None = None,
    currency: str | None = None,
    concerns: models.Model | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> LedgerEntry:
    """Write one entry on a fund locked by the caller (`locked_fund`), audited. The running totals
    come back from the database; a balance it would take below zero is a ServiceError saying how
    much there is, and nothing is written."""
    amount = money(amount)
    if currency is not None and currency != fund.currency:
        raise ServiceError(
            f"{fund.name} is in {fund.currency}: amounts drawn from it are too.", field="currency"
        )
    if allocation is not None and allocation.fund_id != fund.id:
        raise ServiceError("This allocation is not part of the fund.", field="allocation")
    entry = LedgerEntry(
        tenant=tenant,
        fund=fund,
        allocation=allocation,
        kind=kind,
        amount=amount,
        currency=fund.currency,
        concerns_type=ContentType.objects.get_for_model(concerns) if concerns is not None else None,
        concerns_id=concerns.pk if concerns is not None else None,
        note=note[:500],
        created_at=now or timezone.now(),
        **actor_columns(actor),
    )
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) or ""
        if not constraint.endswith("_gte_0"):
            raise
        raise ServiceError(_describe_shortfall(tenant, fund, allocation, constraint), field="amount") from exc
    entry.refresh_from_db(fields=["seq", *RUNNING_TOTALS])
    audit(
        tenant=tenant,
        actor=actor,
        action=f"mdf.ledger.{kind}",
        target=allocation or fund,
        after={"entry": entry.id, "kind": kind, "amount": str(amount), "currency": fund.currency},
    )
    return entry


@transaction.atomic
def ledger_draw(
    *,
    tenant: Tenant,
    actor: Actor,
    kind: str,
    fund_id: int,
    allocation_id: int | None = None,
    amount: Decimal,
    **fields,
) -> LedgerEntry:
    """One movement of a fund's money, through one of its allocations or (none named) directly: the
    fund locked, the entry written by `ledger_write`. The kinds' own rules are in the functions below."""
    fund = locked_fund(tenant=tenant, fund_id=fund_id)
    allocation = None
    if allocation_id is not None:
        allocation = (
            Allocation.objects.select_related("partner")
            .filter(tenant=tenant, id=allocation_id, fund=fund)
            .first()
        )
        if allocation is None:
            raise ServiceError("No such allocation in this fund.", field="allocation")
    return ledger_write(
        tenant=tenant, actor=actor, fund=fund, allocation=allocation, kind=kind, amount=amount, **fields
    )


def ledger_reserve(**movement) -> LedgerEntry:
    """Reserve money for an approved request: from the allocation's available money, or the fund's
    unallocated money when no allocation is named. Refused beyond what is available."""
    return ledger_draw(kind=EntryKind.RESERVE, **movement)


def ledger_release(**movement) -> LedgerEntry:
    """Give reserved money back (a cancelled request, what a partial claim leaves): never more than
    is reserved."""
    return ledger_draw(kind=EntryKind.RELEASE, **movement)


def ledger_claim_approved(**movement) -> LedgerEntry:
    """An approved claim turns reserved money into claimed money: never more than is reserved."""
    return ledger_draw(kind=EntryKind.CLAIM_APPROVED, **movement)


def ledger_pay(**movement) -> LedgerEntry:
    """A payment of approved claims: claimed money becomes paid, never more than is claimed."""
    return ledger_draw(kind=EntryKind.PAID, **movement)
