"""Plays REST API: the catalog, packages with resolved components, versions and overrides, programs,
by role and by key."""

import pytest

from accounts.models import Program
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from plays.models import ActivationPackage, Play
from plays.services import catalog_install
from tests.api_cases import (
    CREATE,
    DETAIL,
    EVERYONE,
    LIST,
    READ_KEY,
    READS,
    STAFF,
    UPDATE,
    WRITE_KEY,
    APIResourceCases,
    caller,
    session,
)
from tests.dbstate import changed_tables, fingerprint
from tests.factories import MasterPackageFactory, PartnerFactory, ProgramFactory

JSON = "application/json"
PLAYS = "/api/v1/plays/"
PACKAGES = "/api/v1/packages/"
PROGRAMS = "/api/v1/programs/"


@pytest.fixture
def master(tenant):
    with tenant_context(tenant):
        catalog_install(tenant=tenant)
    return ActivationPackage.unscoped.get(tenant=tenant, play__kind="acceleration", parent__isnull=True)


def components(response) -> dict[str, dict]:
    return {row["key"]: row for row in response.json()["components"]}


# --- The generated cases -----------------------------------------------------------------------


class CatalogResourceCases(APIResourceCases, abstract=True):
    """The play catalog: staff read it; admins, partner managers and product marketing edit it."""

    readers = STAFF
    writers = {Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.PRODUCT_MARKETING, WRITE_KEY}
    list_queries = 5


class TestPlayAPI(CatalogResourceCases):
    """The catalog is installed with the tenant: plays are edited, never created or deleted."""

    url = PLAYS
    model = Play
    operations = {LIST, DETAIL, UPDATE}
    audits = {UPDATE: "play.updated"}
    invalid = {"name": ""}

    def update_payload(self, tenant, partner):
        return {"name": "Account acceleration", "success_metric": "Stage moves"}

    def shown(self, row):
        return {"kind": row.kind, "name": row.name}


class TestPackageAPI(CatalogResourceCases):
    """Masters come with the catalog; POST derives a version of one."""

    url = PACKAGES
    model = ActivationPackage
    operations = {LIST, DETAIL, CREATE}
    audits = {CREATE: "package.version_created"}
    invalid = {"vertical": "mars"}

    def create_payload(self, tenant, partner):
        master = MasterPackageFactory(tenant=tenant)
        return {"master": master.id, "name": "Contoso retail", "vertical": "retail", "partner": partner.id}

    def expected(self, operation, payload, partner):
        shown = {"parent": payload["master"], "is_master": False, "partner_name": partner.name}
        return {**shown, **{name: payload[name] for name in ("name", "vertical", "partner")}}

    def shown(self, row):
        return {"name": row.name, "parent": row.parent_id, "partner": row.partner_id}


class TestProgramAPI(APIResourceCases):
    """Read-only: a program is created by launching its plan."""

    url = PROGRAMS
    model = Program
    operations = READS
    readers = EVERYONE  # partner users: their own company's programs only
    list_queries = 5

    def shown(self, row):
        return {"tracking_code": row.tracking_code, "partner": row.partner_id, "plan": row.plan_id}


@pytest.mark.django_db
def test_the_catalog_lists_its_four_plays_and_a_plays_kind_never_changes(tenant, master, manager_user):
    client = session(manager_user)
    listing = client.get(PLAYS)
    assert [row["kind"] for row in listing.json()["results"]] == [
        "acceleration",
        "vertical_wedge",
        "expansion",
        "roundtable",
    ]
    patched = client.patch(f"{PLAYS}{master.play_id}/", {"kind": "roundtable"}, content_type=JSON)
    assert patched.status_code == 200
    assert patched.json()["kind"] == "acceleration"  # read-only
    assert Play.unscoped.get(id=master.play_id).kind == "acceleration"


