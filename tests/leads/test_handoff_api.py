"""The handoffs API, as staff (a vendor key), a partner's user (a session) and a partner key would
use it: offers, answers, what the partner sees of the lead before and after acceptance, the clocks'
deadlines, and the audit trail naming the key and its partner."""

import pytest

from leads.models import Handoff
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.api_cases import bearer, session
from tests.conftest import make_member
from tests.factories import ApiKeyFactory, HandoffFactory, ReadyLeadFactory

pytestmark = pytest.mark.django_db

HANDOFFS = "/api/v1/handoffs/"
JSON = "application/json"
NOT_FOUND = {"detail": "Not found."}
ROLE_REFUSED = {"detail": "Your role does not allow this."}


@pytest.fixture
def lead(tenant):
    return ReadyLeadFactory(
        tenant=tenant, email="kim@acme.example", phone="+49 30 1234", title="CIO", company_name="Acme"
    )


@pytest.fixture
def staff_key(tenant):
    return bearer(ApiKeyFactory(tenant=tenant, name="Salesforce sync"))


@pytest.fixture
def partner_key(tenant, partner):
    key = ApiKeyFactory(tenant=tenant, partner=partner, name="Contoso CRM")
    client = bearer(key)
    client.key = key
    return client


def offered(staff_key, lead, partner) -> dict:
    response = staff_key.post(HANDOFFS, {"lead": lead.id, "partner": partner.id}, content_type=JSON)
    assert response.status_code == 201, response.content
    return response.json()


def post(client, handoff_id: int, step: str, body: dict | None = None):
    return client.post(f"{HANDOFFS}{handoff_id}/{step}/", body or {}, content_type=JSON)


def test_staff_offer_and_the_partner_key_sees_no_contacts_until_it_accepts(
    staff_key, partner_key, lead, partner
):
    handoff = offered(staff_key, lead, partner)

    before = partner_key.get(f"{HANDOFFS}{handoff['id']}/")
    accepted = post(partner_key, handoff["id"], "accept")

    assert before.status_code == 200
    assert "kim@acme.example" not in before.content.decode() and "+49 30 1234" not in before.content.decode()
    person = before.json()["person"]
    assert (person["title"], person["company_name"], person["contacts_revealed"]) == ("CIO", "Acme", False)
    assert [touch["kind"] for touch in person["touches"]] == ["Meeting", "Attended an event"]
    assert before.json()["lead"] is None  # the lead's id is the vendor's
    assert [clock["clock"] for clock in before.json()["clocks"]] == ["accept"]
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["state"] == "accepted"
    assert (body["person"]["email"], body["person"]["phone"]) == ("kim@acme.example", "+49 30 1234")
    assert [clock["clock"] for clock in body["clocks"]] == ["contact", "qualify"]
    assert all(clock["due_at"] for clock in body["clocks"])


def test_staff_see_the_lead_id_and_the_contacts_of_an_offered_handoff(staff_key, lead, partner):
    handoff = offered(staff_key, lead, partner)
    assert (handoff["lead"], handoff["partner"], handoff["partner_name"]) == (
        lead.id,
        partner.id,
        partner.name,
    )
    assert handoff["person"]["email"] == "kim@acme.example"
    assert handoff["clocks"][0]["due_at"] is not None


def test_the_audit_records_the_partner_key_and_its_partner(staff_key, partner_key, lead, partner):
    handoff = offered(staff_key, lead, partner)
    post(partner_key, handoff["id"], "accept")
    event = AuditEvent.unscoped.get(action="handoff.accepted")
    assert event.api_key_id == partner_key.key.id
    assert event.actor_label == f"API key “Contoso CRM” ({partner_key.key.prefix}) of Contoso Consulting"


def test_a_partner_key_logs_the_first_contact_then_the_qualification(staff_key, partner_key, lead, partner):
    handoff = offered(staff_key, lead, partner)
    post(partner_key, handoff["id"], "accept")

    too_early = post(partner_key, handoff["id"], "qualification", {"outcome": "qualified"})
    contacted = post(partner_key, handoff["id"], "contact")
    again = post(partner_key, handoff["id"], "contact")
    qualified = post(
        partner_key, handoff["id"], "qualification", {"outcome": "qualified", "note": "Budget set"}
    )

    assert (too_early.status_code, too_early.json()) == (
        400,
        {"outcome": ["Log the first contact before the qualification."]},
    )
    assert contacted.status_code == 200 and contacted.json()["first_contact_at"] is not None
    assert [clock["clock"] for clock in contacted.json()["clocks"]] == ["qualify"]
    assert (again.status_code, again.json()) == (400, {"handoff": ["The first contact is already recorded."]})
    assert qualified.status_code == 200
    assert (qualified.json()["qualification"], qualified.json()["qualification_note"]) == (
        "qualified",
        "Budget set",
    )
    assert qualified.json()["clocks"] == []


