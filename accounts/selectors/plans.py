"""Reads of plans: the plans board, the plan page and partner ranking."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    FilteredRelation,
    Func,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, JSONObject, Least

from accounts.models import PLAN_OWNER_FIELDS, MarketKind, Plan, PlanAccount, TargetAccount
from accounts.selectors.accounts import account_choices
from accounts.services.plans import step_states, steps_taken_from
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.selectors import vertical_label_of, vertical_list
from partnerhub.tenancy.taxonomy import Region

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
        .annotate(
            account_count=Count("plan_accounts", distinct=True),
            market_vertical_label=vertical_label_of("market_value"),
        )
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
            *PLAN_OWNER_FIELDS,
        )
        .prefetch_related(Prefetch("plan_accounts", queryset=named), "checkpoints")
        .annotate(market_vertical_label=vertical_label_of("market_value"))
    )


def plan_steps_loaded(plan: Plan) -> dict[int, bool]:
    """Which steps hold a decision, read from a plan as `plan_detail` loaded it (no query)."""
    has_follow_up = getattr(plan, "follow_up", None) is not None
    return steps_taken_from(plan, len(plan.plan_accounts.all()), has_follow_up)


def plan_step_states(plan: Plan) -> list[dict]:
    """The six steps' states (see `step_states`) of a plan as `plan_detail` loaded it: no query."""
    return step_states(plan, plan_steps_loaded(plan))


# The account field a market kind is matched against.
MARKET_ACCOUNT_FIELD = {
    MarketKind.REGION: "region",
    MarketKind.VERTICAL: "industry",
    MarketKind.SEGMENT: "segment",
}


def plan_account_candidates(
    *, tenant: Tenant, plan: Plan, exclude: list[int], query: str = "", stage: str = "", limit: int = 25
) -> list[TargetAccount]:
    """Accounts to add to a plan: those matching `query` (name or domain), else the market's own
    (its region, industry or segment); optionally of one stage."""
    accounts = account_choices(tenant=tenant).exclude(id__in=exclude)
    if query:
        accounts = accounts.filter(Q(name__icontains=query) | Q(domain__icontains=query))
    elif plan.market_kind:
        accounts = accounts.filter(**{MARKET_ACCOUNT_FIELD[MarketKind(plan.market_kind)]: plan.market_value})
    if stage:
        accounts = accounts.filter(stage=stage)
    return list(accounts[:limit])


@dataclass
class PlanProfile:
    """The plan's named accounts, and the vertical and region partners are judged against: the
    market's own, or for another kind of market the named accounts' most common one."""

    account_ids: list[int]
    account_names: dict[int, str]
    vertical: str = ""
    region: str = ""


class Mode(Aggregate):
    """PostgreSQL's most frequent value (ties: the smallest)."""

    function = "MODE"
    template = "%(function)s() WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def plan_profile(*, tenant: Tenant, plan: Plan) -> PlanProfile:
    named = TargetAccount.objects.filter(tenant=tenant, plans__id=plan.id)
    found = named.aggregate(
        ids=ArrayAgg("id", order_by="id", default=[]),
        names=ArrayAgg("name", order_by="id", default=[]),
        industry=Mode("industry", filter=~Q(industry=""), output_field=CharField()),
        region=Mode("region", filter=~Q(region=""), output_field=CharField()),
    )
    market = plan.market_value
    return PlanProfile(
        account_ids=found["ids"],
        account_names=dict(zip(found["ids"], found["names"], strict=True)),
        vertical=market if plan.market_kind == MarketKind.VERTICAL else found["industry"] or "",
        region=market if plan.market_kind == MarketKind.REGION else found["region"] or "",
    )


@dataclass
class PartnerRank:
    partner: Partner
    access: int
    access_accounts: list[dict]
    has_vertical: bool
    certifications: int
    covers_region: bool
    score: int
    reasons: list[str]
    # Beside the rank, never in it: filled by mdf.selectors.ranking_with_funds where a page shows both.
    mdf_available: Decimal = Decimal("0")
    mdf_currency: str = ""


