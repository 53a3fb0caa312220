"""The qualification component's "Rules:" block: the catalog's masters carry rules matching their prose,
the package editor refuses a bad block naming its lines, the package page shows the rules in words,
and the data migration gives installed catalogs the rules without breaking their revisions."""

import importlib

import pytest
from django.apps import apps

from leads.models import TouchKind
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from plays import catalog
from plays.models import ActivationPackage, PackageComponent
from plays.qualification import TOUCH_KINDS, Points, RulesError, default_rules, parse
from plays.services import catalog_install
from tests.conftest import login

T = "/t/northwind"
add_rules = importlib.import_module("plays.migrations.0006_qualification_rules")


@pytest.fixture
def master(tenant):
    with tenant_context(tenant):
        catalog_install(tenant=tenant)
    return ActivationPackage.unscoped.get(tenant=tenant, play__kind="acceleration", parent__isnull=True)


def qualification(package) -> PackageComponent:
    return PackageComponent.unscoped.get(package=package, key="qualification_logic")


def test_every_catalog_master_carries_rules_that_match_its_prose():
    for play in catalog.PLAYS.values():
        text = play["components"]["qualification_logic"]
        rules = parse(text)
        assert rules == default_rules()
        assert "score of 60 or more, of which at least 30 from actions" in text
        assert (rules.score_at_least, rules.actions_at_least) == (60, 30)
        assert Points("meeting", 40) in rules.points and Points("event_attended", 20) in rules.points
        assert Points("landing_page_visit", 5, cap=10) in rules.points
        assert rules.required_actions == ("event_attended", "meeting")
        assert "director" in rules.title_keywords and rules.account == "plan"


def test_plays_names_the_touch_kinds_as_leads_stores_them():
    assert list(TOUCH_KINDS) == TouchKind.values


def test_a_text_without_a_rules_block_has_no_rules_and_a_bad_block_names_each_faulty_line():
    assert parse("Hand over only what sales wants.") is None
    text = (
        "Prose first.\n"  # 1
        "Rules:\n"  # 2
        "score at least: sixty\n"  # 3
        "points: meeting 40, webinar 10\n"  # 4
        "\n"  # 5
        "colour: blue\n"  # 6
        "region: mars\n"  # 7
    )
    with pytest.raises(RulesError) as refused:
        parse(text)
    assert [error.split(":")[0] for error in refused.value.errors] == ["Line 3", "Line 4", "Line 6", "Line 7"]
    assert "“webinar” is not a touch kind" in refused.value.errors[1]
    with pytest.raises(RulesError) as incomplete:
        parse("Rules:\npoints: meeting 40")
    assert incomplete.value.errors == ["Line 1: the rules need “score at least: …”."]


@pytest.mark.django_db
def test_the_package_editor_refuses_a_bad_rules_block_with_its_line_and_keeps_the_text(master, manager_user):
    component = qualification(master)
    bad = component.content.replace("score at least: 60", "score at least: lots")
    line = bad.splitlines().index("score at least: lots") + 1

    response = login(manager_user).post(
        f"{T}/components/{component.id}/edit/", {"content": bad, "is_fixed": "on"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["content"] == [
        f"Line {line}: “score at least” takes a whole number of points, e.g. “score at least: 30”."
    ]
    assert qualification(master).content == component.content
    assert ActivationPackage.unscoped.get(id=master.id).revision == 1


@pytest.mark.django_db
def test_a_changed_rules_block_is_saved_and_the_package_page_shows_the_rules_in_words(master, manager_user):
    component = qualification(master)
    changed = component.content.replace("score at least: 60", "score at least: 45")
    client = login(manager_user)

    client.post(f"{T}/components/{component.id}/edit/", {"content": changed, "is_fixed": "on"})
    page = client.get(f"{T}/packages/{master.id}/").content.decode()

    assert parse(qualification(master).content).score_at_least == 45
    assert "Handoff rules" in page
    assert "Score of 45 or more from weighted touches." in page
    assert "Required, any of: attended an event, meeting." in page
    assert "Rules:" not in page  # the block is shown in words, not as its source


@pytest.mark.django_db
def test_the_migration_gives_untouched_catalogs_their_rules_with_a_new_revision_and_leaves_edits(
    tenant, other_tenant, master
):
    with tenant_context(tenant):
        PackageComponent.objects.filter(package__parent__isnull=True, key="qualification_logic").update(
            content=add_rules.OLD_TEXT
        )
    with tenant_context(other_tenant):
        catalog_install(tenant=other_tenant)
        PackageComponent.objects.filter(package__parent__isnull=True, key="qualification_logic").update(
            content="Our own words, no rules."
        )

    add_rules.add_rules(apps, None)

    assert qualification(master).content == catalog.PLAYS["acceleration"]["components"]["qualification_logic"]
    assert ActivationPackage.unscoped.get(id=master.id).revision == 2
    event = AuditEvent.unscoped.get(
        tenant=tenant, action="package.component_updated", target_id=str(master.id)
    )
    assert (event.before["revision"], event.after["revision"]) == (1, 2)
    theirs = PackageComponent.unscoped.filter(tenant=other_tenant, key="qualification_logic")
    assert set(theirs.values_list("content", flat=True)) == {"Our own words, no rules."}
    assert not AuditEvent.unscoped.filter(tenant=other_tenant, action="package.component_updated").exists()
