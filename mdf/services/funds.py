"""Funds and allocations (docs/mdf.md, "Funds, allocations and the ledger").

The rules kept here:
- Funds are the vendor's: staff with "mdf.change" create them and allocate their money.
- A fund is a budget for one quarter: a name unique in its quarter, an amount (Decimal, at least 0)
  in an ISO 4217 currency (the tenant's default when none is given), its kind (marketing, or co-op
  with the share of revenue it accrues), the tiers it serves (all when none are named), a claim
  window (default 60 days) and a maximum reimbursement percentage (default 100).
- An allocation earmarks part of a fund for one partner of a tier the fund serves, or for a tier's
  shared pool. Allocating to a partner (or pool) that has one adds to it: one per fund.
- Money goes back to the fund, or on to another partner or pool, by reallocation; what is left
  unused when the quarter is over expires.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mdf.models import Allocation, EntryKind, Fund
from mdf.selectors.balances import allocation_balances, fund_balances
from mdf.services.ledger import ledger_write, locked_fund, money, require_fund_manager
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.services.common import user_of
from partnerhub.tenancy.taxonomy import currency_code

FUND_FIELDS = [
    "name",
    "year",
    "quarter",
    "amount",
    "currency",
    "kind",
    "accrual_percent",
    "tiers",
    "claim_window_days",
    "max_reimbursement_percent",
]


def _validated(instance) -> None:
    try:
        instance.full_clean(exclude=["created_by", "partner", "fund"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ServiceError(messages[0], field=None if field == "__all__" else field) from exc


def _clean_fund(tenant: Tenant, fields: dict) -> dict:
    unknown = set(fields) - set(FUND_FIELDS)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} cannot be set on a fund.")
    cleaned = dict(fields)
    cleaned["name"] = (cleaned.get("name") or "").strip()
    if not cleaned["name"]:
        raise ServiceError("This field is required.", field="name")
    code = currency_code(cleaned.get("currency") or tenant.default_currency)
    if code is None:
        raise ServiceError(f"“{cleaned['currency']}” is not an active ISO 4217 currency.", field="currency")
    cleaned["currency"] = code
    amount = cleaned.get("amount")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise ServiceError("The amount is a number of at least 0.", field="amount")
    tiers = cleaned.get("tiers") or list(Partner.Tier.values)
    if not set(tiers) <= set(Partner.Tier.values):
        raise ServiceError("Choose tiers among one-to-one, one-to-few and one-to-many.", field="tiers")
    cleaned["tiers"] = [tier for tier in Partner.Tier.values if tier in tiers]
    kind = cleaned.get("kind") or Fund.Kind.MARKETING
    if kind == Fund.Kind.CO_OP and cleaned.get("accrual_percent") is None:
        raise ServiceError("A co-op fund accrues a percentage of revenue: give it.", field="accrual_percent")
    if kind != Fund.Kind.CO_OP and cleaned.get("accrual_percent") is not None:
        raise ServiceError("Only a co-op fund accrues a percentage of revenue.", field="accrual_percent")
    cleaned["kind"] = kind
    return cleaned


@transaction.atomic
def fund_create(*, tenant: Tenant, actor: Actor, **fields) -> Fund:
    """Create a quarter's fund (the rules in the module docstring). Its amount and currency never
    change afterwards: its ledger's balances rest on them."""
    require_fund_manager(tenant=tenant, actor=actor)
    fund = Fund(tenant=tenant, created_by=user_of(actor), **_clean_fund(tenant, fields))
    _validated(fund)
    fund.save(force_insert=True)
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.fund.created",
        target=fund,
        after={
            name: str(value) if isinstance(value, Decimal) else value
            for name, value in fund_fields(fund).items()
        },
    )
    return fund


def fund_fields(fund: Fund) -> dict:
    return {name: getattr(fund, name) for name in FUND_FIELDS}


def _allocation_for(
    tenant: Tenant, fund: Fund, *, partner_id: int | None, tier: str
) -> tuple[Allocation, bool]:
    """The fund's allocation of the partner, or of the tier's pool, made if it has none yet (the
    fund's row is locked: no other allocation of it is being made)."""
    if (partner_id is None) == (not tier):
        raise ServiceError("Allocate to a partner, or to a tier's shared pool.", field="partner")
    if partner_id is not None:
        partner = Partner.objects.filter(tenant=tenant, id=partner_id).first()
        if partner is None:
            raise ServiceError("Select a valid partner.", field="partner")
        if partner.tier not in fund.tiers:
            raise ServiceError(
                f"{fund.name} does not serve {partner.get_tier_display().lower()} partners "
                f"like {partner.name}.",
                field="partner",
            )
        lookup = {"partner": partner}
    else:
        if tier not in fund.tiers:
            raise ServiceError(f"{fund.name} does not serve that tier.", field="tier")
        lookup = {"partner": None, "tier": tier}
    allocation = (
        Allocation.objects.select_related("partner").filter(tenant=tenant, fund=fund, **lookup).first()
    )
    if allocation is not None:
        return allocation, False
    allocation = Allocation(tenant=tenant, fund=fund, **lookup)
    _validated(allocation)
    allocation.save(force_insert=True)
    return allocation, True


