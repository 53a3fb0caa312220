"""SLA policies through the API: staff and keys read them; tenant admins and partner managers
(signed in) create, change and delete them, each change audited; a vendor key that writes is told
why it may not; a second scope or a taken one is a 400 on the field; lists filter by scope."""

import pytest

from leads.api.sla_policies import KEY_REFUSED
from leads.models import SlaPolicy
from partnerhub.tenancy.roles import STAFF_ROLES, Role
from tests.api_cases import CRUD, KEYS, REPLACE, WRITE_KEY, APIResourceCases, audits_of, session
from tests.dbstate import changed_tables, fingerprint
from tests.factories import PartnerFactory, ProgramFactory, SlaPolicyFactory

POLICIES = "/api/v1/sla-policies/"
JSON = "application/json"


class TestSlaPolicyAPI(APIResourceCases):
    url = POLICIES
    model = SlaPolicy
    operations = CRUD | {REPLACE}
    readers = STAFF_ROLES | KEYS
    writers = {Role.TENANT_ADMIN, Role.PARTNER_MANAGER}
    refusals = {WRITE_KEY: KEY_REFUSED}
    audits = audits_of("sla_policy")
    list_queries = 6
    invalid = {"accept_hours": 0, "tier": "platinum"}

    def create_payload(self, tenant, partner):
        # A partner of its own for every create: one policy per partner.
        return {"partner": PartnerFactory(tenant=tenant).id, "accept_hours": 8, "contact_hours": 12}

    def expected(self, operation, payload, partner):
        return {**payload, "scope": "partner"}

    def update_payload(self, tenant, partner):
        return {"accept_hours": 16, "warn_percent": 50}

    def replace_payload(self, tenant, partner):
        return {"partner": PartnerFactory(tenant=tenant).id, "qualify_days": 3}

    def shown(self, row):
        return {"partner": row.partner_id, "tier": None, "program": None, "accept_hours": row.accept_hours}


@pytest.mark.django_db
def test_every_scope_reads_as_the_settings_page_shows_it(tenant, admin_user, partner):
    program = ProgramFactory(tenant=tenant, partner=partner, tracking_code="NW-ACC-1")
    SlaPolicyFactory(tenant=tenant, partner=None)
    SlaPolicyFactory(tenant=tenant, tier="one_to_few")
    SlaPolicyFactory(tenant=tenant, partner=partner)
    SlaPolicyFactory(tenant=tenant, program=program)

    rows = session(admin_user).get(POLICIES).json()["results"]

    assert [(row["scope"], row["scope_label"], row["tier"]) for row in rows] == [
        ("default", "Default", None),
        ("tier", "Tier One-to-few (growing)", "one_to_few"),
        ("partner", "Partner Contoso Consulting", None),
        ("program", "Program NW-ACC-1", None),
    ]
    assert rows[0]["contact_hours"] == 24


@pytest.mark.django_db
def test_the_list_filters_by_scope_tier_partner_and_program(tenant, admin_user, partner, other_partner):
    program = ProgramFactory(tenant=tenant, partner=partner)
    default = SlaPolicyFactory(tenant=tenant, partner=None)
    tiers = SlaPolicyFactory(tenant=tenant, tier="one_to_one")
    partners = SlaPolicyFactory(tenant=tenant, partner=partner)
    SlaPolicyFactory(tenant=tenant, partner=other_partner)
    programs = SlaPolicyFactory(tenant=tenant, program=program)
    client = session(admin_user)

    def ids(query):
        response = client.get(f"{POLICIES}?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("scope=default") == [default.id]
    assert ids("scope=tier") == ids("tier=one_to_one") == [tiers.id]
    assert len(ids("scope=partner")) == 2
    assert ids(f"partner={partner.id}") == [partners.id]
    assert ids("scope=program") == ids(f"program={program.id}") == [programs.id]
    assert client.get(f"{POLICIES}?scope=galaxy").status_code == 400


@pytest.mark.django_db
def test_a_second_scope_or_a_taken_one_is_a_400_on_the_field(tenant, admin_user, partner):
    program = ProgramFactory(tenant=tenant, partner=partner)
    SlaPolicyFactory(tenant=tenant, partner=None)
    SlaPolicyFactory(tenant=tenant, partner=partner)
    client = session(admin_user)
    before = fingerprint()

    two = client.post(POLICIES, {"tier": "one_to_one", "program": program.id}, content_type=JSON)
    default = client.post(POLICIES, {"accept_hours": 4}, content_type=JSON)
    taken = client.post(POLICIES, {"partner": partner.id}, content_type=JSON)

    assert (two.status_code, two.json()) == (
        400,
        {"program": ["A policy has one scope: a tier, a partner or a program, not a tier and a program."]},
    )
    assert default.json() == {"scope": ["Default has an SLA policy already: change that one."]}
    assert taken.json() == {
        "partner": ["Partner Contoso Consulting has an SLA policy already: change that one."]
    }
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_a_patch_moves_a_policy_to_another_scope(tenant, admin_user, partner):
    policy = SlaPolicyFactory(tenant=tenant, tier="one_to_one")
    client = session(admin_user)

    kept_tier = client.patch(f"{POLICIES}{policy.id}/", {"partner": partner.id}, content_type=JSON)
    moved = client.patch(f"{POLICIES}{policy.id}/", {"tier": None, "partner": partner.id}, content_type=JSON)

    assert kept_tier.status_code == 400 and list(kept_tier.json()) == ["partner"]
    assert moved.status_code == 200
    assert (moved.json()["scope"], moved.json()["tier"], moved.json()["partner"]) == (
        "partner",
        None,
        partner.id,
    )


@pytest.mark.django_db
def test_another_partner_or_program_of_another_tenant_is_not_a_valid_choice(tenant, other_tenant, admin_user):
    foreign_partner = PartnerFactory(tenant=other_tenant)
    foreign_program = ProgramFactory(tenant=other_tenant)
    client = session(admin_user)

    partner = client.post(POLICIES, {"partner": foreign_partner.id}, content_type=JSON)
    program = client.post(POLICIES, {"program": foreign_program.id}, content_type=JSON)

    assert partner.status_code == program.status_code == 400
    assert list(partner.json()) == ["partner"] and list(program.json()) == ["program"]


@pytest.mark.django_db
def test_the_default_is_not_deleted_while_narrower_policies_exist(tenant, admin_user, partner):
    default = SlaPolicyFactory(tenant=tenant, partner=None)
    SlaPolicyFactory(tenant=tenant, partner=partner)

    response = session(admin_user).delete(f"{POLICIES}{default.id}/")

    assert response.status_code == 400
    assert "cannot be deleted while tier, partner or program policies exist" in response.json()["detail"]
    assert SlaPolicy.unscoped.filter(id=default.id).exists()
