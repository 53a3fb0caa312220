"""MDF ROI per named account, for the plan page (docs/reporting.md, "MDF ROI per account").

The MDF paid for a plan (paid claims and paid or released tranches of requests for the plan or its
program) is apportioned evenly across its named accounts; beside each account, the pipeline opened
on it since the launch (opportunities created since, not lost) and the ratio of the two. Amounts are
in the plan's target currency; money in another currency is counted apart, never converted here
(until FX rates land: swap `_pipeline_rows`). Four queries, whatever the number of accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from accounts.models import Opportunity, OpportunityStage, Plan, PlanAccount, TargetAccount
from mdf.selectors.paid import mdf_paid_by_currency
from partnerhub.tenancy.models import Tenant

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal("0.00")


@dataclass
class AccountRoi:
    account: TargetAccount
    mdf: Decimal
    pipeline: Decimal

    @property
    def roi(self) -> Decimal | None:
        """Pipeline per unit of MDF (12.5 means 12.50 of pipeline per 1.00 paid); None without MDF."""
        return (self.pipeline / self.mdf).quantize(TENTH, ROUND_HALF_UP) if self.mdf else None


@dataclass
class PlanRoi:
    currency: str
    mdf_paid: Decimal
    rows: list[AccountRoi] = field(default_factory=list)
    # Amounts in another currency than the plan's, left out of the figures above.
    other_currency: int = 0

    @property
    def pipeline(self) -> Decimal:
        return sum((row.pipeline for row in self.rows), ZERO)

    @property
    def roi(self) -> Decimal | None:
        return (self.pipeline / self.mdf_paid).quantize(TENTH, ROUND_HALF_UP) if self.mdf_paid else None


def _mdf_paid(tenant: Tenant, plan: Plan) -> dict[str, Decimal]:
    serves = Q(request__plan_id=plan.id) | Q(request__program__plan_id=plan.id)
    paid = mdf_paid_by_currency(tenant=tenant, claims=serves, tranches=Q(plan_id=plan.id))
    return {currency: amount for currency, (amount, _) in paid.items()}


def _pipeline_rows(tenant: Tenant, plan: Plan):
    """(account id, currency, amount) of the opportunities opened on the named accounts since launch."""
    return (
        Opportunity.objects.filter(
            tenant=tenant,
            account_id__in=PlanAccount.objects.filter(tenant=tenant, plan_id=plan.id).values("account_id"),
            created_at__gte=plan.launched_at,
        )
        .exclude(stage=OpportunityStage.CLOSED_LOST)
        .values_list("account_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )


def plan_account_roi(*, tenant: Tenant, plan: Plan) -> PlanRoi | None:
    """The plan's MDF ROI per named account, or None before it was launched."""
    if plan.launched_at is None:
        return None
    currency = plan.target_currency
    named = list(
        PlanAccount.objects.filter(tenant=tenant, plan_id=plan.id)
        .select_related("account")
        .order_by("account__name", "account_id")
    )
    paid = _mdf_paid(tenant, plan)
    result = PlanRoi(currency=currency, mdf_paid=paid.get(currency, ZERO))
    result.other_currency = sum(1 for code in paid if code != currency)
    pipeline: dict[int, Decimal] = {}
    for account_id, code, total in _pipeline_rows(tenant, plan):
        if code != currency:
            result.other_currency += 1
            continue
        pipeline[account_id] = pipeline.get(account_id, ZERO) + total
    share = (result.mdf_paid / len(named)).quantize(CENT, ROUND_HALF_UP) if named else ZERO
    result.rows = [
        AccountRoi(account=row.account, mdf=share, pipeline=pipeline.get(row.account_id, ZERO))
        for row in named
    ]
    return result