@transaction.atomic
def allocation_create(
    *,
    tenant: Tenant,
    actor: Actor,
    fund_id: int,
    amount: Decimal,
    partner_id: int | None = None,
    tier: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> Allocation:
    """Allocate `amount` of a fund to a partner (or a tier's pool): an allocate entry, never more
    than the fund has unallocated. A partner or pool holding an allocation of the fund gets more."""
    require_fund_manager(tenant=tenant, actor=actor)
    fund = locked_fund(tenant=tenant, fund_id=fund_id)
    amount = money(amount)
    allocation, created = _allocation_for(tenant, fund, partner_id=partner_id, tier=tier)
    if created:
        allocation.note = note[:200]
        allocation.save(update_fields=["note"])
        audit(
            tenant=tenant,
            actor=actor,
            action="mdf.allocation.created",
            target=allocation,
            after={"fund": fund.id, "partner": allocation.partner_id, "tier": allocation.tier},
        )
    ledger_write(
        tenant=tenant,
        actor=actor,
        fund=fund,
        allocation=allocation,
        kind=EntryKind.ALLOCATE,
        amount=amount,
        note=note,
        now=now,
    )
    return allocation


@transaction.atomic
def allocation_reallocate(
    *,
    tenant: Tenant,
    actor: Actor,
    allocation_id: int,
    amount: Decimal,
    to_partner_id: int | None = None,
    to_tier: str = "",
    note: str = "",
) -> Allocation | None:
    """Move `amount` of an allocation's available money back to its fund (a reallocate entry) and,
    when a partner or pool is named, on to it (an allocate entry): both or neither. Returns the
    allocation the money went to (None: the fund)."""
    require_fund_manager(tenant=tenant, actor=actor)
    source = Allocation.objects.select_related("partner").filter(tenant=tenant, id=allocation_id).first()
    if source is None:
        raise ServiceError("No such allocation.", field="allocation")
    fund = locked_fund(tenant=tenant, fund_id=source.fund_id)
    ledger_write(
        tenant=tenant,
        actor=actor,
        fund=fund,
        allocation=source,
        kind=EntryKind.REALLOCATE,
        amount=amount,
        note=note,
    )
    if to_partner_id is None and not to_tier:
        return None
    target, _ = _allocation_for(tenant, fund, partner_id=to_partner_id, tier=to_tier)
    if target.id == source.id:
        raise ServiceError("Reallocate to another partner or pool.", field="partner")
    ledger_write(
        tenant=tenant,
        actor=actor,
        fund=fund,
        allocation=target,
        kind=EntryKind.ALLOCATE,
        amount=amount,
        note=note,
    )
    return target


def quarter_end(fund: Fund) -> datetime.date:
    """The last day of the fund's quarter."""
    first_of_next = (
        datetime.date(fund.year + 1, 1, 1)
        if fund.quarter == 4
        else datetime.date(fund.year, fund.quarter * 3 + 1, 1)
    )
    return first_of_next - datetime.timedelta(days=1)


@transaction.atomic
def fund_expire_unused(
    *, tenant: Tenant, actor: Actor, fund_id: int, now: datetime.datetime | None = None
) -> int:
    """Once the fund's quarter is over (in the tenant's time zone), what is still available expires:
    an expire entry per allocation holding some, and one for the fund's unallocated money. What is
    reserved stays for the approved requests' claims. Again later, it finds nothing: idempotent."""
    require_fund_manager(tenant=tenant, actor=actor)
    fund = locked_fund(tenant=tenant, fund_id=fund_id)
    now = now or timezone.now()
    if tenant.local_date(now) <= quarter_end(fund):
        raise ServiceError(f"{fund.name} runs until {quarter_end(fund):%d %B %Y}: nothing expires before.")
    written = 0
    for allocation in allocation_balances(tenant=tenant, fund_ids=[fund.id]).filter(available__gt=0):
        ledger_write(
            tenant=tenant,
            actor=actor,
            fund=fund,
            allocation=allocation,
            kind=EntryKind.EXPIRE,
            amount=allocation.available,
            now=now,
        )
        written += 1
    unallocated = fund_balances(tenant=tenant, fund_ids=[fund.id]).get().available
    if unallocated > 0:
        ledger_write(
            tenant=tenant, actor=actor, fund=fund, kind=EntryKind.EXPIRE, amount=unallocated, now=now
        )
        written += 1
    return written
