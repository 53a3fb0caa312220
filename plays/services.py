"""Writes of the plays app: the catalog, activation packages (master → versions) and programs."""

from __future__ import annotations

from django.db import transaction

from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audited, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.services.common import save_changes, save_validated
from partnerhub.tenancy.services.verticals import verticals_check
from plays import catalog
from plays.models import (
    FIXED_BY_DEFAULT,
    ActivationPackage,
    ComponentKey,
    PackageComponent,
    Play,
    PlayKind,
)
from plays.qualification import RulesError, parse

PLAY_FIELDS = ["name", "description", "success_metric", "follow_up_template"]
PACKAGE_FIELDS = ["play", "parent", "name", "vertical", "partner", "revision"]


def _component_label(key: str) -> str:
    return str(ComponentKey(key).label)


def _check_key(key: str) -> str:
    if key not in ComponentKey.values:
        raise ServiceError(f"“{key}” is not a component of an activation package.", field="key")
    return key


def _check_content(key: str, content: str) -> None:
    """A qualification component's "Rules:" block must parse: programs pin it and leads are scored
    by it. The refusal names every faulty line."""
    if key != ComponentKey.QUALIFICATION:
        return
    try:
        parse(content)
    except RulesError as exc:
        raise ServiceError(" ".join(exc.errors), field="content") from exc


# --- Catalog -------------------------------------------------------------------------------------


@transaction.atomic
def catalog_install(*, tenant: Tenant) -> list[Play]:
    """Give the tenant the four plays of DOMAIN.md §2, each with a master package holding all seven
    components (fixed or flexible per FIXED_BY_DEFAULT). Idempotent: what exists is left as the
    tenant edited it; only what is missing is created."""
    Tenant.objects.select_for_update().get(id=tenant.id)  # concurrent installs queue here
    plays = {play.kind: play for play in Play.objects.filter(tenant=tenant)}
    masters = {
        package.play_id: package
        for package in ActivationPackage.objects.filter(tenant=tenant, parent__isnull=True)
    }
    existing = set(
        PackageComponent.objects.filter(tenant=tenant, package__parent__isnull=True).values_list(
            "package_id", "key"
        )
    )
    created_plays, created_components = [], 0
    for kind in PlayKind:
        text = catalog.PLAYS[kind.value]
        play = plays.get(kind.value)
        if play is None:
            play = Play.objects.create(
                tenant=tenant,
                kind=kind.value,
                name=text["name"],
                description=text["description"],
                success_metric=text["success_metric"],
                follow_up_template=text["follow_up_template"],
            )
            plays[kind.value] = play
            created_plays.append(kind.value)
        master = masters.get(play.id)
        if master is None:
            master = ActivationPackage.objects.create(tenant=tenant, play=play, name=catalog.MASTER_NAME)
        missing = [
            PackageComponent(
                tenant=tenant,
                package=master,
                key=key.value,
                content=text["components"][key.value],
                is_fixed=key in FIXED_BY_DEFAULT,
            )
            for key in ComponentKey
            if (master.id, key.value) not in existing
        ]
        PackageComponent.objects.bulk_create(missing)
        created_components += len(missing)
    if created_plays or created_components:
        audit(
            tenant=tenant,
            actor=None,
            action="plays.catalog_installed",
            after={"plays": created_plays, "components": created_components},
        )
    return [plays[kind.value] for kind in PlayKind]


# --- Plays ---------------------------------------------------------------------------------------


@transaction.atomic
def play_update(*, tenant: Tenant, actor: Actor, play_id: int, **fields) -> Play:
    """Change a play's text (name, description, success metric, follow-up talk track). Its kind is
    what the recommendation and tracking codes rely on, so it never changes."""
    unknown = set(fields) - set(PLAY_FIELDS)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} cannot be changed on a play.")
    play = Play.objects.select_for_update().get(tenant=tenant, id=play_id)
    changes = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    with audited(tenant=tenant, actor=actor, target=play, fields=PLAY_FIELDS, action="play.updated"):
        save_changes(play, changes)
    return play


# --- Activation packages -------------------------------------------------------------------------


def _bump(package: ActivationPackage) -> None:
    package.revision += 1
    package.save(update_fields=["revision", "updated_at"])


