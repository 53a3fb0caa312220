"""Settings → SLA policies as the vendor uses it: the list names each policy's scope and numbers,
the form refuses a second scope or a taken one on the field, a deletion asks first (and the default
is kept while narrower policies exist), staff without the right read only, partner users get nothing."""

import pytest

from leads.models import SlaPolicy
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import PartnerFactory, ProgramFactory, SlaPolicyFactory
from tests.test_query_counts import queries_for

pytestmark = pytest.mark.django_db

BASE = "/t/northwind/settings/sla-policies/"
NUMBERS = {
    "accept_hours": 24,
    "contact_hours": 24,
    "qualify_days": 5,
    "warn_percent": 75,
    "grace_hours": 24,
    "silent_days": 14,
}


def form(**fields) -> dict:
    return {"tier": "", "partner": "", "program": "", **NUMBERS, **fields}


def test_without_policies_the_page_says_the_built_in_defaults(tenant, admin_user):
    page = login(admin_user).get(BASE).content.decode()

    assert "No SLA policies yet" in page
    assert "accept within 24 business hours, first contact within 24 business hours" in page
    assert "A change applies to the clocks that start after it" in page


def test_the_list_names_each_scope_with_its_numbers_widest_first(tenant, admin_user, partner):
    program = ProgramFactory(tenant=tenant, partner=partner, tracking_code="NW-ACC-1")
    SlaPolicyFactory(tenant=tenant, program=program, accept_hours=2)
    SlaPolicyFactory(tenant=tenant, partner=partner, accept_hours=6)
    SlaPolicyFactory(tenant=tenant, tier="one_to_one", qualify_days=3)
    SlaPolicyFactory(tenant=tenant, partner=None, accept_hours=16)

    page = login(admin_user).get(BASE).content.decode()

    labels = ["Default", "Tier One-to-one (strategic)", "Partner Contoso Consulting", "Program NW-ACC-1"]
    positions = [page.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "16 business h" in page and "3 business days" in page and "2 business h" in page


def test_an_admin_creates_and_edits_a_partners_policy_audited(tenant, admin_user, partner):
    client = login(admin_user)

    created = client.post(f"{BASE}new/", form(partner=partner.id, accept_hours=8))
    policy = SlaPolicy.unscoped.get(tenant=tenant)
    edited = client.post(f"{BASE}{policy.id}/edit/", form(partner=partner.id, accept_hours=4))
    policy.refresh_from_db()

    assert created.status_code == edited.status_code == 302 and created["Location"] == BASE
    assert (policy.partner_id, policy.accept_hours) == (partner.id, 4)
    actions = AuditEvent.unscoped.filter(tenant=tenant, actor=admin_user).values_list("action", flat=True)
    assert sorted(actions) == ["sla_policy.created", "sla_policy.updated"]


def test_a_second_scope_a_taken_scope_and_bad_numbers_are_shown_on_the_form(tenant, admin_user, partner):
    program = ProgramFactory(tenant=tenant, partner=partner)
    SlaPolicyFactory(tenant=tenant, partner=partner)
    client = login(admin_user)

    two = client.post(f"{BASE}new/", form(partner=partner.id, program=program.id)).content.decode()
    taken = client.post(f"{BASE}new/", form(partner=partner.id)).content.decode()
    zero = client.post(f"{BASE}new/", form(tier="one_to_one", accept_hours=0)).content.decode()

    assert "not a partner and a program" in two
    assert "Partner Contoso Consulting has an SLA policy already: change that one." in taken
    assert "Ensure this value is greater than or equal to 1." in zero
    assert SlaPolicy.unscoped.count() == 1


def test_a_deletion_asks_first_and_the_default_is_kept_while_others_exist(tenant, admin_user, partner):
    default = SlaPolicyFactory(tenant=tenant, partner=None)
    partners = SlaPolicyFactory(tenant=tenant, partner=partner)
    client = login(admin_user)

    kept = client.get(f"{BASE}{default.id}/delete/").content.decode()
    confirm = client.get(f"{BASE}{partners.id}/delete/").content.decode()
    client.post(f"{BASE}{partners.id}/delete/")
    again = client.get(f"{BASE}{default.id}/delete/").content.decode()
    client.post(f"{BASE}{default.id}/delete/")

    assert "cannot be deleted while tier, partner or program policies exist" in kept
    assert "Delete policy" not in kept
    assert "Delete the SLA policy of Partner Contoso Consulting?" in confirm
    assert "its tier&#x27;s policy, else the tenant&#x27;s default" in confirm
    assert "every handoff runs on the built-in defaults" in again
    assert not SlaPolicy.unscoped.exists()
    assert AuditEvent.unscoped.filter(tenant=tenant, action="sla_policy.deleted").count() == 2


def test_other_staff_read_only_and_partner_users_get_nothing(tenant, partner, partner_user):
    policy = SlaPolicyFactory(tenant=tenant, partner=partner)
    sales = login(make_member(tenant, Role.SALES))

    page = sales.get(BASE).content.decode()
    assert "Partner Contoso Consulting" in page and "New policy" not in page and "/edit/" not in page
    assert sales.get(f"{BASE}new/").status_code == 403
    assert sales.post(f"{BASE}{policy.id}/delete/").status_code == 403
    assert login(partner_user).get(BASE).status_code == 403
    assert login(partner_user).get(f"{BASE}{policy.id}/edit/").status_code == 404
    assert SlaPolicy.unscoped.filter(id=policy.id).exists()


def test_the_list_runs_as_many_queries_for_every_scope_many_times(tenant, admin_user):
    client = login(admin_user)

    def add(count):
        for _ in range(count):
            SlaPolicyFactory(tenant=tenant, partner=PartnerFactory(tenant=tenant))
            SlaPolicyFactory(tenant=tenant, program=ProgramFactory(tenant=tenant))

    SlaPolicyFactory(tenant=tenant, partner=None)
    SlaPolicyFactory(tenant=tenant, tier="one_to_few")
    add(1)
    few = queries_for(client, BASE)
    add(6)
    assert queries_for(client, BASE) == few
