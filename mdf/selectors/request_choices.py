"""What the request forms offer (docs/mdf.md, "Requests"): the funds a partner may draw on for a kind
of request, the partner's plans, and the target accounts of those plans. The services check each
choice again; these only keep the forms short and right."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Plan, PlanAccount
from mdf.models import Allocation, Fund, FundRequest
from partnerhub.tenancy.models import Partner, Tenant


def fund_choices(
    *, tenant: Tenant, partner: Partner | None, kind: str, today: datetime.date
) -> QuerySet[Fund]:
    """Funds of this quarter or later serving the partner's tier, with the allocation a request of
    this kind draws from: the tier's pool for a catalog request, the partner's own otherwise. With no
    partner (the vendor adding a strategic line), the funds with any one-to-one partner's allocation."""
    tier = partner.tier if partner is not None else Partner.Tier.ONE_TO_ONE
    if kind == FundRequest.Kind.CATALOG:
        source = Q(partner=None, tier=tier)
    else:
        source = Q(partner=partner) if partner is not None else Q(partner__tier=tier)
    quarter = (today.month - 1) // 3 + 1
    return (
        Fund.objects.filter(tenant=tenant, tiers__contains=[tier])
        .filter(Q(year__gt=today.year) | Q(year=today.year, quarter__gte=quarter))
        .filter(Exists(Allocation.objects.filter(source, tenant=tenant, fund=OuterRef("pk"))))
        .order_by("year", "quarter", "name", "id")
    )


def partner_plans(*, tenant: Tenant, partner: Partner | None) -> QuerySet[Plan]:
    """The partner's plans a request may serve, the latest quarter first (with no partner: the plans
    of every one-to-one partner, for the vendor adding a strategic line)."""
    plans = Plan.objects.filter(tenant=tenant).select_related("partner")
    plans = plans.filter(partner=partner) if partner else plans.filter(partner__tier=Partner.Tier.ONE_TO_ONE)
    return plans.order_by("-year", "-quarter", "name", "id")


def plan_account_groups(*, tenant: Tenant, partner: Partner) -> list[tuple[str, list[tuple[int, str]]]]:
    """The named target accounts of the partner's plans, grouped by plan (one query): the choices of
    "the plan's accounts it is meant to reach"."""
    rows = (
        PlanAccount.objects.filter(tenant=tenant, plan__partner=partner)
        .select_related("plan", "account")
        .order_by("-plan__year", "-plan__quarter", "plan__name", "plan_id", "account__name")
    )
    groups: dict[int, tuple[str, list]] = {}
    for row in rows:
        label = str(row.plan)
        groups.setdefault(row.plan_id, (label, []))[1].append((row.account_id, row.account.name))
    return list(groups.values())
