"""Reads of handoffs: the SLA policy a partner's handoffs run on, who hears of an escalation, and
what a partner may see of a handed-off lead."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, When

from leads.models import Handoff, HandoffEscalation, SlaPolicy
from leads.models.handoffs import DEFAULT_SCOPE
from leads.selectors.leads import lead_touches
from partnerhub.tenancy.models import Membership, Partner, Tenant, User
from partnerhub.tenancy.roles import PARTNER_ROLES, STAFF_ROLES, Role

# A narrower scope first: a program's own, a partner's own, its tier's own, the tenant's default.
SCOPE_RANK = Case(
    When(program__isnull=False, then=0),
    When(partner__isnull=False, then=1),
    When(~Q(tier=""), then=2),
    default=3,
)


def policy_for(*, tenant: Tenant, partner: Partner, program_id: int | None = None) -> SlaPolicy:
    """The SLA policy a handoff to `partner` of a lead that came through program `program_id` runs
    on: the program's own, else the partner's own, else its tier's, else the tenant's default, else
    the built-in defaults (an unsaved policy: accept in 24 business hours, first contact in 24,
    qualify in 5 business days, warn at 75 %, 24 business hours of grace). One query."""
    scopes = DEFAULT_SCOPE | Q(partner=partner)
    if partner.tier:
        scopes |= Q(tier=partner.tier)
    if program_id is not None:
        scopes |= Q(program_id=program_id)
    policy = SlaPolicy.objects.filter(scopes, tenant=tenant).order_by(SCOPE_RANK).first()
    return policy if policy is not None else SlaPolicy(tenant=tenant)


def handoff_fired_steps(*, tenant: Tenant, handoff_ids: list[int]) -> dict[int, set[tuple[str, str]]]:
    """The ladder steps already fired, per handoff: {handoff_id: {(clock, step), ...}}."""
    fired: dict[int, set[tuple[str, str]]] = {handoff_id: set() for handoff_id in handoff_ids}
    rows = HandoffEscalation.objects.filter(tenant=tenant, handoff_id__in=handoff_ids)
    for handoff_id, clock, step in rows.values_list("handoff_id", "clock", "step"):
        fired[handoff_id].add((clock, step))
    return fired


def partner_users(*, tenant: Tenant, partner_id: int) -> QuerySet[User]:
    """The people of a partner company: who is nudged before its clock breaches."""
    return User.objects.filter(
        memberships__tenant=tenant, memberships__partner_id=partner_id, memberships__role__in=PARTNER_ROLES
    ).order_by("email", "id")


def partner_users_by_partner(*, tenant: Tenant, partner_ids: set[int]) -> dict[int, list[User]]:
    """partner_users of many partners in one query: {partner_id: [users]} (a sweep's batch)."""
    users: dict[int, list[User]] = {}
    memberships = (
        Membership.objects.filter(tenant=tenant, partner_id__in=partner_ids, role__in=PARTNER_ROLES)
        .select_related("user")
        .order_by("user__email", "user_id")
    )
    for membership in memberships:
        users.setdefault(membership.partner_id, []).append(membership.user)
    return users


def partner_managers(*, tenant: Tenant, partner: Partner) -> list[User]:
    """Who hears of a breach: the partner's account manager (the vendor's owner of the relationship)
    while they are staff of the tenant, else the tenant admins."""
    staff = Membership.objects.filter(tenant=tenant, role__in=STAFF_ROLES)
    if partner.account_manager_id and staff.filter(user_id=partner.account_manager_id).exists():
        return [partner.account_manager]
    return list(
        User.objects.filter(memberships__in=staff.filter(role=Role.TENANT_ADMIN)).order_by("email", "id")
    )


@dataclass(frozen=True)
class PartnerLeadView:
    """A handed-off lead as its partner sees it: the person's role, company and engagement always;
    their email and phone only once the partner accepted (empty before)."""

    handoff_id: int
    state: str
    name: str
    title: str
    company_name: str
    company_domain: str
    country: str
    touches: list[tuple[str, datetime.datetime]]
    email: str = ""
    phone: str = ""

    @property
    def contacts_revealed(self) -> bool:
        return bool(self.email or self.phone)


def contacts_revealed(*, handoff: Handoff, membership) -> bool:
    """Whether `membership` sees the lead's email and phone: staff (and the vendor's keys, which have
    none) always; the partner's users and keys only while the handoff is accepted."""
    return membership is None or not membership.is_partner_role or handoff.state == Handoff.State.ACCEPTED


def handoff_lead_view(*, handoff: Handoff, membership, touches=()) -> PartnerLeadView:
    """The handoff's lead as `membership` may see it (`contacts_revealed`), with `touches` as its
    engagement history (a list leaves them out: the detail reads them)."""
    lead = handoff.lead
    revealed = contacts_revealed(handoff=handoff, membership=membership)
    return PartnerLeadView(
        handoff_id=handoff.id,
        state=handoff.state,
        name=lead.full_name,
        title=lead.title,
        company_name=lead.company_name,
        company_domain=lead.company_domain,
        country=lead.country,
        touches=[(touch.get_kind_display(), touch.occurred_at) for touch in touches],
        email=lead.email if revealed else "",
        phone=lead.phone if revealed else "",
    )


def handoff_lead_for_partner(*, tenant: Tenant, handoff: Handoff, membership) -> PartnerLeadView:
    """What `membership` may see of the handoff's lead, touches included. Contact details are revealed
    only on acceptance, and only while the handoff stays accepted. A partner user (or partner key)
    asking about another partner's handoff gets Handoff.DoesNotExist: the same answer as a handoff
    that does not exist."""
    partner_id = membership.partner_id if membership is not None and membership.is_partner_role else None
    if handoff.tenant_id != tenant.id or partner_id not in (None, handoff.partner_id):
        raise Handoff.DoesNotExist("No such handoff.")
    touches = lead_touches(tenant=tenant, lead=handoff.lead)
    return handoff_lead_view(handoff=handoff, membership=membership, touches=touches)
