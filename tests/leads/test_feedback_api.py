"""Status mappings and handoff feedback through the API: the generic resource cases (who reads,
who writes, audits, 400s on the field, constant list queries), plus what a partner's report does."""

import pytest

from leads.api.routing import VENDOR_KEY_REFUSED
from leads.models import Handoff, HandoffFeedback, StatusMapping
from partnerhub.tenancy.roles import ACCOUNT_EDITORS, PARTNER_ROLES, Role
from tests.api_cases import (
    CREATE,
    CRUD,
    DETAIL,
    EVERYONE,
    LIST,
    REPLACE,
    STAFF,
    WRITE_KEY,
    APIResourceCases,
    audits_of,
    session,
)
from tests.conftest import make_member
from tests.factories import HandoffFactory, HandoffFeedbackFactory, StatusMappingFactory

FEEDBACK = "/api/v1/handoff-feedback/"


class TestStatusMappingAPI(APIResourceCases):
    url = "/api/v1/status-mappings/"
    model = StatusMapping
    operations = CRUD | {REPLACE}
    readers = STAFF
    writers = ACCOUNT_EDITORS | {WRITE_KEY}
    audits = audits_of("status_mapping")
    list_queries = 6
    invalid = {"status": "maybe", "partner_status": "x" * 101}

    def create_payload(self, tenant, partner):
        return {"partner_status": "Call booked", "status": "meeting_booked"}

    def update_payload(self, tenant, partner):
        return {"status": "contacted"}

    def replace_payload(self, tenant, partner):
        return {"partner_status": "Rang them", "status": "contacted"}


class TestHandoffFeedbackAPI(APIResourceCases):
    url = FEEDBACK
    model = HandoffFeedback
    operations = {LIST, DETAIL, CREATE}
    readers = EVERYONE
    writers = PARTNER_ROLES
    actor = Role.PARTNER_USER
    audits = {CREATE: "handoff.feedback"}
    refusals = {WRITE_KEY: VENDOR_KEY_REFUSED}
    list_queries = 6
    invalid = {"words": "", "handoff": 0}

    def create_payload(self, tenant, partner):
        handoff = HandoffFeedbackFactory.for_partner(tenant=tenant, partner=partner).handoff
        return {"handoff": handoff.id, "words": "Called them", "note": "Left a message"}

    def expected(self, operation, payload, partner):
        return {**payload, "partner": partner.id, "status": None}


@pytest.mark.django_db
def test_a_partner_reports_on_its_accepted_handoff_and_lists_that_handoffs_reports(
    tenant, partner, partner_user
):
    StatusMappingFactory(
        tenant=tenant, partner_status="Qualified", partner_status_key="qualified", status="qualified"
    )
    handoff = HandoffFactory(tenant=tenant, partner=partner, state=Handoff.State.ACCEPTED, accepted_at=None)
    HandoffFeedbackFactory(tenant=tenant)  # another handoff's report
    client = session(partner_user)

    refused = client.post(FEEDBACK, {"handoff": handoff.id, "words": "  "}, content_type="application/json")
    answer = client.post(
        FEEDBACK, {"handoff": handoff.id, "words": "QUALIFIED"}, content_type="application/json"
    )
    listed = client.get(FEEDBACK, {"handoff": handoff.id})

    assert refused.status_code == 400
    assert set(refused.json()) == {"words"}
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["status"], answer.json()["words"]) == ("qualified", "QUALIFIED")
    assert [row["id"] for row in listed.json()["results"]] == [answer.json()["id"]]
    assert Handoff.unscoped.get(id=handoff.id).qualification == "qualified"


@pytest.mark.django_db
def test_reporting_on_a_handoff_not_accepted_is_a_400_naming_it(tenant, partner, partner_user):
    offered = HandoffFactory(tenant=tenant, partner=partner)

    answer = session(partner_user).post(
        FEEDBACK, {"handoff": offered.id, "words": "Called"}, content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.json() == {"handoff": ["This handoff is offered."]}


@pytest.mark.django_db
def test_another_partners_handoff_is_not_a_valid_choice(tenant, partner, other_partner):
    theirs = HandoffFactory(tenant=tenant, partner=other_partner, state=Handoff.State.ACCEPTED)
    user = make_member(tenant, Role.PARTNER_ADMIN, partner=partner)

    answer = session(user).post(
        FEEDBACK, {"handoff": theirs.id, "words": "Called"}, content_type="application/json"
    )

    assert answer.status_code == 400
    assert set(answer.json()) == {"handoff"}
    assert str(theirs) not in answer.content.decode()
    assert not HandoffFeedback.unscoped.exists()
