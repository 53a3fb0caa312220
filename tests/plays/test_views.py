"""Plays portal pages: the catalog, packages (master and versions), overrides and programs, as each
role sees them."""

import pytest

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from plays.models import ActivationPackage, PackageComponent, Play
from plays.services import catalog_install, package_override_set, package_version_create
from tests.conftest import login, make_member
from tests.factories import PartnerFactory

T = "/t/northwind"


def followed_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def catalog(tenant):
    with tenant_context(tenant):
        catalog_install(tenant=tenant)
    master = ActivationPackage.unscoped.get(tenant=tenant, play__kind="acceleration", parent__isnull=True)
    return master


@pytest.fixture
def versions(tenant, catalog, manager_user, partner):
    """A healthcare version overriding the landing page, and Contoso's version with no override."""
    with tenant_context(tenant):
        healthcare = package_version_create(
            tenant=tenant,
            actor=manager_user,
            master_id=catalog.id,
            name="Healthcare version",
            vertical="healthcare",
        )
        package_override_set(
            tenant=tenant,
            actor=manager_user,
            package_id=healthcare.id,
            key="landing_page",
            content="Clinics page",
        )
        contoso = package_version_create(
            tenant=tenant,
            actor=manager_user,
            master_id=catalog.id,
            name="Contoso version",
            partner_id=partner.id,
        )
    return healthcare, contoso


def component(package, key) -> PackageComponent:
    return PackageComponent.unscoped.get(package=package, key=key)


# --- Plays ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_catalog_lists_the_four_plays_with_their_success_metric(catalog, manager_user):
    response = login(manager_user).get(f"{T}/plays/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [play.name for play in response.context["rows"]] == [
        "Regional account acceleration",
        "Vertical wedge",
        "Install-base expansion",
        "Local executive roundtable",
    ]
    assert "Opportunity progression on the target accounts in the room" in html


@pytest.mark.django_db
def test_a_partner_manager_edits_a_play(tenant, catalog, manager_user):
    play = catalog.play
    client = login(manager_user)
    assert client.get(f"{T}/plays/{play.id}/edit/").status_code == 200
    response = client.post(
        f"{T}/plays/{play.id}/edit/",
        {
            "name": "Deal acceleration",
            "description": "Move the stuck deals.",
            "success_metric": "Stage moves on named accounts",
            "follow_up_template": "Call within two days.",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{T}/plays/{play.id}/"
    assert followed_messages(response) == ["Deal acceleration saved."]
    play.refresh_from_db()
    assert (play.name, play.success_metric) == ("Deal acceleration", "Stage moves on named accounts")
    assert AuditEvent.unscoped.filter(tenant=tenant, action="play.updated").count() == 1


@pytest.mark.django_db
def test_a_rejected_play_edit_shows_the_errors_and_changes_nothing(catalog, manager_user):
    play = catalog.play
    response = login(manager_user).post(f"{T}/plays/{play.id}/edit/", {"name": "", "success_metric": ""})
    assert response.status_code == 200
    assert "This field is required." in str(response.context["form"].errors["name"])
    assert Play.unscoped.get(id=play.id).name == "Regional account acceleration"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SALES, Role.REVOPS, Role.FIELD_MARKETING])
def test_staff_without_play_change_read_the_catalog_but_cannot_edit(tenant, catalog, role):
    client = login(make_member(tenant, role))
    play = catalog.play
    assert client.get(f"{T}/plays/").status_code == 200
    assert client.get(f"{T}/plays/{play.id}/").status_code == 200
    assert client.get(f"{T}/packages/{catalog.id}/").status_code == 200
    assert client.get(f"{T}/plays/{play.id}/edit/").status_code == 403
    assert client.post(f"{T}/plays/{play.id}/edit/", {"name": "x"}).status_code == 403
    edit = component(catalog, "landing_page")
    assert client.post(f"{T}/components/{edit.id}/edit/", {"content": "x"}).status_code == 403
    assert client.post(f"{T}/packages/{catalog.id}/versions/new/", {"name": "x"}).status_code == 403
    assert Play.unscoped.get(id=play.id).name == "Regional account acceleration"


@pytest.mark.django_db
def test_partner_users_see_no_plays_or_packages(tenant, catalog, partner_user):
    client = login(partner_user)
    assert client.get(f"{T}/plays/").status_code == 403
    assert client.get(f"{T}/packages/").status_code == 403
    # Packages are staff-only rows: outside a partner user's scope, so not found.
    assert client.get(f"{T}/packages/{catalog.id}/").status_code == 404


# --- Packages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_master_page_shows_fixed_and_flexible_parts_and_which_versions_override_them(
    versions, catalog, manager_user
):
    response = login(manager_user).get(f"{T}/packages/{catalog.id}/")
    rows = {row.key: row for row in response.context["components"]}
    assert len(rows) == 7
    assert rows["tracking"].is_fixed
    assert not rows["landing_page"].is_fixed
    assert [version.name for version in rows["landing_page"].overridden_by] == ["Healthcare version"]
    assert rows["nurture_sequence"].overridden_by == ()
    assert [version.name for version in response.context["versions"]] == [
        "Contoso version",
        "Healthcare version",
    ]
    html = response.content.decode()
    assert "Derive a version" in html
    assert "Fixed" in html and "Flexible" in html


