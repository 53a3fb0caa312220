"""Who holds a market for a quarter: one play per market per quarter (DOMAIN.md §1)."""

from __future__ import annotations

from accounts.models import HOLDS_MARKET, MarketKind, Plan
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.selectors import vertical_labels


def market_holder(*, tenant: Tenant, plan: Plan) -> Plan | None:
    """Another plan that holds this plan's market in its quarter (it picked a play and was not
    abandoned), or None. The play step refuses while one exists; step 1 warns of it."""
    if not plan.market_kind:
        return None
    return (
        Plan.objects.filter(
            HOLDS_MARKET,
            tenant=tenant,
            year=plan.year,
            quarter=plan.quarter,
            market_kind=plan.market_kind,
            market_value=plan.market_value,
        )
        .exclude(id=plan.id)
        .select_related("play")
        .first()
    )


def market_warning(*, tenant: Tenant, plan: Plan) -> tuple[Plan, str] | None:
    """For a plan still to pick its play: the plan holding its market and what to tell the user,
    or None. One query, only when it can matter."""
    if plan.play_id is not None or plan.status not in (Plan.Status.DRAFT, Plan.Status.READY):
        return None
    holder = market_holder(tenant=tenant, plan=plan)
    return (
        (holder, market_held_warning(tenant=tenant, plan=plan, holder=holder)) if holder is not None else None
    )


def market_label(*, tenant: Tenant, plan: Plan) -> str:
    """The plan's market in words, a vertical by the tenant's label: the plan selectors read it with
    the plan; a plan read otherwise (locked or just changed by a service) has it looked up."""
    if plan.market_kind == MarketKind.VERTICAL and not hasattr(plan, "market_vertical_label"):
        return vertical_labels(tenant=tenant).get(plan.market_value, plan.market_value)
    return plan.market_label


def market_taken(*, tenant: Tenant, plan: Plan, holder: Plan | None) -> str:
    """The fact, in words, that the play step's refusal and step 1's warning both start with."""
    held = f": {holder.play} in “{holder}”" if holder is not None else ""
    return f"{market_label(tenant=tenant, plan=plan)} already has a play in {plan.quarter_label}{held}."


def market_held_warning(*, tenant: Tenant, plan: Plan, holder: Plan) -> str:
    return (
        f"{market_taken(tenant=tenant, plan=plan, holder=holder)} This plan cannot pick a play for it: "
        "choose another market, or close that plan first."
    )