class Cardinality(Func):
    function = "CARDINALITY"
    output_field = IntegerField()


def partner_ranking(*, tenant: Tenant, plan: Plan, limit: int | None = None) -> list[PartnerRank]:
    """Active partners ranked for a plan, computed in one SQL query.

    Access first: how many of the plan's named accounts the partner already works with, and which.
    Then credibility (depth in the market's vertical, certifications) and fit (the region). Money
    plays no part here: access first, then find the money (mdf.selectors.ranking_with_funds).
    """
    profile = plan_profile(tenant=tenant, plan=plan)
    has_vertical = Case(When(verticals__contains=[profile.vertical or "-"], then=1), default=0)
    covers_region = Case(When(regions__contains=[profile.region or "-"], then=1), default=0)
    partners = (
        Partner.objects.filter(tenant=tenant, status=Partner.Status.ACTIVE)
        # One join to the partner's mappings of the named accounts only, aggregated once per partner.
        .annotate(known=FilteredRelation("account_mappings", condition=_named_mappings(tenant, profile)))
        .annotate(
            access=Count("known"),
            access_accounts=ArrayAgg(
                JSONObject(account="known__account_id", relationship="known__relationship"),
                filter=Q(known__isnull=False),
                default=[],
            ),
            credibility_fit=has_vertical * VERTICAL_POINTS
            + Least(Coalesce(Cardinality("certifications"), 0), MAX_CERTIFICATION_POINTS)
            + covers_region * REGION_POINTS,
            has_vertical=has_vertical,
            certification_count=Coalesce(Cardinality("certifications"), 0),
            covers_region=covers_region,
            # The tenant's label of the vertical, in the same query (one value for every row).
            vertical_label=Subquery(
                vertical_list(tenant=tenant).filter(value=profile.vertical).values("label")[:1]
            ),
        )
        .order_by("-access", "-credibility_fit", "name", "id")
    )
    if limit is not None:
        partners = partners[:limit]
    named = len(profile.account_ids)
    return [_rank(partner, named, profile) for partner in partners]


def _named_mappings(tenant: Tenant, profile: PlanProfile) -> Q:
    """The join's condition: the partner's mappings of the named accounts. A plan naming none joins
    no mapping (`account_id IN ()` would make Django drop the whole query, every partner with it)."""
    if not profile.account_ids:
        return Q(account_mappings__tenant=tenant, account_mappings__account_id__isnull=True)
    return Q(account_mappings__tenant=tenant, account_mappings__account_id__in=profile.account_ids)


def _rank(partner: Partner, named: int, profile: PlanProfile) -> PartnerRank:
    known = sorted(
        ({"name": profile.account_names[row["account"]], **row} for row in partner.access_accounts),
        key=lambda row: row["name"],
    )
    reasons = []
    if partner.access:
        accounts = ", ".join(row["name"] for row in known[:5])
        more = f" and {partner.access - 5} more" if partner.access > 5 else ""
        reasons.append(f"Works with {partner.access} of the {named} named accounts: {accounts}{more}.")
    elif named:
        reasons.append(f"Works with none of the {named} named accounts.")
    else:
        reasons.append("The plan names no accounts yet: ranked on credibility and fit only.")
    if partner.has_vertical:
        reasons.append(f"Depth in {partner.vertical_label or profile.vertical}.")
    if partner.certification_count:
        plural = "s" if partner.certification_count > 1 else ""
        reasons.append(f"{partner.certification_count} certification{plural}.")
    if partner.covers_region:
        reasons.append(f"Covers {_label(Region, profile.region)}.")
    return PartnerRank(
        partner=partner,
        access=partner.access,
        access_accounts=known,
        has_vertical=bool(partner.has_vertical),
        certifications=partner.certification_count,
        covers_region=bool(partner.covers_region),
        score=partner.access * ACCESS_POINTS + partner.credibility_fit,
        reasons=reasons,
    )


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def plan_status_counts(*, tenant: Tenant) -> dict[str, int]:
    """Plans per status (the board's header): one aggregate query."""
    return Plan.objects.filter(tenant=tenant).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in Plan.Status.values}
    )
