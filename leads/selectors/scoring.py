"""What scoring reads, set-based: a few queries for any number of leads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from django.db.models import Count

from accounts.models import PlanAccount
from leads.models import Touch
from partnerhub.tenancy.models import Tenant


def lead_touch_counts(*, tenant: Tenant, lead_ids: Collection[int]) -> dict[int, dict[str, int]]:
    """Per lead, its number of touches of each kind: one aggregate over the touches in SQL."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Touch.objects.filter(tenant=tenant, lead_id__in=lead_ids)
        .values_list("lead_id", "kind")
        .annotate(count=Count("id"))
        .order_by()
    )
    for lead_id, kind, count in rows:
        counts[lead_id][kind] = count
    return counts


def plan_account_pairs(
    *, tenant: Tenant, plan_ids: Collection[int], account_ids: Collection[int]
) -> set[tuple[int, int]]:
    """Which of `account_ids` are on which of `plan_ids` (the plans' named accounts), as (plan, account)."""
    if not plan_ids or not account_ids:
        return set()
    return set(
        PlanAccount.objects.filter(
            tenant=tenant, plan_id__in=plan_ids, account_id__in=account_ids
        ).values_list("plan_id", "account_id")
    )
