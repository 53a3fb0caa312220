"""Reads of the plays app. Each selector owns its joins and runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from partnerhub.tenancy.models import Partner, Tenant
from plays.models import (
    FIXED_BY_DEFAULT,
    ActivationPackage,
    ComponentKey,
    PackageComponent,
    Play,
)

# --- Plays ---------------------------------------------------------------------------------------


def play_list(*, tenant: Tenant) -> QuerySet[Play]:
    """The tenant's catalog, with how many versions and programs each play has."""
    return (
        Play.objects.filter(tenant=tenant)
        .annotate(
            version_count=Count("packages", filter=Q(packages__parent__isnull=False), distinct=True),
            program_count=Count("programs", distinct=True),
        )
        .order_by("id")
    )


def play_get(*, tenant: Tenant, play_id: int) -> Play:
    return Play.objects.get(tenant=tenant, id=play_id)


def play_choices(*, tenant: Tenant) -> QuerySet[Play]:
    return Play.objects.filter(tenant=tenant).order_by("id")


# --- Activation packages -------------------------------------------------------------------------


def package_list(*, tenant: Tenant) -> QuerySet[ActivationPackage]:
    """Every package, each play's master first, then its versions by name; `own_component_count` is
    the master's components or the version's overrides."""
    return (
        ActivationPackage.objects.filter(tenant=tenant)
        .select_related("play", "parent", "partner")
        .annotate(own_component_count=Count("components", distinct=True))
        .order_by("play_id", F("parent_id").asc(nulls_first=True), "name", "id")
    )


def master_package_list(*, tenant: Tenant) -> QuerySet[ActivationPackage]:
    return package_list(tenant=tenant).filter(parent__isnull=True)


def version_package_list(*, tenant: Tenant) -> QuerySet[ActivationPackage]:
    return package_list(tenant=tenant).filter(parent__isnull=False)


def master_component_list(*, tenant: Tenant) -> QuerySet[PackageComponent]:
    """Components of masters: the ones edited directly."""
    return PackageComponent.objects.filter(tenant=tenant, package__parent__isnull=True).select_related(
        "package", "package__play"
    )


def override_list(*, tenant: Tenant) -> QuerySet[PackageComponent]:
    """Components held by versions: their overrides of the master."""
    return PackageComponent.objects.filter(tenant=tenant, package__parent__isnull=False).select_related(
        "package", "package__play", "package__parent", "package__partner"
    )


@dataclass(frozen=True)
class ResolvedComponent:
    """One of the seven components of a package as it takes effect.

    On a version, `overridden` says the version's own content replaces the master's (`master_content`
    keeps the master's for comparison). On a master, `overridden_by` lists the versions that replace
    this component. `component_id` is the row behind what is shown: the master's component, or the
    version's override."""

    key: str
    label: str
    content: str
    is_fixed: bool
    overridden: bool
    source: str  # "master" or "version"
    master_content: str
    component_id: int | None
    overridden_by: tuple[ActivationPackage, ...] = field(default_factory=tuple)


def package_resolved(*, tenant: Tenant, package: ActivationPackage) -> list[ResolvedComponent]:
    """The seven components in order, read from the master and, for a version, its overrides: one
    query for a version, two for a master (its components, then who overrides them).

    A fixed component always reads from the master, even if an override row was left behind."""
    master_id = package.parent_id or package.id
    rows = PackageComponent.objects.filter(tenant=tenant, package_id__in={master_id, package.id})
    master_rows, own_rows = {}, {}
    for row in rows:
        (master_rows if row.package_id == master_id else own_rows)[row.key] = row
    overriders: dict[str, list[ActivationPackage]] = {}
    if package.is_master:
        overrides = (
            PackageComponent.objects.filter(tenant=tenant, package__parent_id=package.id)
            .select_related("package", "package__partner")
            .order_by("package__name", "package_id")
        )
        for row in overrides:
            overriders.setdefault(row.key, []).append(row.package)
    resolved = []
    for key in ComponentKey:
        master = master_rows.get(key.value)
        master_content = master.content if master else ""
        is_fixed = master.is_fixed if master else key in FIXED_BY_DEFAULT
        own = None if is_fixed else own_rows.get(key.value)
        resolved.append(
            ResolvedComponent(
                key=key.value,
                label=str(key.label),
                content=own.content if own else master_content,
                is_fixed=is_fixed,
                overridden=own is not None,
                source="version" if own else "master",
                master_content=master_content,
                component_id=own.id if own else (master.id if master else None),
                overridden_by=tuple(overriders.get(key.value, ())),
            )
        )
    return resolved


def package_for(
    *, tenant: Tenant, play: Play, partner: Partner | None, vertical: str = ""
) -> ActivationPackage | None:
    """The most specific package of `play` for this partner and vertical, in one query:
    the partner's version for this vertical, then the partner's version for any vertical, then the
    vertical's version (for every partner), then the master. None if the play has no master."""
    partner_id = partner.id if partner else None
    specific = Q(parent__isnull=True)
    rank = [When(parent__isnull=True, then=Value(4))]
    if partner_id is not None:
        specific |= Q(partner_id=partner_id, vertical__in=[vertical, ""])
        if vertical:
            rank.append(When(partner_id=partner_id, vertical=vertical, then=Value(1)))
        rank.append(When(partner_id=partner_id, vertical="", then=Value(2)))
    if vertical:
        specific |= Q(partner__isnull=True, vertical=vertical)
        rank.append(When(partner__isnull=True, vertical=vertical, then=Value(3)))
    return (
        ActivationPackage.objects.filter(tenant=tenant, play=play)
        .filter(specific)
        .annotate(rank=Case(*rank, output_field=IntegerField()))
        .select_related("play", "parent", "partner")
        .order_by("rank", "id")
        .first()
    )
