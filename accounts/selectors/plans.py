"""Reads of plans: the plans board, the plan page and partner ranking."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject, Least

from accounts.models import AccountMapping, MarketKind, Plan, PlanAccount, TargetAccount
from mdf.models import FundAllocation
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.taxonomy import Region, Vertical

# Weights of the score. Access dominates: one more named account the partner already works with
# outweighs every point of credibility and fit together (at most 9).
ACCESS_POINTS = 10
VERTICAL_POINTS = 4
MAX_CERTIFICATION_POINTS = 2
REGION_POINTS = 3


def plan_list(*, tenant: Tenant) -> QuerySet[Plan]:
    return (
        Plan.objects.filter(tenant=tenant)
        .select_related("partner", "play", "program")
        .annotate(account_count=Count("plan_accounts", distinct=True))
        .order_by("-year", "-quarter", "market_kind", "market_value", "name", "id")
    )


def plan_detail(*, tenant: Tenant) -> QuerySet[Plan]:
    """One plan with everything its page shows, in a fixed number of queries."""
    named = PlanAccount.objects.filter(tenant=tenant).select_related("account").order_by("account__name")
    return (
        Plan.objects.filter(tenant=tenant)
        .select_related(
            "partner",
            "play",
            "program",
            "follow_up__sales_owner",
            "created_by",
            *PLAN_OWNERS,
        )
        .prefetch_related(Prefetch("plan_accounts", queryset=named), "checkpoints")
    )


PLAN_OWNERS = [
    "owner_field_marketing",
    "owner_partner_marketing",
    "owner_sales",
    "owner_channel",
    "owner_product_marketing",
    "owner_revops",
]


@dataclass
class PlanProfile:
    """What the plan's named accounts look like: the market's vertical and region for credibility
    and fit (for a region market, the accounts' most common industry; and so on)."""

    account_ids: list[int]
    vertical: str = ""
    region: str = ""
    stages: dict[str, int] = field(default_factory=dict)


def plan_profile(*, tenant: Tenant, plan: Plan) -> PlanProfile:
    named = TargetAccount.objects.filter(tenant=tenant, plans__id=plan.id)
    rows = list(named.values("id", "industry", "region", "stage"))
    profile = PlanProfile(account_ids=[row["id"] for row in rows])

    def most_common(key: str) -> str:
        counts: dict[str, int] = {}
        for row in rows:
            if row[key]:
                counts[row[key]] = counts.get(row[key], 0) + 1
        return max(sorted(counts), key=counts.get, default="")

    market = plan.market_value
    profile.vertical = market if plan.market_kind == MarketKind.VERTICAL else most_common("industry")
    profile.region = market if plan.market_kind == MarketKind.REGION else most_common("region")
    for row in rows:
        profile.stages[row["stage"]] = profile.stages.get(row["stage"], 0) + 1
    return profile


@dataclass
class PartnerRank:
    partner: Partner
    access: int
    access_accounts: list[dict]
    has_vertical: bool
    certifications: int
    covers_region: bool
    score: int
    mdf_available: Decimal
    mdf_currency: str
    reasons: list[str]


class Cardinality(Func):
    function = "CARDINALITY"
    output_field = IntegerField()


def partner_ranking(*, tenant: Tenant, plan: Plan, limit: int | None = None) -> list[PartnerRank]:
    """Active partners ranked for a plan, computed in one SQL query.

    Access first: how many of the plan's named accounts the partner already works with, and which.
    Then credibility (depth in the market's vertical, certifications) and fit (the region). The
    partner's MDF for the plan's quarter is read beside the ranking and never enters the score:
    access first, then find the money.
    """
    profile = plan_profile(tenant=tenant, plan=plan)
    mappings = AccountMapping.objects.filter(
        tenant=tenant, partner=OuterRef("pk"), account_id__in=profile.account_ids
    )
    access = Coalesce(
        Subquery(mappings.values("partner").annotate(n=Count("id")).values("n"), output_field=IntegerField()),
        0,
    )
    has_vertical = Case(When(verticals__contains=[profile.vertical or "-"], then=1), default=0)
    covers_region = Case(When(regions__contains=[profile.region or "-"], then=1), default=0)
    funds = FundAllocation.objects.filter(
        tenant=tenant, partner=OuterRef("pk"), year=plan.year, quarter=plan.quarter
    ).values("partner")
    partners = (
        Partner.objects.filter(tenant=tenant, status=Partner.Status.ACTIVE)
        .annotate(
            access=access,
            access_accounts=ArraySubquery(
                mappings.order_by("account__name").values(
                    json=JSONObject(name="account__name", relationship="relationship")
                )
            ),
            has_vertical=has_vertical,
            certification_count=Coalesce(Cardinality("certifications"), 0),
            covers_region=covers_region,
            mdf_available=Coalesce(
                Subquery(funds.annotate(total=Sum("amount")).values("total")), Value(Decimal("0"))
            ),
            mdf_currency=Subquery(funds.annotate(currency_=F("currency")).values("currency_")[:1]),
        )
        .annotate(
            score=F("access") * ACCESS_POINTS
            + F("has_vertical") * VERTICAL_POINTS
            + Least(F("certification_count"), MAX_CERTIFICATION_POINTS)
            + F("covers_region") * REGION_POINTS
        )
        .order_by("-access", "-score", "name", "id")
    )
    if limit is not None:
        partners = partners[:limit]
    named = len(profile.account_ids)
    return [_rank(partner, named, profile) for partner in partners]


def _rank(partner: Partner, named: int, profile: PlanProfile) -> PartnerRank:
    reasons = []
    if partner.access:
        accounts = ", ".join(row["name"] for row in partner.access_accounts[:5])
        more = f" and {partner.access - 5} more" if partner.access > 5 else ""
        reasons.append(f"Works with {partner.access} of the {named} named accounts: {accounts}{more}.")
    else:
        reasons.append(f"Works with none of the {named} named accounts.")
    if partner.has_vertical:
        reasons.append(f"Depth in {_label(Vertical, profile.vertical)}.")
    if partner.certification_count:
        plural = "s" if partner.certification_count > 1 else ""
        reasons.append(f"{partner.certification_count} certification{plural}.")
    if partner.covers_region:
        reasons.append(f"Covers {_label(Region, profile.region)}.")
    return PartnerRank(
        partner=partner,
        access=partner.access,
        access_accounts=partner.access_accounts,
        has_vertical=bool(partner.has_vertical),
        certifications=partner.certification_count,
        covers_region=bool(partner.covers_region),
        score=partner.score,
        mdf_available=partner.mdf_available,
        mdf_currency=partner.mdf_currency or "",
        reasons=reasons,
    )


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def plan_status_counts(*, tenant: Tenant) -> dict[str, int]:
    """Plans per status (the board's header): one aggregate query."""
    return Plan.objects.filter(tenant=tenant).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in Plan.Status.values}
    )
