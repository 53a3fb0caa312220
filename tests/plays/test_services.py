"""Plays services and selectors: the catalog, master → versions, the package a program pins."""

import importlib

import pytest
from django.core.exceptions import ValidationError

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent
from plays import catalog
from plays.models import FIXED_BY_DEFAULT, ActivationPackage, PackageComponent, Play
from plays.selectors import package_for
from plays.services import (
    catalog_install,
    package_component_update,
    package_override_clear,
    package_override_set,
    package_version_create,
    play_update,
)
from tests.factories import PartnerFactory
from tests.packages import LANDING, NURTURE, QUALIFICATION, TRACKING, effective, master_of, overridden


@pytest.fixture
def installed(in_tenant):
    return catalog_install(tenant=in_tenant)


# --- Catalog -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_catalog_install_creates_the_four_plays_each_with_a_master_of_seven_components(in_tenant):
    plays = catalog_install(tenant=in_tenant)
    assert [play.kind for play in plays] == [
        "acceleration",
        "vertical_wedge",
        "expansion",
        "roundtable",
    ]
    assert [play.name for play in plays] == [
        "Regional account acceleration",
        "Vertical wedge",
        "Install-base expansion",
        "Local executive roundtable",
    ]
    assert all(play.success_metric and play.description and play.follow_up_template for play in plays)
    assert ActivationPackage.objects.filter(parent__isnull=True).count() == 4
    components = PackageComponent.objects.all()
    assert components.count() == 28
    assert {c.key for c in components if c.is_fixed} == {QUALIFICATION, TRACKING, "proof_of_performance"}
    assert all(component.content for component in components)


@pytest.mark.django_db
def test_catalog_install_is_idempotent_and_keeps_the_tenants_edits(in_tenant, manager_user):
    catalog_install(tenant=in_tenant)
    master = master_of(in_tenant)
    package_component_update(
        tenant=in_tenant, actor=manager_user, package_id=master.id, key=LANDING, content="Our own page"
    )
    PackageComponent.objects.filter(package=master, key=NURTURE).delete()

    again = catalog_install(tenant=in_tenant)

    assert len(again) == 4
    assert Play.objects.count() == 4
    assert ActivationPackage.objects.count() == 4
    assert PackageComponent.objects.count() == 28
    assert effective(in_tenant, master)[LANDING] == "Our own page"
    assert effective(in_tenant, master)[NURTURE] == catalog.PLAYS["acceleration"]["components"][NURTURE]
    installs = AuditEvent.objects.filter(action="plays.catalog_installed").order_by("id")
    assert [event.after for event in installs] == [
        {"plays": ["acceleration", "vertical_wedge", "expansion", "roundtable"], "components": 28},
        {"plays": [], "components": 1},
    ]
    catalog_install(tenant=in_tenant)
    assert AuditEvent.objects.filter(action="plays.catalog_installed").count() == 2


@pytest.mark.django_db
def test_catalog_fixed_parts_are_the_models_fixed_parts():
    assert {key.value for key in FIXED_BY_DEFAULT} == catalog.FIXED_KEYS


# --- Master and versions -------------------------------------------------------------------------