@pytest.mark.django_db
def test_the_version_page_shows_each_parts_effective_content_and_whether_it_is_overridden(
    versions, manager_user
):
    healthcare, _ = versions
    response = login(manager_user).get(f"{T}/packages/{healthcare.id}/")
    rows = {row.key: row for row in response.context["components"]}
    assert rows["landing_page"].content == "Clinics page"
    assert rows["landing_page"].overridden
    assert not rows["nurture_sequence"].overridden
    assert rows["nurture_sequence"].content == rows["nurture_sequence"].master_content
    html = response.content.decode()
    assert "Overridden" in html
    assert "From the master" in html


@pytest.mark.django_db
def test_editing_a_master_component_reaches_the_versions(tenant, versions, catalog, manager_user):
    _, contoso = versions
    nurture = component(catalog, "nurture_sequence")
    client = login(manager_user)
    assert client.get(f"{T}/components/{nurture.id}/edit/").status_code == 200
    response = client.post(f"{T}/components/{nurture.id}/edit/", {"content": "Three emails."}, follow=True)
    assert response.redirect_chain[-1][0] == f"{T}/packages/{catalog.id}/"
    page = client.get(f"{T}/packages/{contoso.id}/")
    rows = {row.key: row for row in page.context["components"]}
    assert rows["nurture_sequence"].content == "Three emails."
    assert ActivationPackage.unscoped.get(id=catalog.id).revision == 2


@pytest.mark.django_db
def test_making_an_overridden_component_fixed_is_refused_on_the_form(versions, catalog, manager_user):
    landing = component(catalog, "landing_page")
    response = login(manager_user).post(
        f"{T}/components/{landing.id}/edit/", {"content": landing.content, "is_fixed": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["is_fixed"] == [
        "Landing page is overridden by Healthcare version: clear those overrides before making it fixed."
    ]
    assert not component(catalog, "landing_page").is_fixed


@pytest.mark.django_db
def test_a_version_component_is_not_edited_as_a_master_component(versions, manager_user):
    healthcare, _ = versions
    override = component(healthcare, "landing_page")
    assert login(manager_user).get(f"{T}/components/{override.id}/edit/").status_code == 404


@pytest.mark.django_db
def test_deriving_a_version_for_a_partner(tenant, catalog, manager_user, partner):
    client = login(manager_user)
    response = client.post(
        f"{T}/packages/{catalog.id}/versions/new/",
        {"name": "Contoso retail", "vertical": "retail", "partner": partner.id},
        follow=True,
    )
    version = ActivationPackage.unscoped.get(tenant=tenant, name="Contoso retail")
    assert response.redirect_chain[-1][0] == f"{T}/packages/{version.id}/"
    assert (version.parent_id, version.vertical, version.partner_id) == (catalog.id, "retail", partner.id)


@pytest.mark.django_db
def test_a_version_without_target_or_with_another_tenants_partner_is_refused(
    catalog, manager_user, other_tenant
):
    foreign = PartnerFactory(tenant=other_tenant)
    client = login(manager_user)
    untargeted = client.post(f"{T}/packages/{catalog.id}/versions/new/", {"name": "Nobody"})
    cross = client.post(
        f"{T}/packages/{catalog.id}/versions/new/", {"name": "Initech", "partner": foreign.id}
    )
    assert "choose at least one" in str(untargeted.context["form"].non_field_errors())
    assert "Select a valid choice" in str(cross.context["form"].errors["partner"])
    assert not ActivationPackage.unscoped.filter(parent__isnull=False).exists()


@pytest.mark.django_db
def test_overriding_a_flexible_part_and_clearing_it_with_confirmation(versions, manager_user):
    _, contoso = versions
    client = login(manager_user)
    form = client.get(f"{T}/packages/{contoso.id}/override/?key=partner_playbook")
    assert form.context["form"].initial["key"] == "partner_playbook"
    saved = client.post(
        f"{T}/packages/{contoso.id}/override/",
        {"key": "partner_playbook", "content": "Contoso hosts the briefing."},
        follow=True,
    )
    assert saved.redirect_chain[-1][0] == f"{T}/packages/{contoso.id}/"
    override = component(contoso, "partner_playbook")
    assert override.content == "Contoso hosts the briefing."

    confirm = client.get(f"{T}/overrides/{override.id}/clear/")
    assert confirm.status_code == 200
    assert "Clear the override of Partner playbook?" in confirm.content.decode()
    assert PackageComponent.unscoped.filter(id=override.id).exists()  # nothing happens on GET
    cleared = client.post(f"{T}/overrides/{override.id}/clear/", follow=True)
    assert followed_messages(cleared) == ["Partner playbook reads from the master again."]
    assert not PackageComponent.unscoped.filter(id=override.id).exists()


@pytest.mark.django_db
def test_overriding_a_fixed_part_is_refused_on_the_form(versions, manager_user):
    _, contoso = versions
    response = login(manager_user).post(
        f"{T}/packages/{contoso.id}/override/", {"key": "qualification_logic", "content": "Anything goes"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["key"] == [
        "Qualification logic (scoring, routing) is fixed by the master and cannot be overridden."
    ]
    assert not PackageComponent.unscoped.filter(package=contoso).exists()


@pytest.mark.django_db
def test_the_package_list_filters_by_play_and_master_or_version(tenant, versions, catalog, manager_user):
    client = login(manager_user)
    of_play = client.get(f"{T}/packages/?play={catalog.play_id}")
    masters = client.get(f"{T}/packages/?kind=master")
    versions_only = client.get(f"{T}/packages/?kind=version&vertical=healthcare")
    assert [p.name for p in of_play.context["rows"]] == ["Master", "Contoso version", "Healthcare version"]
    assert len(masters.context["rows"]) == 4
    assert [p.name for p in versions_only.context["rows"]] == ["Healthcare version"]