@transaction.atomic
def package_component_update(
    *, tenant: Tenant, actor: Actor, package_id: int, key: str, content: str, is_fixed: bool | None = None
) -> PackageComponent:
    """Change a component of a master package; every version that does not override it follows at
    once. A component can become fixed only while no version overrides it (the refusal names
    them). The master's revision rises with every real change."""
    _check_key(key)
    _check_content(key, content)
    master = ActivationPackage.objects.select_for_update().get(tenant=tenant, id=package_id)
    if not master.is_master:
        raise ServiceError(
            "Only a master's components are edited directly; a version overrides flexible components."
        )
    component = PackageComponent.objects.filter(tenant=tenant, package=master, key=key).first()
    if component is None:
        component = PackageComponent(tenant=tenant, package=master, key=key, is_fixed=key in FIXED_BY_DEFAULT)
    before = snapshot(component, ["content", "is_fixed"]) if component.pk else None
    if is_fixed and not component.is_fixed:
        overriding = list(
            ActivationPackage.objects.filter(tenant=tenant, parent=master, components__key=key)
            .order_by("name")
            .values_list("name", flat=True)
        )
        if overriding:
            raise ServiceError(
                f"{_component_label(key)} is overridden by {', '.join(overriding)}: "
                "clear those overrides before making it fixed.",
                field="is_fixed",
            )
    component.content = content
    if is_fixed is not None:
        component.is_fixed = is_fixed
    after = snapshot(component, ["content", "is_fixed"])
    if after == before:
        return component
    save_validated(component)
    _bump(master)
    audit(
        tenant=tenant,
        actor=actor,
        action="package.component_updated",
        target=master,
        before={"key": key, **(before or {}), "revision": master.revision - 1},
        after={"key": key, **after, "revision": master.revision},
    )
    return component


@transaction.atomic
def package_version_create(
    *,
    tenant: Tenant,
    actor: Actor,
    master_id: int,
    name: str,
    vertical: str = "",
    partner_id: int | None = None,
) -> ActivationPackage:
    """Derive a version of a master for a vertical, a partner or both. It starts with no overrides:
    everything reads from the master until a flexible component is overridden."""
    master = ActivationPackage.objects.select_related("play").get(tenant=tenant, id=master_id)
    if not master.is_master:
        raise ServiceError(
            "A version derives from a master package, not from another version.", field="master"
        )
    name = name.strip()
    if not name:
        raise ServiceError("Name the version, e.g. “Healthcare version”.", field="name")
    verticals_check(tenant=tenant, values=[vertical], field="vertical")
    partner = None
    if partner_id is not None:
        partner = Partner.objects.filter(tenant=tenant, id=partner_id).first()
        if partner is None:
            raise ServiceError("Select a valid partner.", field="partner")
    if not vertical and partner is None:
        raise ServiceError("A version is for a vertical, a partner, or both: choose at least one.")
    version = ActivationPackage(
        tenant=tenant, play=master.play, parent=master, name=name, vertical=vertical, partner=partner
    )
    save_validated(version)
    audit(
        tenant=tenant,
        actor=actor,
        action="package.version_created",
        target=version,
        after=snapshot(version, PACKAGE_FIELDS),
    )
    return version


def _version_and_master(tenant: Tenant, package_id: int) -> tuple[ActivationPackage, ActivationPackage]:
    """The version, locked after its master: the same order as `package_component_update`, so making
    a component fixed and overriding it cannot both succeed."""
    packages = ActivationPackage.objects.filter(tenant=tenant)
    parent_id = packages.values_list("parent_id", flat=True).get(id=package_id)
    if parent_id is None:
        raise ServiceError("A master is edited directly; overrides belong to its versions.")
    master = packages.select_for_update().get(id=parent_id)
    version = packages.select_for_update().get(id=package_id)
    return version, master


@transaction.atomic
def package_override_set(
    *, tenant: Tenant, actor: Actor, package_id: int, key: str, content: str
) -> PackageComponent:
    """Give a version its own content for a flexible component. Fixed components (architecture,
    qualification and handoff, reporting) are the master's alone."""
    _check_key(key)
    _check_content(key, content)
    version, master = _version_and_master(tenant, package_id)
    master_component = PackageComponent.objects.filter(tenant=tenant, package=master, key=key).first()
    is_fixed = master_component.is_fixed if master_component else key in FIXED_BY_DEFAULT
    if is_fixed:
        raise ServiceError(
            f"{_component_label(key)} is fixed by the master and cannot be overridden.", field="key"
        )
    override = PackageComponent.objects.filter(tenant=tenant, package=version, key=key).first()
    before = override.content if override else None
    if override is not None and override.content == content:
        return override
    if override is None:
        override = PackageComponent(tenant=tenant, package=version, key=key)
    override.content = content
    save_validated(override)
    _bump(version)
    audit(
        tenant=tenant,
        actor=actor,
        action="package.override_set",
        target=version,
        before={"key": key, "content": before, "revision": version.revision - 1},
        after={"key": key, "content": content, "revision": version.revision},
    )
    return override


@transaction.atomic
def package_override_clear(*, tenant: Tenant, actor: Actor, package_id: int, key: str) -> ActivationPackage:
    """Drop a version's override: the component reads from the master again."""
    _check_key(key)
    version, _ = _version_and_master(tenant, package_id)
    override = PackageComponent.objects.filter(tenant=tenant, package=version, key=key).first()
    if override is None:
        raise ServiceError(f"{version.name} does not override {_component_label(key)}.", field="key")
    before = override.content
    override.delete()
    _bump(version)
    audit(
        tenant=tenant,
        actor=actor,
        action="package.override_cleared",
        target=version,
        before={"key": key, "content": before, "revision": version.revision - 1},
        after={"key": key, "content": None, "revision": version.revision},
    )
    return version
