"""SLA policies: the tenant's default and the own policies of a partner tier, a partner or a program
(docs/leads.md, "SLA policies").

The rules kept here:
- Only the roles with `sla_policy.change` (tenant admins, partner managers) create, change and
  delete policies; every change is audited with its values before and after.
- A policy has one scope at most (a tier, a partner or a program; none: the tenant's default), and a
  scope has one policy at most. Both are refused on the field at fault; the database's check and
  unique constraints are the backstop.
- The tenant's default is deleted only while no narrower policy exists (sla_policy_delete_refusal).
- A change applies to the clocks that start after it (an offer, an acceptance, a report restarting
  the silence); deadlines already stored stay as they were.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import Program
from leads.models import SlaPolicy
from leads.selectors.sla_policies import sla_policy_delete_refusal
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audited, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.services.common import (
    check_partner_in_tenant,
    check_permission,
    save_validated,
)

SCOPE_FIELDS = ["tier", "partner", "program"]
NUMBER_FIELDS = [
    "accept_hours",
    "contact_hours",
    "qualify_days",
    "warn_percent",
    "grace_hours",
    "silent_days",
]
POLICY_FIELDS = [*SCOPE_FIELDS, *NUMBER_FIELDS]


def _check_may_change(tenant: Tenant, actor: Actor) -> None:
    check_permission(tenant, actor, "sla_policy.change", "Your role cannot change SLA policies.")


def _policy(tenant: Tenant, sla_policy_id: int) -> SlaPolicy:
    policy = (
        SlaPolicy.objects.select_for_update(of=("self",))
        .select_related("partner", "program")
        .filter(tenant=tenant, id=sla_policy_id)
        .first()
    )
    if policy is None:
        raise ServiceError("No such SLA policy.", field="sla_policy")
    return policy


def _check_scope(tenant: Tenant, policy: SlaPolicy) -> None:
    """One scope at most, of this tenant, and no other policy of the same scope."""
    given = [name for name in SCOPE_FIELDS if getattr(policy, name if name == "tier" else f"{name}_id")]
    if len(given) > 1:
        raise ServiceError(
            f"A policy has one scope: a tier, a partner or a program, not a {given[0]} and a {given[1]}.",
            field=given[1],
        )
    if policy.tier and policy.tier not in Partner.Tier.values:
        raise ServiceError(f"“{policy.tier}” is not a tier.", field="tier")
    check_partner_in_tenant(tenant, policy.partner)
    if policy.program is not None and policy.program.tenant_id != tenant.id:
        raise ServiceError("Select a valid program.", field="program")
    same_scope = {"tier": policy.tier, "partner": policy.partner, "program": policy.program}
    if SlaPolicy.objects.filter(tenant=tenant, **same_scope).exclude(id=policy.id).exists():
        raise ServiceError(
            f"{policy.scope_label} has an SLA policy already: change that one.",
            field=given[0] if given else "scope",
        )


@transaction.atomic
def sla_policy_create(
    *,
    tenant: Tenant,
    actor: Actor,
    tier: str = "",
    partner: Partner | None = None,
    program: Program | None = None,
    **numbers: int,
) -> SlaPolicy:
    """A policy for a tier, a partner or a program, or (none of them) the tenant's default; the
    numbers not given take the built-in defaults."""
    _check_may_change(tenant, actor)
    unknown = set(numbers) - set(NUMBER_FIELDS)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} is not a setting of an SLA policy.")
    policy = SlaPolicy(tenant=tenant, tier=tier or "", partner=partner, program=program, **numbers)
    _check_scope(tenant, policy)
    save_validated(policy)
    audit(
        tenant=tenant,
        actor=actor,
        action="sla_policy.created",
        target=policy,
        after=snapshot(policy, POLICY_FIELDS),
    )
    return policy


@transaction.atomic
def sla_policy_update(*, tenant: Tenant, actor: Actor, sla_policy_id: int, **changes) -> SlaPolicy:
    """Change a policy's numbers or its scope (one scope at most, one policy a scope). Clocks that
    start from now on read the new numbers; deadlines already stored stay."""
    _check_may_change(tenant, actor)
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} is not a setting of an SLA policy.")
    policy = _policy(tenant, sla_policy_id)
    with audited(
        tenant=tenant, actor=actor, target=policy, fields=POLICY_FIELDS, action="sla_policy.updated"
    ):
        for name, value in changes.items():
            setattr(policy, name, (value or "") if name == "tier" else value)
        _check_scope(tenant, policy)
        save_validated(policy, update_fields=[*changes, "updated_at"])
    return policy


@transaction.atomic
def sla_policy_delete(*, tenant: Tenant, actor: Actor, sla_policy_id: int) -> None:
    """Delete a policy: its scope runs on the next wider one (a program's or a partner's on the
    partner's tier, a tier's on the default, the default on the built-in defaults). The default is
    kept while narrower policies exist."""
    _check_may_change(tenant, actor)
    policy = _policy(tenant, sla_policy_id)
    refusal = sla_policy_delete_refusal(tenant=tenant, policy=policy)
    if refusal:
        raise ServiceError(refusal)
    audit(
        tenant=tenant,
        actor=actor,
        action="sla_policy.deleted",
        target=policy,
        before=snapshot(policy, POLICY_FIELDS),
    )
    policy.delete()