@pytest.mark.django_db
def test_editing_a_master_changes_versions_non_overridden_parts_keeps_overrides_and_refuses_fixed_ones(
    installed, manager_user, partner
):
    """The issue's must-show: change the master once and every derived version follows, except
    where a version overrode a flexible part; fixed parts cannot be overridden at all."""
    tenant = installed[0].tenant
    master = master_of(tenant)
    healthcare = package_version_create(
        tenant=tenant,
        actor=manager_user,
        master_id=master.id,
        name="Healthcare version",
        vertical="healthcare",
    )
    contoso = package_version_create(
        tenant=tenant, actor=manager_user, master_id=master.id, name="Contoso version", partner_id=partner.id
    )
    package_override_set(
        tenant=tenant, actor=manager_user, package_id=healthcare.id, key=LANDING, content="Clinics landing"
    )
    package_override_set(
        tenant=tenant, actor=manager_user, package_id=contoso.id, key=NURTURE, content="Contoso's emails"
    )

    for key, content in [(LANDING, "New landing"), (NURTURE, "New nurture"), (QUALIFICATION, "Score 70+")]:
        package_component_update(
            tenant=tenant, actor=manager_user, package_id=master.id, key=key, content=content
        )

    healthcare_now, contoso_now = effective(tenant, healthcare), effective(tenant, contoso)
    assert healthcare_now[LANDING] == "Clinics landing"  # its override is kept
    assert healthcare_now[NURTURE] == "New nurture"  # follows the master
    assert healthcare_now[QUALIFICATION] == "Score 70+"
    assert contoso_now[LANDING] == "New landing"
    assert contoso_now[NURTURE] == "Contoso's emails"
    assert contoso_now[QUALIFICATION] == "Score 70+"
    assert overridden(tenant, healthcare) == {LANDING}
    assert overridden(tenant, contoso) == {NURTURE}
    for version in (healthcare, contoso):
        for fixed in (QUALIFICATION, TRACKING):
            with pytest.raises(ServiceError, match="is fixed by the master and cannot be overridden"):
                package_override_set(
                    tenant=tenant, actor=manager_user, package_id=version.id, key=fixed, content="Our own"
                )
    assert effective(tenant, healthcare)[QUALIFICATION] == "Score 70+"
    assert ActivationPackage.objects.get(id=master.id).revision == 4
    assert ActivationPackage.objects.get(id=healthcare.id).revision == 2


@pytest.mark.django_db
def test_the_refusal_of_a_fixed_override_names_the_component(installed, manager_user, partner):
    tenant = installed[0].tenant
    version = package_version_create(
        tenant=tenant,
        actor=manager_user,
        master_id=master_of(tenant).id,
        name="Contoso",
        partner_id=partner.id,
    )
    with pytest.raises(ServiceError) as refusal:
        package_override_set(
            tenant=tenant, actor=manager_user, package_id=version.id, key=TRACKING, content="x"
        )
    assert (
        refusal.value.message
        == "Tracking (UTM and campaign naming) is fixed by the master and cannot be overridden."
    )
    assert not PackageComponent.objects.filter(package=version).exists()


@pytest.mark.django_db
def test_a_component_cannot_become_fixed_while_versions_override_it(installed, manager_user, partner):
    tenant = installed[0].tenant
    master = master_of(tenant)
    for name, vertical in [("Healthcare version", "healthcare"), ("Retail version", "retail")]:
        version = package_version_create(
            tenant=tenant, actor=manager_user, master_id=master.id, name=name, vertical=vertical
        )
        package_override_set(
            tenant=tenant, actor=manager_user, package_id=version.id, key=LANDING, content=name
        )

    with pytest.raises(ServiceError) as refusal:
        package_component_update(
            tenant=tenant, actor=manager_user, package_id=master.id, key=LANDING, content="x", is_fixed=True
        )

    assert refusal.value.message == (
        "Landing page is overridden by Healthcare version, Retail version: "
        "clear those overrides before making it fixed."
    )
    component = PackageComponent.objects.get(package=master, key=LANDING)
    assert (component.is_fixed, component.content) == (
        False,
        catalog.PLAYS["acceleration"]["components"][LANDING],
    )
    assert ActivationPackage.objects.get(id=master.id).revision == 1