@pytest.mark.django_db
def test_the_package_detail_resolves_the_seven_components(master, manager_user):
    response = session(manager_user).get(f"{PACKAGES}{master.id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["is_master"] is True
    assert len(body["components"]) == 7
    assert components(response)["tracking"]["is_fixed"] is True
    assert components(response)["landing_page"]["is_fixed"] is False


@pytest.mark.django_db
def test_a_version_is_derived_overridden_and_follows_its_master(tenant, master, manager_user, partner):
    client = session(manager_user)
    created = client.post(
        PACKAGES, {"master": master.id, "name": "Contoso version", "partner": partner.id}, content_type=JSON
    )
    assert created.status_code == 201
    version_url = f"{PACKAGES}{created.json()['id']}/"
    assert created.json()["parent"] == master.id
    assert created.json()["partner_name"] == "Contoso Consulting"

    override = client.post(
        f"{version_url}set-override/", {"key": "landing_page", "content": "Contoso page"}, content_type=JSON
    )
    assert override.status_code == 200
    assert components(override)["landing_page"] | {"overridden_by": []} == {
        "key": "landing_page",
        "label": "Landing page",
        "content": "Contoso page",
        "is_fixed": False,
        "overridden": True,
        "source": "version",
        "overridden_by": [],
    }
    master_edit = client.post(
        f"{PACKAGES}{master.id}/update-component/",
        {"key": "nurture_sequence", "content": "Four emails."},
        content_type=JSON,
    )
    assert master_edit.status_code == 200
    assert components(master_edit)["landing_page"]["overridden_by"] == [created.json()["id"]]
    version = client.get(version_url)
    assert components(version)["nurture_sequence"]["content"] == "Four emails."
    assert components(version)["landing_page"]["content"] == "Contoso page"

    cleared = client.post(f"{version_url}clear-override/", {"key": "landing_page"}, content_type=JSON)
    assert cleared.status_code == 200
    assert components(cleared)["landing_page"]["overridden"] is False
    assert cleared.json()["revision"] == 3


@pytest.mark.django_db
def test_overriding_a_fixed_component_is_a_400_with_the_reason(master, manager_user):
    client = session(manager_user)
    version = client.post(
        PACKAGES, {"master": master.id, "name": "Retail", "vertical": "retail"}, content_type=JSON
    ).json()
    response = client.post(
        f"{PACKAGES}{version['id']}/set-override/", {"key": "tracking", "content": "x"}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json() == {
        "key": ["Tracking (UTM and campaign naming) is fixed by the master and cannot be overridden."]
    }


@pytest.mark.django_db
def test_bad_input_is_a_400_never_a_500(master, manager_user, other_tenant):
    client = session(manager_user)
    foreign = PartnerFactory(tenant=other_tenant)
    cross = client.post(
        PACKAGES, {"master": master.id, "name": "Initech", "partner": foreign.id}, content_type=JSON
    )
    untargeted = client.post(PACKAGES, {"master": master.id, "name": "Nobody"}, content_type=JSON)
    unknown_vertical = client.post(
        PACKAGES, {"master": master.id, "name": "Mars", "vertical": "mars"}, content_type=JSON
    )
    unknown_key = client.post(
        f"{PACKAGES}{master.id}/update-component/", {"key": "logo", "content": ""}, content_type=JSON
    )
    on_master = client.post(
        f"{PACKAGES}{master.id}/set-override/", {"key": "landing_page", "content": "x"}, content_type=JSON
    )
    assert cross.status_code == 400 and "partner" in cross.json()
    assert untargeted.status_code == 400 and "choose at least one" in untargeted.json()["detail"]
    assert unknown_vertical.status_code == 400 and "vertical" in unknown_vertical.json()
    assert unknown_key.status_code == 400 and "key" in unknown_key.json()
    assert on_master.status_code == 400
    assert not ActivationPackage.unscoped.filter(parent__isnull=False).exists()


@pytest.mark.django_db
def test_a_duplicate_version_is_refused(master, manager_user):
    client = session(manager_user)
    first = client.post(
        PACKAGES, {"master": master.id, "name": "Retail", "vertical": "retail"}, content_type=JSON
    )
    again = client.post(
        PACKAGES, {"master": master.id, "name": "Retail 2", "vertical": "retail"}, content_type=JSON
    )
    assert first.status_code == 201
    assert again.status_code == 400
    assert "already exists" in str(again.json())


@pytest.mark.django_db
def test_a_retried_version_create_with_the_same_idempotency_key_creates_once(master, manager_user):
    client = session(manager_user)
    payload = {"master": master.id, "name": "Retail", "vertical": "retail"}
    first = client.post(PACKAGES, payload, content_type=JSON, HTTP_IDEMPOTENCY_KEY="k-1")
    retry = client.post(PACKAGES, payload, content_type=JSON, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert ActivationPackage.unscoped.filter(parent__isnull=False).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("principal", [Role.SALES, Role.REVOPS, Role.CHANNEL, READ_KEY])
def test_who_may_not_change_plays_cannot_edit_a_masters_component(tenant, master, partner, principal):
    client = caller(principal, tenant, partner).client
    before = fingerprint()
    response = client.post(
        f"{PACKAGES}{master.id}/update-component/", {"key": "landing_page", "content": "x"}, content_type=JSON
    )
    assert response.status_code == 403
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_programs_carry_tracking_and_utm(tenant, partner, manager_user):
    program = ProgramFactory(
        tenant=tenant,
        partner=partner,
        tracking_code="2026Q4-ACC-DACH-CONTOSO-9",
        utm_campaign="2026q4-acc-dach-contoso-9",
    )
    body = session(manager_user).get(f"{PROGRAMS}{program.id}/").json()
    assert body["tracking_code"] == "2026Q4-ACC-DACH-CONTOSO-9"
    assert body["partner_name"] == "Contoso Consulting"
    assert body["utm_query"] == (
        "utm_source=partner&utm_medium=partner&utm_campaign=2026q4-acc-dach-contoso-9&utm_content=acceleration"
    )
