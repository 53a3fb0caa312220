"""The tenant's verticals: every tenant starts with the defaults (taxonomy.Vertical); its admins
then add, rename, reorder, archive and restore them (Settings → Verticals). A value never changes
once given, so rows holding it (an account's industry, a partner's verticals, a plan's market, a
package version) never need rewriting; only the label people read does."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audited, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant, TenantVertical
from partnerhub.tenancy.selectors import vertical_choices
from partnerhub.tenancy.services.common import check_permission, save_changes, save_validated
from partnerhub.tenancy.taxonomy import Vertical

VERTICAL_FIELDS = ["value", "label", "position", "archived_at"]
VALUE_LENGTH = TenantVertical._meta.get_field("value").max_length
LABEL_LENGTH = TenantVertical._meta.get_field("label").max_length


def verticals_check(
    *, tenant: Tenant, values: Iterable[str], field: str, held: Iterable[str] = (), message: str = ""
) -> None:
    """Input names only the tenant's active verticals; a row keeps an archived one it holds already
    (`held`), but none is given anew. Forms and serializers offer the same choices
    (`vertical_choices`): this is belt and braces for every door."""
    wanted = {value for value in values if value} - set(held)
    if not wanted:
        return
    allowed = {value for value, _ in vertical_choices(tenant=tenant)}
    unknown = sorted(wanted - allowed)
    if unknown:
        raise ServiceError(
            message
            or f"“{unknown[0]}” is not one of this tenant's verticals (Settings → Verticals lists them).",
            field=field,
        )


def verticals_install(*, tenant: Tenant) -> list[TenantVertical]:
    """Give a new tenant the default verticals (taxonomy.Vertical), in their order. Idempotent: a
    vertical the tenant has (renamed or archived) is left as it is; only missing ones are added.
    Part of the tenant's creation, audited as that."""
    existing = TenantVertical.objects.filter(tenant=tenant)
    values = set(existing.values_list("value", flat=True))
    labels = set(existing.annotate(key=Lower("label")).values_list("key", flat=True))
    start = (existing.aggregate(last=Max("position"))["last"] or 0) + 1 if values else 0
    missing = [
        (value, str(label))
        for value, label in Vertical.choices
        if value not in values and str(label).lower() not in labels
    ]
    return TenantVertical.objects.bulk_create(
        [
            TenantVertical(tenant=tenant, value=value, label=label, position=start + index)
            for index, (value, label) in enumerate(missing)
        ]
    )


def _check_admin(tenant: Tenant, actor: Actor) -> None:
    check_permission(tenant, actor, "tenant.change", "Only tenant admins can change the list of verticals.")


def _clean_label(tenant: Tenant, label: str, *, vertical_id: int | None = None) -> str:
    label = " ".join(str(label).split())
    if not label:
        raise ServiceError("Name the vertical, e.g. “Aerospace & defense”.", field="label")
    if len(label) > LABEL_LENGTH:
        raise ServiceError(f"A vertical's name has at most {LABEL_LENGTH} characters.", field="label")
    taken = TenantVertical.objects.filter(tenant=tenant, label__iexact=label).exclude(id=vertical_id)
    if taken.exists():
        raise ServiceError(f"The tenant has a vertical named {label} already.", field="label")
    return label


def _new_value(tenant: Tenant, label: str) -> str:
    """A slug of the label (`Aerospace & defense` → aerospace_defense), unique in the tenant: a
    value taken, archived ones included, gets a number (aerospace_2)."""
    base = slugify(label).replace("-", "_")[:VALUE_LENGTH].strip("_") or "vertical"
    taken = set(
        TenantVertical.objects.filter(tenant=tenant, value__startswith=base[: VALUE_LENGTH - 4]).values_list(
            "value", flat=True
        )
    )
    value, number = base, 1
    while value in taken:
        number += 1
        suffix = f"_{number}"
        value = base[: VALUE_LENGTH - len(suffix)] + suffix
    return value


