"""The play a plan's named accounts call for (step 4), with the numbers behind it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import AccountStage, MarketKind, Plan, PlanAccount
from accounts.selectors.markets import market_label
from partnerhub.tenancy.models import Tenant
from plays.models import Play, PlayKind


@dataclass(frozen=True)
class PlayOption:
    kind: str
    play: Play | None
    reason: str

    @property
    def label(self) -> str:
        return str(PlayKind(self.kind).label)


@dataclass(frozen=True)
class PlayRecommendation:
    """The play that fits a plan's accounts, why (a sentence with the numbers), and the other plays
    the accounts also support, largest group first."""

    kind: str
    play: Play | None
    reason: str
    alternatives: tuple[PlayOption, ...]
    counts: dict[str, int]
    # False when no play suits the accounts: nothing the plays are built for is there.
    fits: bool = True

    @property
    def label(self) -> str:
        return str(PlayKind(self.kind).label)


def plan_account_stage_counts(*, tenant: Tenant, plan: Plan) -> dict[str, int]:
    """The plan's named accounts counted by what decides the play: one aggregate query."""
    in_vertical = plan.market_value if plan.market_kind == MarketKind.VERTICAL else None
    return PlanAccount.objects.filter(tenant=tenant, plan=plan).aggregate(
        total=Count("id"),
        open_or_stalled=Count(
            "id",
            filter=Q(account__stage__in=[AccountStage.OPEN_OPPORTUNITY, AccountStage.STALLED_OPPORTUNITY]),
        ),
        existing_customers=Count("id", filter=Q(account__stage=AccountStage.EXISTING_CUSTOMER)),
        senior_buyers=Count("id", filter=Q(account__senior_buyers_engaged=True)),
        # Zero for a region or segment market: no account has a NULL industry.
        in_market_vertical=Count("id", filter=Q(account__industry=in_vertical)),
    )


def play_recommendation(*, tenant: Tenant, plan: Plan) -> PlayRecommendation:
    """Partner depth in the market's vertical → vertical wedge; else the
    largest group of the named accounts: open or stalled opportunities → acceleration, existing
    customers → expansion, senior buyers engaged → roundtable (ties in that order); no group at all →
    acceleration, saying so. Counting is one aggregate query; the plays are one more."""
    counts = plan_account_stage_counts(tenant=tenant, plan=plan)
    plays = {play.kind: play for play in Play.objects.filter(tenant=tenant)}
    total = counts["total"]
    groups = [
        (
            PlayKind.ACCELERATION,
            counts["open_or_stalled"],
            f"{counts['open_or_stalled']} of {total} named accounts have open or stalled opportunities.",
        ),
        (
            PlayKind.EXPANSION,
            counts["existing_customers"],
            f"{counts['existing_customers']} of {total} named accounts are existing customers.",
        ),
        (
            PlayKind.ROUNDTABLE,
            counts["senior_buyers"],
            f"{counts['senior_buyers']} of {total} named accounts have senior buyers engaged.",
        ),
    ]
    # sorted() is stable: equal counts keep the order above, which is the tie-break.
    ranked = [group for group in sorted(groups, key=lambda group: -group[1]) if group[1] > 0]
    options = [PlayOption(kind=kind, play=plays.get(kind), reason=reason) for kind, _, reason in ranked]

    partner = plan.partner if plan.partner_id else None
    if partner and plan.market_kind == MarketKind.VERTICAL and plan.market_value in partner.verticals:
        vertical = market_label(tenant=tenant, plan=plan)
        reason = (
            f"{partner.name} has depth in {vertical}, this plan's market: "
            f"{counts['in_market_vertical']} of {total} named accounts are in {vertical}."
        )
        chosen = PlayOption(
            kind=PlayKind.VERTICAL_WEDGE, play=plays.get(PlayKind.VERTICAL_WEDGE), reason=reason
        )
        alternatives = tuple(options)
    elif options:
        chosen, alternatives = options[0], tuple(options[1:])
    else:
        reason = (
            f"No play fits these {total} accounts well: none has an open or stalled opportunity, is an "
            "existing customer or has senior buyers engaged, and each play is built for one of those. "
            "Acceleration is shown only as a starting point; consider naming accounts in play, or "
            "engaging senior buyers first."
            if total
            else "The plan has no named accounts yet: name them and the recommendation follows from them."
        )
        chosen = PlayOption(kind=PlayKind.ACCELERATION, play=plays.get(PlayKind.ACCELERATION), reason=reason)
        return PlayRecommendation(
            kind=chosen.kind, play=chosen.play, reason=reason, alternatives=(), counts=counts, fits=False
        )
    return PlayRecommendation(
        kind=chosen.kind, play=chosen.play, reason=chosen.reason, alternatives=alternatives, counts=counts
    )
