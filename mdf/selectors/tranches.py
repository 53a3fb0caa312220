"""Reads of tranches (docs/mdf.md, "Tranches"): the list shared by the held-tranches page and the
API, and a request's schedule."""

from __future__ import annotations

from django.db.models import QuerySet

from mdf.models import FundRequest, FundTranche
from partnerhub.tenancy.models import Tenant


def tranche_list(*, tenant: Tenant) -> QuerySet[FundTranche]:
    """Every tranche of the tenant with what its rows show (partner scope is the caller's)."""
    return FundTranche.objects.filter(tenant=tenant).select_related(
        "request", "request__partner", "request__fund", "plan", "decided_by"
    )


def request_tranches(*, tenant: Tenant, request: FundRequest) -> list[FundTranche]:
    """A request's schedule, on approval first, then by checkpoint day."""
    return list(FundTranche.objects.filter(tenant=tenant, request=request).select_related("decided_by"))
