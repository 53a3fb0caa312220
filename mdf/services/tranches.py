"""Tranches: an approved request for a launched plan paid in parts tied to the plan's checkpoints
(docs/mdf.md, "Tranches").

The rules kept here:
- A fund manager sets the schedule once, on an approved request that serves a launched plan and has
  no claim: a percentage on approval and/or at the day 30, 60 and 90 checkpoints, adding up to
  exactly 100. The amounts add up exactly to the approved amount: each is rounded down to the cent
  and the last takes what rounding left. A request paid in tranches is not claimed as well.
- The on-approval tranche is paid when the schedule is set. A checkpoint's tranche is settled when
  the checkpoint freezes (the reporting sweep calls `tranches_settle_for_checkpoint`): met → paid;
  missed, or no target set (nothing to meet) → held for a fund manager, who releases it (paid) or
  cancels it (its money goes back to the allocation, as a cancelled request's does).
- Paying moves the money through the ledger as a claim's does (reserved → claimed → paid), each
  entry naming the tranche; every transition is audited (before → after) and told.
- Settling locks the tranches (`select_for_update`) and only touches scheduled ones: two sweeps at
  once pay once.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts.models import Checkpoint, Plan
from mdf.models import (
    CHECKPOINT_DAYS,
    Claim,
    ClaimState,
    FundRequest,
    FundTranche,
    RequestState,
    TrancheState,
)
from mdf.services.ledger import CENT, ledger_claim_approved, ledger_pay, ledger_release, require_fund_manager
from mdf.services.notices import tell_partner_managers, tell_partner_users
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audit_transition
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.services.common import membership_of, user_of

HUNDRED = Decimal(100)
# The schedule's inputs (form fields and API fields alike), in the order they are paid.
SCHEDULE_FIELDS = {"on_approval": None, "day30": 30, "day60": 60, "day90": 90}
FIELD_OF_DAY = {day: name for name, day in SCHEDULE_FIELDS.items()}
NOT_FOUND = "No such tranche."


def _require_manager(tenant: Tenant, actor: Actor) -> None:
    if actor is not None and membership_of(tenant=tenant, user=actor).is_partner_role:
        raise ServiceError("Only the vendor's fund managers decide on tranches.")
    require_fund_manager(tenant=tenant, actor=actor)


def _percent(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        percent = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ServiceError("A percentage, such as 25.", field=field) from None
    if not percent.is_finite() or percent <= 0 or percent > HUNDRED:
        raise ServiceError("A percentage greater than 0 and at most 100.", field=field)
    if percent != percent.quantize(CENT):
        raise ServiceError("At most two decimal places.", field=field)
    return percent


def request_plan(request: FundRequest) -> Plan | None:
    """The plan a request serves: its own, or its program's."""
    if request.plan_id is not None:
        return request.plan
    return request.program.plan if request.program_id is not None else None


