"""Labels read as people write them: no "---------" choices, no "[invalid name]" label, owners by
name and role, no name said twice (a "Master" package badged "Master", a play subtitled with its
own name)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import MasterPackageFactory, PlayFactory
from tests.routes import all_routes, factory_for

T = "/t/northwind"


def portal_pages(client, tenant):
    """Every portal page a GET shows, with the objects its URL names made in the tenant."""
    for route in all_routes():
        if not route.is_portal or "get" not in route.methods:
            continue
        kwargs = {"tenant_slug": tenant.slug}
        for kwarg in route.object_kwargs:
            kwargs[kwarg] = factory_for(route.model_for(kwarg))(tenant=tenant).pk
        response = client.get(reverse(route.name, kwargs=kwargs))
        if response.status_code == 200 and not response.streaming:
            yield route.name, response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.TENANT_ADMIN, Role.PARTNER_ADMIN])
def test_no_form_offers_dashes_as_its_empty_choice_nor_an_unnamed_field(tenant, partner, role):
    user = make_member(tenant, role, partner=partner if role == Role.PARTNER_ADMIN else None)

    pages = dict(portal_pages(login(user), tenant))
    # The walk reached the pages with forms (a walk of refusals would check nothing).
    assert {"accounts:account_create" if role == Role.TENANT_ADMIN else "accounts:claim_create"} <= set(pages)

    assert [name for name, page in pages.items() if "---------" in page] == []
    # A filter on something that is no model field needs its own label, or django-filter says this.
    assert [name for name, page in pages.items() if "[invalid name]" in page] == []


def options(page: str, select: str) -> list[str]:
    block = re.search(rf'<select name="{select}".*?</select>', page, re.S).group(0)
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", block)]


@pytest.mark.django_db
def test_owner_pickers_offer_people_of_the_right_role_by_name(tenant, admin_user, partner):
    make_member(tenant, Role.SALES, full_name="Sam Sales", email="sam@northwind.example")
    make_member(tenant, Role.REVOPS, full_name="Riley Revops", email="riley@northwind.example")
    make_member(tenant, Role.CHANNEL, full_name="Chris Channel", email="chris@northwind.example")
    client = login(admin_user)

    account_owner = options(client.get(f"{T}/accounts/new/").content.decode(), "owner")
    account_manager = options(
        client.get(f"{T}/partners/{partner.id}/edit/").content.decode(), "account_manager"
    )

    assert account_owner == ["No owner yet", "Sam Sales"]
    assert account_manager == ["No account manager yet", "Chris Channel"]


@pytest.mark.django_db
def test_a_master_package_named_master_is_not_badged_master_again(tenant, manager_user):
    play = PlayFactory(tenant=tenant, kind="acceleration")
    MasterPackageFactory(tenant=tenant, play=play, name="Master")

    listing = login(manager_user).get(f"{T}/packages/").content.decode()
    play_page = login(manager_user).get(f"{T}/plays/{play.id}/").content.decode()

    for page in (listing, play_page):
        assert "<strong>Master</strong></a>" in page
        assert '<span class="badge">Master</span>' not in page


@pytest.mark.django_db
def test_a_play_named_as_its_kind_is_not_subtitled_with_its_name(tenant, manager_user):
    play = PlayFactory(tenant=tenant, kind="acceleration", name="Regional account acceleration")

    listing = login(manager_user).get(f"{T}/plays/").content.decode()
    page = login(manager_user).get(f"{T}/plays/{play.id}/").content.decode()

    assert listing.count("Regional account acceleration") == 1
    assert "Regional account acceleration" in page  # the play page rendered
    assert '<div class="sub">Regional account acceleration</div>' not in page


def html_templates(templates: Path) -> list[Path]:
    paths = sorted(templates.rglob("*.html"))
    assert paths, f"no templates under {templates}"
    return paths


def test_no_template_comment_spans_lines():
    # Django's {# … #} comment ends at the line's end: one that goes on shows on the page.
    templates = Path(settings.BASE_DIR) / "templates"
    open_comments = [
        f"{path.relative_to(templates)}:{number}"
        for path in html_templates(templates)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]
    assert open_comments == []
