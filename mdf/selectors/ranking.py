"""The partner ranking with each partner's MDF beside it (docs/architecture.md: pages that show
funds beside planning read them here)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from accounts.models import Plan
from accounts.selectors.plans import PartnerRank, partner_ranking
from mdf.selectors.balances import partner_balances
from partnerhub.tenancy.models import Tenant


def funds_by_partner(*, tenant: Tenant, partner_ids: list[int], year: int, quarter: int) -> dict[int, dict]:
    """Each partner's MDF available for one quarter, {partner id: {"available", "currency"}}, from
    the ledger: one query. A partner holding funds in several currencies shows the tenant's default
    currency if it is one of them, else the first by code (amounts are never converted)."""
    found: dict[int, dict] = {}
    for row in partner_balances(tenant=tenant, partner_ids=partner_ids, year=year, quarter=quarter):
        if row["partner_id"] not in found or row["currency"] == tenant.default_currency:
            found[row["partner_id"]] = row
    return found


def ranking_with_funds(*, tenant: Tenant, plan: Plan, limit: int | None = None) -> list[PartnerRank]:
    """The partner ranking for a plan with each partner's MDF available for the plan's quarter
    beside it. The funds are read after the ranking is decided, so they can never change a rank."""
    ranks = partner_ranking(tenant=tenant, plan=plan, limit=limit)
    funds = funds_by_partner(
        tenant=tenant, partner_ids=[rank.partner.id for rank in ranks], year=plan.year, quarter=plan.quarter
    )
    empty = {"available": Decimal("0"), "currency": ""}
    return [
        dataclasses.replace(
            rank,
            mdf_available=funds.get(rank.partner.id, empty)["available"],
            mdf_currency=funds.get(rank.partner.id, empty)["currency"],
        )
        for rank in ranks
    ]