def _locked(tenant: Tenant, vertical_id: int) -> TenantVertical:
    # Every change of the list queues on the tenant row: values, labels and positions stay unique.
    Tenant.objects.select_for_update().get(id=tenant.id)
    return TenantVertical.objects.select_for_update().get(tenant=tenant, id=vertical_id)


@transaction.atomic
def vertical_add(*, tenant: Tenant, actor: Actor, label: str) -> TenantVertical:
    """Add a vertical at the end of the list. Its value is made from the label, once: renaming it
    later changes only the label."""
    _check_admin(tenant, actor)
    Tenant.objects.select_for_update().get(id=tenant.id)
    label = _clean_label(tenant, label)
    last = TenantVertical.objects.filter(tenant=tenant).aggregate(last=Max("position"))["last"]
    vertical = TenantVertical(
        tenant=tenant,
        value=_new_value(tenant, label),
        label=label,
        position=0 if last is None else last + 1,
    )
    save_validated(vertical)
    audit(
        tenant=tenant,
        actor=actor,
        action="vertical.added",
        target=vertical,
        after=snapshot(vertical, VERTICAL_FIELDS),
    )
    return vertical


@transaction.atomic
def vertical_rename(*, tenant: Tenant, actor: Actor, vertical_id: int, label: str) -> TenantVertical:
    """Change what a vertical is called; its value, and every row holding it, stay as they are."""
    _check_admin(tenant, actor)
    vertical = _locked(tenant, vertical_id)
    label = _clean_label(tenant, label, vertical_id=vertical.id)
    with audited(tenant=tenant, actor=actor, target=vertical, fields=["label"], action="vertical.renamed"):
        save_changes(vertical, {"label": label})
    return vertical


@transaction.atomic
def vertical_move(*, tenant: Tenant, actor: Actor, vertical_id: int, direction: str) -> TenantVertical:
    """Move a vertical one place up or down the list (pickers offer them in this order)."""
    _check_admin(tenant, actor)
    if direction not in ("up", "down"):
        raise ServiceError("A vertical moves up or down.", field="direction")
    vertical = _locked(tenant, vertical_id)
    ordered = list(
        TenantVertical.objects.select_for_update().filter(tenant=tenant).order_by("position", "id")
    )
    index = next(index for index, row in enumerate(ordered) if row.id == vertical.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        raise ServiceError(f"{vertical.label} is {'first' if direction == 'up' else 'last'} already.")
    ordered[index], ordered[other] = ordered[other], ordered[index]
    before = {"position": vertical.position}
    changed = []
    for position, row in enumerate(ordered):  # numbered afresh: positions that tied are told apart
        if row.position != position:
            row.position = position
            changed.append(row)
    TenantVertical.objects.bulk_update(changed, ["position"])
    moved = next(row for row in ordered if row.id == vertical.id)
    audit(
        tenant=tenant,
        actor=actor,
        action="vertical.moved",
        target=moved,
        before=before,
        after={"position": moved.position},
    )
    return moved


@transaction.atomic
def vertical_archive(*, tenant: Tenant, actor: Actor, vertical_id: int) -> TenantVertical:
    """Take a vertical out of use: pickers stop offering it and input naming it is refused, while
    rows that hold it keep it and still show its label. Restoring it undoes this."""
    _check_admin(tenant, actor)
    vertical = _locked(tenant, vertical_id)
    if vertical.is_archived:
        raise ServiceError(f"{vertical.label} is archived already.")
    with audited(
        tenant=tenant, actor=actor, target=vertical, fields=["archived_at"], action="vertical.archived"
    ):
        save_changes(vertical, {"archived_at": timezone.now()})
    return vertical


@transaction.atomic
def vertical_restore(*, tenant: Tenant, actor: Actor, vertical_id: int) -> TenantVertical:
    """Offer an archived vertical again, where it was in the list."""
    _check_admin(tenant, actor)
    vertical = _locked(tenant, vertical_id)
    if not vertical.is_archived:
        raise ServiceError(f"{vertical.label} is in use, not archived.")
    with audited(
        tenant=tenant, actor=actor, target=vertical, fields=["archived_at"], action="vertical.restored"
    ):
        save_changes(vertical, {"archived_at": None})
    return vertical
