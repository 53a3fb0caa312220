"""Reads of MDF. Pages that show funds beside planning read them here (docs/architecture.md)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.db.models import Min, Sum

from accounts.models import Plan
from accounts.selectors.plans import PartnerRank, partner_ranking
from mdf.models import FundAllocation
from partnerhub.tenancy.models import Tenant


def funds_by_partner(*, tenant: Tenant, partner_ids: list[int], year: int, quarter: int) -> dict[int, dict]:
    """Each partner's MDF allocated for one quarter, {partner id: {"total", "currency"}}: one query."""
    rows = (
        FundAllocation.objects.filter(tenant=tenant, partner_id__in=partner_ids, year=year, quarter=quarter)
        .values("partner_id")
        .annotate(total=Sum("amount"), currency=Min("currency"))
    )
    return {row["partner_id"]: row for row in rows}


def ranking_with_funds(*, tenant: Tenant, plan: Plan, limit: int | None = None) -> list[PartnerRank]:
    """The partner ranking for a plan with each partner's MDF for the plan's quarter beside it. The
    funds are read after the ranking is decided, so they can never change a rank."""
    ranks = partner_ranking(tenant=tenant, plan=plan, limit=limit)
    funds = funds_by_partner(
        tenant=tenant, partner_ids=[rank.partner.id for rank in ranks], year=plan.year, quarter=plan.quarter
    )
    empty = {"total": Decimal("0"), "currency": ""}
    return [
        dataclasses.replace(
            rank,
            mdf_available=funds.get(rank.partner.id, empty)["total"],
            mdf_currency=funds.get(rank.partner.id, empty)["currency"],
        )
        for rank in ranks
    ]
