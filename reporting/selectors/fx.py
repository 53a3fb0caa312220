"""FX rates as the portal and the API list them."""

from __future__ import annotations

from django.db.models import QuerySet

from reporting.models import FxRate


def fx_rate_list(*, tenant) -> QuerySet[FxRate]:
    return FxRate.objects.filter(tenant=tenant).select_related("updated_by")