@pytest.mark.django_db
def test_a_flexible_component_made_fixed_can_no_longer_be_overridden(installed, manager_user, partner):
    tenant = installed[0].tenant
    master = master_of(tenant)
    version = package_version_create(
        tenant=tenant, actor=manager_user, master_id=master.id, name="Contoso", partner_id=partner.id
    )
    package_component_update(
        tenant=tenant,
        actor=manager_user,
        package_id=master.id,
        key=LANDING,
        content="One page",
        is_fixed=True,
    )
    with pytest.raises(ServiceError, match="Landing page is fixed by the master"):
        package_override_set(
            tenant=tenant, actor=manager_user, package_id=version.id, key=LANDING, content="x"
        )
    event = AuditEvent.objects.get(action="package.component_updated")
    assert event.before["is_fixed"] is False
    assert event.after == {"key": LANDING, "content": "One page", "is_fixed": True, "revision": 2}


@pytest.mark.django_db
def test_an_unchanged_master_component_does_not_raise_the_revision(installed, manager_user):
    tenant = installed[0].tenant
    master = master_of(tenant)
    content = catalog.PLAYS["acceleration"]["components"][LANDING]
    package_component_update(
        tenant=tenant, actor=manager_user, package_id=master.id, key=LANDING, content=content
    )
    assert ActivationPackage.objects.get(id=master.id).revision == 1
    assert not AuditEvent.objects.filter(action="package.component_updated").exists()


@pytest.mark.django_db
def test_clearing_an_override_reads_the_master_again(installed, manager_user, partner):
    tenant = installed[0].tenant
    master = master_of(tenant)
    version = package_version_create(
        tenant=tenant, actor=manager_user, master_id=master.id, name="Contoso", partner_id=partner.id
    )
    package_override_set(tenant=tenant, actor=manager_user, package_id=version.id, key=LANDING, content="Own")

    package_override_clear(tenant=tenant, actor=manager_user, package_id=version.id, key=LANDING)

    assert effective(tenant, version)[LANDING] == catalog.PLAYS["acceleration"]["components"][LANDING]
    assert overridden(tenant, version) == set()
    assert ActivationPackage.objects.get(id=version.id).revision == 3
    assert [e.action for e in AuditEvent.objects.filter(target_id=str(version.id)).order_by("id")] == [
        "package.version_created",
        "package.override_set",
        "package.override_cleared",
    ]
    with pytest.raises(ServiceError, match="Contoso does not override Landing page"):
        package_override_clear(tenant=tenant, actor=manager_user, package_id=version.id, key=LANDING)


@pytest.mark.django_db
def test_overrides_belong_to_versions_and_master_components_to_masters(installed, manager_user, partner):
    tenant = installed[0].tenant
    master = master_of(tenant)
    version = package_version_create(
        tenant=tenant, actor=manager_user, master_id=master.id, name="Contoso", partner_id=partner.id
    )
    with pytest.raises(ServiceError, match="overrides belong to its versions"):
        package_override_set(
            tenant=tenant, actor=manager_user, package_id=master.id, key=LANDING, content="x"
        )
    with pytest.raises(ServiceError, match="Only a master's components are edited directly"):
        package_component_update(
            tenant=tenant, actor=manager_user, package_id=version.id, key=LANDING, content="x"
        )
    with pytest.raises(ServiceError, match="not from another version"):
        package_version_create(
            tenant=tenant, actor=manager_user, master_id=version.id, name="x", vertical="retail"
        )
    with pytest.raises(ServiceError, match="is not a component"):
        package_override_set(
            tenant=tenant, actor=manager_user, package_id=version.id, key="logo", content="x"
        )


@pytest.mark.django_db
def test_a_version_needs_a_target_a_name_and_a_partner_of_the_tenant(installed, manager_user, other_tenant):
    tenant = installed[0].tenant
    master = master_of(tenant)
    foreign = PartnerFactory(tenant=other_tenant)
    with pytest.raises(ServiceError, match="choose at least one"):
        package_version_create(tenant=tenant, actor=manager_user, master_id=master.id, name="Nobody's")
    with pytest.raises(ServiceError, match="Name the version"):
        package_version_create(
            tenant=tenant, actor=manager_user, master_id=master.id, name=" ", vertical="retail"
        )
    with pytest.raises(ServiceError, match="Select a valid partner"):
        package_version_create(
            tenant=tenant, actor=manager_user, master_id=master.id, name="Initech", partner_id=foreign.id
        )
    with pytest.raises(ServiceError, match="is not one of this tenant's verticals"):
        package_version_create(
            tenant=tenant, actor=manager_user, master_id=master.id, name="x", vertical="mars"
        )
    assert ActivationPackage.objects.filter(parent__isnull=False).count() == 0


