from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerhub.tenancy.actors import ApiKeyUser, KeyMembership
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Membership, Partner, Tenant, User
from partnerhub.tenancy.roles import STAFF_ROLES, can


def save_validated(instance, *, update_fields: list[str] | None = None) -> None:
    """Validate like a form would (field rules and constraints), then save.

    A concurrent insert can still trip a unique constraint between check and save; it is reported
    as the same validation error rather than a 500.
    """
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError("This conflicts with an existing record; reload and try again.") from exc


def save_changes(instance, changes: dict) -> None:
    """Set `changes` on `instance` and save just those fields (and `updated_at` where the model has
    it), validated like a form would."""
    for name, value in changes.items():
        setattr(instance, name, value)
    stamped = any(field.name == "updated_at" for field in instance._meta.concrete_fields)
    save_validated(instance, update_fields=[*changes, *(["updated_at"] if stamped else [])])


def membership_of(*, tenant: Tenant, user: User | ApiKeyUser) -> Membership | KeyMembership:
    """The acting user's membership: what they may do is read from it, never from the caller. An API
    key's is the role it acts with: a vendor key's revops, a partner key's a user of its partner."""
    if isinstance(user, ApiKeyUser):
        if user.api_key.tenant_id != tenant.id:
            raise ServiceError("Only members of this tenant can do this.")
        return user.membership
    membership = Membership.objects.filter(tenant=tenant, user=user).select_related("partner").first()
    if membership is None:
        raise ServiceError("Only members of this tenant can do this.")
    return membership


def check_permission(tenant: Tenant, actor: User | ApiKeyUser, permission: str, refusal: str) -> None:
    """Refuse, with `refusal`, an actor whose role in the tenant lacks `permission`."""
    if not can(membership_of(tenant=tenant, user=actor).role, permission):
        raise ServiceError(refusal)


def check_partner_in_tenant(tenant: Tenant, partner: Partner | None) -> None:
    """Belt and braces: forms and serializers resolve partners inside the tenant already."""
    if partner is not None and partner.tenant_id != tenant.id:
        raise ServiceError("Select a valid partner.", field="partner")


def check_staff_member(tenant: Tenant, user: User | None, *, field: str, message: str) -> None:
    """Owners, account managers and follow-up owners are vendor staff of this tenant."""
    if (
        user is not None
        and not Membership.objects.filter(tenant=tenant, user=user, role__in=STAFF_ROLES).exists()
    ):
        raise ServiceError(message, field=field)


def user_of(actor) -> User | None:
    """The signed-in person behind an actor (None for an API key or the system), for "created by"."""
    return actor if isinstance(actor, User) else None
