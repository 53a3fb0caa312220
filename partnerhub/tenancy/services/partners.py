from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audited, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import INVITATION_OPEN, Invitation, Membership, Partner, Tenant
from partnerhub.tenancy.services.common import check_staff_member, save_changes, save_validated
from partnerhub.tenancy.services.verticals import verticals_check

PARTNER_FIELDS = [
    "name",
    "website",
    "tier",
    "status",
    "verticals",
    "regions",
    "certifications",
    "has_marketing_automation",
    "weekly_handoff_cap",
    "description",
    "account_manager",
]
# A partner's files, set from the portal's partner form (not part of the API's partner).
FILE_FIELDS = ["logo"]
AUDITED_FIELDS = [*PARTNER_FIELDS, *FILE_FIELDS]


def _check_fields(tenant: Tenant, fields: dict, partner: Partner | None = None) -> None:
    unknown = set(fields) - set(AUDITED_FIELDS)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} cannot be set on a partner.")
    verticals_check(
        tenant=tenant,
        values=fields.get("verticals") or [],
        field="verticals",
        held=partner.verticals if partner is not None else (),
    )
    check_staff_member(
        tenant,
        fields.get("account_manager"),
        field="account_manager",
        message="The account manager must be a vendor staff member of this tenant.",
    )


@transaction.atomic
def partner_create(*, tenant: Tenant, actor: Actor, **fields) -> Partner:
    """Add a partner company. Names are unique in a tenant, whatever their case."""
    _check_fields(tenant, fields)
    partner = Partner(tenant=tenant, **fields)
    save_validated(partner)
    audit(
        tenant=tenant,
        actor=actor,
        action="partner.created",
        target=partner,
        after=snapshot(partner, AUDITED_FIELDS),
    )
    return partner


@transaction.atomic
def partner_update(*, tenant: Tenant, actor: Actor, partner_id: int, **fields) -> Partner:
    """Change a partner's profile; the audit event keeps the values before and after."""
    partner = Partner.objects.select_for_update().get(tenant=tenant, id=partner_id)
    _check_fields(tenant, fields, partner)
    with audited(tenant=tenant, actor=actor, target=partner, fields=AUDITED_FIELDS, action="partner.updated"):
        save_changes(partner, fields)
    return partner


@transaction.atomic
def partner_delete(*, tenant: Tenant, actor: Actor, partner_id: int) -> None:
    """Delete a partner that nobody logs in for; a partner with users is set inactive instead.
    Its open invitations go with it, and the audit event says how many."""
    partner = Partner.objects.select_for_update().get(tenant=tenant, id=partner_id)
    if Membership.objects.filter(tenant=tenant, partner=partner).exists():
        raise ServiceError(
            f"{partner.name} still has users. Remove them first, "
            "or set the partner inactive to keep its history."
        )
    open_invitations = Invitation.objects.filter(tenant=tenant, partner=partner, **INVITATION_OPEN).count()
    before = {**snapshot(partner, AUDITED_FIELDS), "open_invitations": open_invitations}
    audit(tenant=tenant, actor=actor, action="partner.deleted", target=partner, before=before)
    try:
        with transaction.atomic():
            partner.delete()
    except (ProtectedError, RestrictedError) as exc:  # records that keep it (its MDF money …)
        raise ServiceError(
            f"{partner.name} has records that must keep it (MDF allocations, ledger entries). "
            "Set the partner inactive instead."
        ) from exc


def partners_unassign_manager(*, tenant: Tenant, actor: Actor, user) -> None:
    """Someone who is no longer vendor staff cannot be a partner's contact: clear them, audited."""
    for partner in Partner.objects.select_for_update().filter(tenant=tenant, account_manager=user):
        partner_update(tenant=tenant, actor=actor, partner_id=partner.id, account_manager=None)