@pytest.mark.django_db
def test_one_version_per_vertical_and_partner(installed, manager_user, partner):
    tenant = installed[0].tenant
    master = master_of(tenant)
    package_version_create(
        tenant=tenant, actor=manager_user, master_id=master.id, name="A", vertical="retail"
    )
    with pytest.raises(ValidationError, match="A version for this vertical and partner already exists"):
        package_version_create(
            tenant=tenant, actor=manager_user, master_id=master.id, name="B", vertical="retail"
        )
    both = package_version_create(
        tenant=tenant,
        actor=manager_user,
        master_id=master.id,
        name="C",
        vertical="retail",
        partner_id=partner.id,
    )
    assert both.parent_id == master.id


@pytest.mark.django_db
def test_play_update_changes_the_text_and_audits_it(installed, manager_user):
    tenant, play = installed[0].tenant, installed[0]
    play_update(
        tenant=tenant,
        actor=manager_user,
        play_id=play.id,
        name="Deal acceleration",
        success_metric="Stage moves",
    )
    play.refresh_from_db()
    assert (play.name, play.success_metric, play.kind) == ("Deal acceleration", "Stage moves", "acceleration")
    event = AuditEvent.objects.get(action="play.updated")
    assert event.before["name"] == "Regional account acceleration"
    assert event.after["name"] == "Deal acceleration"
    with pytest.raises(ServiceError, match="kind cannot be changed"):
        play_update(tenant=tenant, actor=manager_user, play_id=play.id, kind="roundtable")


# --- The package a program pins --------------------------------------------------------------------


@pytest.mark.django_db
def test_package_for_takes_the_partners_version_for_the_vertical_before_its_general_one(
    installed, manager_user
):
    tenant = installed[0].tenant
    partner = PartnerFactory(tenant=tenant, name="Contoso")
    master = master_of(tenant)
    for name, fields in [
        ("Contoso", {"partner_id": partner.id}),
        ("Contoso healthcare", {"partner_id": partner.id, "vertical": "healthcare"}),
        ("Healthcare", {"vertical": "healthcare"}),
    ]:
        package_version_create(tenant=tenant, actor=manager_user, master_id=master.id, name=name, **fields)
    play = master.play

    def pick(vertical, who=partner):
        return package_for(tenant=tenant, play=play, partner=who, vertical=vertical).name

    assert pick("healthcare") == "Contoso healthcare"
    assert pick("retail") == "Contoso"
    assert pick("healthcare", PartnerFactory(tenant=tenant)) == "Healthcare"
    assert pick("", None) == "Master"


@pytest.mark.django_db
def test_the_data_migration_installs_the_catalog_for_existing_tenants_once(tenant, other_tenant):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module("plays.migrations.0002_install_catalog")
    historical = MigrationLoader(connection).project_state(("plays", "0001_initial")).apps

    migration.install_catalog(historical, None)
    migration.install_catalog(historical, None)

    for each in (tenant, other_tenant):
        assert Play.unscoped.filter(tenant=each).count() == 4
        assert PackageComponent.unscoped.filter(tenant=each).count() == 28
        assert PackageComponent.unscoped.filter(tenant=each, is_fixed=True).count() == 12
    with tenant_context(tenant):
        assert catalog_install(tenant=tenant)[0].name == "Regional account acceleration"
    assert not AuditEvent.unscoped.filter(tenant=tenant, action="plays.catalog_installed").exists()
