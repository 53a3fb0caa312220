"""What MDF paid out, the one reading the reports share: paid claims, and tranches paid (or held,
then released) through the ledger. By currency, never converted here."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from mdf.models import PAID_OUT, Claim, ClaimState, FundTranche
from partnerhub.tenancy.models import Tenant


def mdf_paid_by_currency(*, tenant: Tenant, claims: Q, tranches: Q) -> dict[str, tuple[Decimal, int]]:
    """{currency: (amount, how many claims and tranches)} of the paid claims matching `claims` and
    the paid or released tranches matching `tranches`: two queries."""
    paid: dict[str, tuple[Decimal, int]] = {}
    rows = [
        *Claim.objects.filter(claims, tenant=tenant, state=ClaimState.PAID)
        .values("currency")
        .annotate(total=Sum("amount_approved"), n=Count("id"))
        .order_by(),
        *FundTranche.objects.filter(tranches, tenant=tenant, state__in=PAID_OUT)
        .values("currency")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by(),
    ]
    for row in rows:
        amount, count = paid.get(row["currency"], (Decimal("0.00"), 0))
        paid[row["currency"]] = (amount + row["total"], count + row["n"])
    return paid
