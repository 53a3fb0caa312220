"""Roles of a membership and what each may do.

A permission is a plain string checked with `can(membership, permission)`; the portal views, the
API viewsets and the templates all ask the same question here.
"""

from django.db import models


class Role(models.TextChoices):
    TENANT_ADMIN = "tenant_admin", "Tenant admin"
    PARTNER_MANAGER = "partner_manager", "Partner manager"
    FIELD_MARKETING = "field_marketing", "Field marketing"
    SALES = "sales", "Sales"
    CHANNEL = "channel", "Channel / partner sales"
    PRODUCT_MARKETING = "product_marketing", "Product marketing"
    REVOPS = "revops", "Revops"
    PARTNER_ADMIN = "partner_admin", "Partner admin"
    PARTNER_USER = "partner_user", "Partner user"


PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_USER})
STAFF_ROLES = frozenset(set(Role) - PARTNER_ROLES)

# Who may invite whom: staff roles are granted by tenant admins only; a partner admin invites
# colleagues of their own company (self-serve for the long tail).
INVITABLE_ROLES = {
    Role.TENANT_ADMIN: frozenset(Role),
    Role.PARTNER_MANAGER: PARTNER_ROLES,
    Role.CHANNEL: PARTNER_ROLES,
    Role.PARTNER_ADMIN: PARTNER_ROLES,
}

# Whom an owner picker offers: the staff whose role does that work (partnerhub.tenancy.selectors
# owner_choices). A plan's six functions are named as in its owner fields (owner_<function>).
OWNER_ROLES: dict[str, frozenset[str]] = {
    "account": frozenset({Role.SALES}),  # the vendor's sales owner of a target account
    "follow_up": frozenset({Role.SALES}),  # who calls the attendees after the program
    "partner": frozenset({Role.PARTNER_MANAGER, Role.CHANNEL}),  # a partner's account manager
    "field_marketing": frozenset({Role.FIELD_MARKETING}),
    "partner_marketing": frozenset({Role.PARTNER_MANAGER}),
    "sales": frozenset({Role.SALES}),
    "channel": frozenset({Role.CHANNEL}),
    "product_marketing": frozenset({Role.PRODUCT_MARKETING}),
    "revops": frozenset({Role.REVOPS}),
}

ACCOUNT_EDITORS = frozenset(
    {Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.FIELD_MARKETING, Role.SALES, Role.CHANNEL, Role.REVOPS}
)
PLAN_LAUNCHERS = frozenset({Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.FIELD_MARKETING, Role.CHANNEL})

PERMISSIONS: dict[str, frozenset[str]] = {
    # Partner directory: everyone reads what their scope allows; these roles edit.
    "partner.view": frozenset(Role),  # partner users: scope leaves only their own company
    "partner.change": frozenset({Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.CHANNEL}),
    "member.view": STAFF_ROLES,
    "member.invite": frozenset(INVITABLE_ROLES),
    "member.change": frozenset({Role.TENANT_ADMIN}),
    # Tenant admins: the vendor's keys, and every partner's to see and revoke; partner admins: their
    # own company's keys (partner keys, which act as a user of the partner).
    "apikey.manage": frozenset({Role.TENANT_ADMIN, Role.PARTNER_ADMIN}),
    "audit.view": frozenset({Role.TENANT_ADMIN}),
    "tenant.change": frozenset({Role.TENANT_ADMIN}),
    "vertical.view": STAFF_ROLES,  # the tenant's list of verticals (kept with "tenant.change")
    "system.view": STAFF_ROLES,
    # Accounts and the CRM mirror are the vendor's, and so is the mapping of partners to them.
    # Partners list the companies they work with (claims), and never learn which ones matched.
    "account.view": STAFF_ROLES,
    "account.change": ACCOUNT_EDITORS,
    "mapping.view": STAFF_ROLES,
    "mapping.change": ACCOUNT_EDITORS,
    "claim.view": frozenset(Role),  # partner users: scope leaves only their own company's claims
    "claim.change": PARTNER_ROLES,  # a partner's own list; staff map accounts themselves
    # Plans: partner users see those their company is the partner of.
    "plan.view": frozenset(Role),
    "plan.change": STAFF_ROLES,
    "plan.launch": PLAN_LAUNCHERS,
    "play.view": STAFF_ROLES,
    "play.change": frozenset({Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.PRODUCT_MARKETING}),
    "program.view": frozenset(Role),
    "mdf.view": STAFF_ROLES,
    # Funds, their allocations and ledger are the vendor's to manage (partners will read their own).
    "mdf.change": frozenset({Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.CHANNEL}),
    # Allocations: staff read every one; a partner's users (and partner keys) their own company's
    # ("My funds"), with the pools of their tier.
    "allocation.view": frozenset(Role),
    # Fund requests: partners make and follow their own (scope) and read the active catalog and
    # proposal templates; staff read every request, and those with "mdf.change" make strategic lines,
    # decide requests and write the catalog and templates.
    "mdf_request.view": frozenset(Role),
    "mdf_request.change": PARTNER_ROLES | {Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.CHANNEL},
    # Proof-of-performance files: a partner's users upload and read their own company's (scope); the
    # vendor's staff read every one ("mdf.view"), and those who manage the funds review them.
    "proof.view": frozenset(Role),
    "proof.upload": PARTNER_ROLES,
    "proof.review": frozenset({Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.CHANNEL}),
    # Leads are the vendor's until handed off (partners will see theirs through their handoffs).
    "lead.view": STAFF_ROLES,
    "lead.change": ACCOUNT_EDITORS,
    # Handoffs: staff read every one; a partner's users (and partner keys) read and answer their own.
    # Offers and recalls are "lead.change".
    "handoff.view": frozenset(Role),
    "handoff.answer": PARTNER_ROLES,
    # Feedback: the partner's own users report on their handoffs; staff read every report.
    "feedback.view": frozenset(Role),
    "feedback.report": PARTNER_ROLES,
    "calendar.view": STAFF_ROLES,  # business calendars (tenant settings, changed with "tenant.change")
    # SLA policies: the vendor's settings; the people who own the partner relationships change them.
    "sla_policy.view": STAFF_ROLES,
    "sla_policy.change": frozenset({Role.TENANT_ADMIN, Role.PARTNER_MANAGER}),
    "notification.view": frozenset(Role),
    # Deal registrations: partners register and follow their own (scope); the vendor reviews them.
    "registration.view": frozenset(Role),
    "registration.change": PARTNER_ROLES,
    "registration.review": frozenset({Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.CHANNEL, Role.REVOPS}),
    # Reporting: the vendor's dashboards, scorecards and attribution; partners see their own results
    # on their home page and their plans' checkpoints (scope).
    "report.view": STAFF_ROLES,
    # The dashboards' series in the API: staff any partner's or all; partners their own (scope).
    "report.series": frozenset(Role),
    "checkpoint.view": frozenset(Role),
    # FX rates and the reporting settings (reporting currency, the sourced window): revops keeps them.
    "fx.change": frozenset({Role.TENANT_ADMIN, Role.REVOPS}),
}


def can(role: str | None, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")
    return role in PERMISSIONS[permission]


def invitable_roles(role: str) -> frozenset[str]:
    return INVITABLE_ROLES.get(role, frozenset())
