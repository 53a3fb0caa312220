"""Reads of the SLA policies: the settings list, by scope, and the rule of deleting one. Which
policy a handoff runs on is leads.selectors.handoffs.policy_for."""

from __future__ import annotations

from django.db.models import QuerySet

from leads.models import SlaPolicy, SlaScope
from leads.models.handoffs import DEFAULT_SCOPE
from leads.selectors.handoffs import SCOPE_RANK
from partnerhub.tenancy.models import Tenant


def sla_policy_list(*, tenant: Tenant) -> QuerySet[SlaPolicy]:
    """The tenant's policies, the widest scope first (the default, the tiers, the partners by name,
    the programs by tracking code), with what their scope label reads."""
    return (
        SlaPolicy.objects.filter(tenant=tenant)
        .select_related("partner", "program")
        .order_by(SCOPE_RANK.desc(), "tier", "partner__name", "program__tracking_code", "id")
    )


def sla_policy_delete_refusal(*, tenant: Tenant, policy: SlaPolicy) -> str:
    """Why `policy` cannot be deleted, or "": the tenant's default stays while narrower policies
    exist (they read as exceptions to it); without them, deleting it returns every handoff to the
    built-in defaults."""
    if policy.scope != SlaScope.DEFAULT:
        return ""
    if SlaPolicy.objects.filter(tenant=tenant).exclude(DEFAULT_SCOPE).exists():
        return (
            "The tenant's default policy cannot be deleted while tier, partner or program policies exist: "
            "change its numbers, or delete those first."
        )
    return ""