def test_a_partner_user_rejects_with_a_reason_in_its_session(tenant, staff_key, partner, partner_user, lead):
    handoff = offered(staff_key, lead, partner)
    client = session(partner_user)

    unexplained = post(client, handoff["id"], "reject", {"reason": "other"})
    unknown = post(client, handoff["id"], "reject", {"reason": "bored"})
    rejected = post(client, handoff["id"], "reject", {"reason": "no_capacity", "text": "Team is full"})

    assert (unexplained.status_code, unexplained.json()) == (400, {"text": ["Say why the lead is declined."]})
    assert unknown.status_code == 400 and set(unknown.json()) == {"reason"}
    assert rejected.status_code == 200
    assert (rejected.json()["state"], rejected.json()["reject_reason"]) == ("rejected", "no_capacity")
    assert rejected.json()["person"]["email"] == ""
    again = staff_key.post(HANDOFFS, {"lead": lead.id, "partner": partner.id}, content_type=JSON)
    assert again.status_code == 400 and set(again.json()) == {"partner"}


def test_staff_recall_and_partners_may_not_offer_or_recall(staff_key, partner_key, lead, partner):
    handoff = offered(staff_key, lead, partner)

    offer_by_partner = partner_key.post(HANDOFFS, {"lead": lead.id, "partner": partner.id}, content_type=JSON)
    recall_by_partner = post(partner_key, handoff["id"], "recall")
    recalled = post(staff_key, handoff["id"], "recall")
    accept_late = post(partner_key, handoff["id"], "accept")

    assert (offer_by_partner.status_code, offer_by_partner.json()) == (403, ROLE_REFUSED)
    assert (recall_by_partner.status_code, recall_by_partner.json()) == (403, ROLE_REFUSED)
    assert recalled.status_code == 200 and recalled.json()["state"] == "recalled"
    assert (accept_late.status_code, accept_late.json()) == (400, {"handoff": ["This handoff is recalled."]})


def test_staff_and_the_vendors_keys_do_not_answer_for_the_partner(
    tenant, staff_key, manager_user, lead, partner
):
    handoff = offered(staff_key, lead, partner)
    by_key = post(staff_key, handoff["id"], "accept")
    by_manager = post(session(manager_user), handoff["id"], "accept")
    assert (by_key.status_code, by_key.json()) == (
        400,
        {"detail": "Only the partner's own users answer a handoff."},
    )
    assert (by_manager.status_code, by_manager.json()) == (403, ROLE_REFUSED)
    assert Handoff.unscoped.get(id=handoff["id"]).state == "offered"


def test_the_list_filters_by_state_partner_and_lead_and_sorts(tenant, staff_key, partner, other_partner):
    mine = HandoffFactory(tenant=tenant, partner=partner)
    accepted = HandoffFactory(tenant=tenant, partner=partner, state="accepted")
    theirs = HandoffFactory(tenant=tenant, partner=other_partner)

    def ids(query: str) -> list[int]:
        response = staff_key.get(f"{HANDOFFS}?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("state=accepted") == [accepted.id]
    assert set(ids(f"partner={partner.id}")) == {mine.id, accepted.id}
    assert ids(f"lead={theirs.lead_id}") == [theirs.id]
    assert ids("sort=offered") == [mine.id, accepted.id, theirs.id]
    assert staff_key.get(f"{HANDOFFS}?state=lost").status_code == 400


def test_a_partner_key_lists_its_own_and_filters_tell_nothing_of_other_partners(
    tenant, partner_key, partner, other_partner
):
    mine = HandoffFactory(tenant=tenant, partner=partner)
    theirs = HandoffFactory(tenant=tenant, partner=other_partner)

    listed = partner_key.get(HANDOFFS).json()
    by_other_partner = partner_key.get(f"{HANDOFFS}?partner={other_partner.id}")
    by_unknown_partner = partner_key.get(f"{HANDOFFS}?partner=999999999")
    by_their_lead = partner_key.get(f"{HANDOFFS}?lead={theirs.lead_id}")
    by_unknown_lead = partner_key.get(f"{HANDOFFS}?lead=999999999")

    assert [row["id"] for row in listed["results"]] == [mine.id]
    assert listed["results"][0]["person"]["email"] == ""
    assert mine.lead.email not in str(listed)
    assert (by_other_partner.status_code, by_other_partner.json()) == (
        by_unknown_partner.status_code,
        by_unknown_partner.json(),
    )
    assert (by_their_lead.status_code, by_their_lead.json()) == (
        by_unknown_lead.status_code,
        by_unknown_lead.json(),
    )


def test_a_partner_session_and_a_partner_key_see_the_same_handoffs(tenant, partner, partner_key):
    handoff = HandoffFactory(tenant=tenant, partner=partner)
    user = make_member(tenant, Role.PARTNER_USER, partner=partner)
    by_session, by_key = session(user).get(HANDOFFS), partner_key.get(HANDOFFS)
    assert (by_session.status_code, by_key.status_code) == (200, 200)
    assert [row["id"] for row in by_key.json()["results"]] == [handoff.id]
    assert by_session.json() == by_key.json()


def test_bad_input_is_a_400_on_the_field(staff_key, partner, lead):
    response = staff_key.post(HANDOFFS, {"lead": "twelve", "partner": 999999999}, content_type=JSON)
    assert response.status_code == 400
    assert set(response.json()) == {"lead", "partner"}