def tranche_amounts(approved: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Each share of `approved` rounded down to the cent; the last takes the rest, so they add up."""
    amounts = [(approved * p / HUNDRED).quantize(CENT, rounding=ROUND_DOWN) for p in percents[:-1]]
    return [*amounts, approved - sum(amounts, Decimal("0.00"))]


def _url(tenant: Tenant, request: FundRequest) -> str:
    return f"/t/{tenant.slug}/mdf/requests/{request.id}/"


def _label(tranche: FundTranche) -> str:
    return "on approval" if tranche.day is None else f"at the day {tranche.day} checkpoint"


def _move(tenant: Tenant, actor: Actor, tranche: FundTranche, to_state: str, **changes) -> None:
    from_state = tranche.state
    tranche.state = to_state
    for name, value in changes.items():
        setattr(tranche, name, value)
    tranche.save(update_fields=["state", *changes])
    audit_transition(
        tenant=tenant,
        actor=actor,
        action=f"mdf.tranche.{to_state}",
        target=tranche,
        from_state=from_state,
        to_state=to_state,
        also={"request": tranche.request_id, "day": tranche.day, "amount": str(tranche.amount)},
    )


def _pay(tenant: Tenant, actor: Actor, tranche: FundTranche, to_state: str, now, **changes) -> None:
    """Reserved → claimed → paid, two ledger entries naming the tranche, then the state."""
    request = tranche.request
    movement = {
        "tenant": tenant,
        "actor": actor,
        "fund_id": request.fund_id,
        "allocation_id": request.allocation_id,
        "amount": tranche.amount,
        "concerns": tranche,
        "now": now,
    }
    note = f"Request {request.id}: tranche {_label(tranche)}"
    ledger_claim_approved(**movement, note=note)
    ledger_pay(**movement, note=f"{note} paid")
    _move(tenant, actor, tranche, to_state, **changes)
    tell_partner_users(
        tenant=tenant,
        partner_id=request.partner_id,
        title=f"MDF tranche paid: {request.title}",
        body=f"{tranche.amount} {tranche.currency} paid {_label(tranche)}.",
        url=_url(tenant, request),
    )


def _settle(tenant: Tenant, tranche: FundTranche, met: bool | None, now) -> None:
    if met is True:
        _pay(tenant, None, tranche, TrancheState.PAID, now, checkpoint_met=met, settled_at=now)
        return
    _move(tenant, None, tranche, TrancheState.HELD, checkpoint_met=met, settled_at=now)
    word = "missed" if met is False else "had no target"
    tell_partner_managers(
        tenant=tenant,
        partner=tranche.request.partner,
        title=f"MDF tranche held: {tranche.request.title}",
        body=f"The day {tranche.day} checkpoint {word}: {tranche.amount} {tranche.currency} wait for "
        "you to release or cancel them.",
        url=f"/t/{tenant.slug}/mdf/tranches/held/",
    )


@transaction.atomic
def tranche_schedule_set(
    *,
    tenant: Tenant,
    actor: Actor,
    request_id: int,
    percents: dict,
    now: datetime.datetime | None = None,
) -> list[FundTranche]:
    """Pay an approved request for a launched plan in tranches (the rules in the module docstring):
    `percents` maps `on_approval`, `day30`, `day60`, `day90` to a percentage (left out: none)."""
    _require_manager(tenant, actor)
    unknown = set(percents) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown tranche: {', '.join(sorted(unknown))}.")
    request = (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("partner", "plan", "program__plan")
        .filter(tenant=tenant, id=request_id)
        .first()
    )
    if request is None:
        raise ServiceError("No such request.")
    if request.state != RequestState.APPROVED:
        raise ServiceError("Only an approved request is paid in tranches.")
    plan = request_plan(request)
    if plan is None or plan.status != Plan.Status.LAUNCHED:
        raise ServiceError("Tranches follow a launched plan's checkpoints: this request serves none.")
    if FundTranche.objects.filter(tenant=tenant, request=request).exists():
        raise ServiceError("This request has its tranches already.")
    if Claim.objects.filter(tenant=tenant, request=request).exclude(state=ClaimState.REJECTED).exists():
        raise ServiceError("This request is claimed: its claim settles it.")
    chosen = [
        (day, percent)
        for name, day in SCHEDULE_FIELDS.items()
        if (percent := _percent(percents.get(name), name)) is not None
    ]
    if not chosen:
        raise ServiceError("Give at least one tranche's percentage.", field="on_approval")
    total = sum((percent for _, percent in chosen), Decimal(0))
    if total != HUNDRED:
        last = FIELD_OF_DAY[chosen[-1][0]]
        raise ServiceError(f"The percentages add up to {total.normalize():f} %, not 100 %.", field=last)
    amounts = tranche_amounts(request.amount_approved, [percent for _, percent in chosen])
    for (day, _), amount in zip(chosen, amounts, strict=True):
        if amount <= 0:
            raise ServiceError("Too small a share to pay: less than a cent.", field=FIELD_OF_DAY[day])
    now = now or timezone.now()
    tranches = FundTranche.objects.bulk_create(
        [
            FundTranche(
                tenant=tenant,
                request=request,
                plan=plan,
                day=day,
                percent=percent,
                amount=amount,
                currency=request.currency,
                created_by=user_of(actor),
                created_at=now,
            )
            for (day, percent), amount in zip(chosen, amounts, strict=True)
        ]
    )
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.tranches.scheduled",
        target=request,
        after={
            "tranches": [{"day": t.day, "percent": str(t.percent), "amount": str(t.amount)} for t in tranches]
        },
    )
    frozen = {
        c.day: c
        for c in Checkpoint.objects.filter(tenant=tenant, plan=plan, frozen_at__isnull=False)
        if c.snapshot is not None
    }
    for tranche in tranches:
        tranche.request = request
        if tranche.day is None:
            _pay(tenant, actor, tranche, TrancheState.PAID, now, settled_at=now)
        elif tranche.day in frozen:  # a checkpoint that froze already decides at once
            _settle(tenant, tranche, frozen[tranche.day].snapshot.get("met"), now)
    return tranches


@transaction.atomic
def tranches_settle_for_checkpoint(
    *, tenant: Tenant, checkpoint: Checkpoint, now: datetime.datetime | None = None
) -> list[FundTranche]:
    """Settle the scheduled tranches waiting for a frozen checkpoint: paid when it met its targets,
    held otherwise. Run again (or twice at once) it settles nothing more."""
    if checkpoint.frozen_at is None or not checkpoint.snapshot:
        return []
    tranches = list(
        FundTranche.objects.select_for_update(of=("self",))
        .select_related("request", "request__partner")
        .filter(tenant=tenant, plan_id=checkpoint.plan_id, day=checkpoint.day, state=TrancheState.SCHEDULED)
        .order_by("id")
    )
    now = now or timezone.now()
    for tranche in tranches:
        _settle(tenant, tranche, checkpoint.snapshot.get("met"), now)
    return tranches


def _held(tenant: Tenant, actor: Actor, tranche_id: int) -> FundTranche:
    _require_manager(tenant, actor)
    tranche = (
        FundTranche.objects.select_for_update(of=("self",))
        .select_related("request", "request__partner")
        .filter(tenant=tenant, id=tranche_id)
        .first()
    )
    if tranche is None:
        raise ServiceError(NOT_FOUND)
    if tranche.state != TrancheState.HELD:
        raise ServiceError(f"This tranche is {tranche.get_state_display().lower()}: it is not held.")
    return tranche


@transaction.atomic
def tranche_release(
    *, tenant: Tenant, actor: Actor, tranche_id: int, note: str = "", now: datetime.datetime | None = None
) -> FundTranche:
    """Pay a held tranche although its checkpoint missed (the fund manager's call)."""
    tranche = _held(tenant, actor, tranche_id)
    now = now or timezone.now()
    note = " ".join(str(note or "").split())[:500]
    _pay(
        tenant,
        actor,
        tranche,
        TrancheState.RELEASED,
        now,
        decided_at=now,
        decided_by=user_of(actor),
        note=note,
    )
    return tranche


@transaction.atomic
def tranche_cancel(
    *, tenant: Tenant, actor: Actor, tranche_id: int, note: str = "", now: datetime.datetime | None = None
) -> FundTranche:
    """Do not pay a held tranche: its money goes back to the allocation (a ledger release)."""
    tranche = _held(tenant, actor, tranche_id)
    now = now or timezone.now()
    request = tranche.request
    ledger_release(
        tenant=tenant,
        actor=actor,
        fund_id=request.fund_id,
        allocation_id=request.allocation_id,
        amount=tranche.amount,
        concerns=tranche,
        note=f"Request {request.id}: tranche {_label(tranche)} cancelled",
        now=now,
    )
    note = " ".join(str(note or "").split())[:500]
    _move(
        tenant, actor, tranche, TrancheState.CANCELLED, decided_at=now, decided_by=user_of(actor), note=note
    )
    tell_partner_users(
        tenant=tenant,
        partner_id=request.partner_id,
        title=f"MDF tranche cancelled: {request.title}",
        body=f"The {tranche.amount} {tranche.currency} due {_label(tranche)} will not be paid."
        + (f" {note}" if note else ""),
        url=_url(tenant, request),
    )
    return tranche


__all__ = [
    "CHECKPOINT_DAYS",
    "SCHEDULE_FIELDS",
    "request_plan",
    "tranche_amounts",
    "tranche_cancel",
    "tranche_release",
    "tranche_schedule_set",
    "tranches_settle_for_checkpoint",
]
