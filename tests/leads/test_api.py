"""Leads in the API: the generic resource cases (list, detail, intake; who may), the merge of a known
email, field messages of 400s, the stage action, a lead's touches, the bulk intake's per-row report
and its Idempotency-Key, and another tenant's lead answered 404."""

import json

import pytest
from django.test import Client

from leads.models import Lead, Touch
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import ACCOUNT_EDITORS, Role
from tests.api_cases import CREATE, DETAIL, LIST, STAFF, WRITE_KEY, APIResourceCases, bearer, session
from tests.conftest import make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import ApiKeyFactory, LeadFactory, ProgramFactory, TargetAccountFactory, TouchFactory
from tests.test_query_counts import queries_for

LEADS = "/api/v1/leads/"
BULK = "/api/v1/bulk/leads/"
JSON = "application/json"


class TestLeadAPI(APIResourceCases):
    url = LEADS
    model = Lead
    operations = {LIST, DETAIL, CREATE}
    readers = STAFF
    writers = ACCOUNT_EDITORS | {WRITE_KEY}  # the roles that change accounts take leads in
    list_queries = 5
    audits = {CREATE: "lead.created"}
    invalid = {"email": "not an email", "touch_kind": "webinar", "consent": "perhaps"}

    def create_payload(self, tenant, partner):
        return {"email": "Dana.Lee@Acme.com", "first_name": "Dana", "title": "CIO", "touch_kind": "meeting"}

    def expected(self, operation, payload, partner):
        return {
            "email": "dana.lee@acme.com",
            "first_name": "Dana",
            "title": "CIO",
            "stage": "nurture",  # scored on arrival: a meeting, but no target account
            "source": "api",
            "score": 40,
            "ready": False,
        }

    def shown(self, row):
        return {"email": row.email, "stage": row.stage}


@pytest.fixture
def api(tenant) -> Client:
    return bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))


def post(client: Client, url: str, body, **headers):
    return client.post(url, json.dumps(body), content_type=JSON, **headers)


def touches_of(client: Client, lead_id: int) -> list[str]:
    return [touch["kind"] for touch in client.get(f"{LEADS}{lead_id}/touches/").json()["results"]]


# --- Intake -------------------------------------------------------------------------------------


def test_a_known_email_merges_into_its_lead_as_a_touch(api, tenant):
    account = TargetAccountFactory(tenant=tenant, name="Acme", domain="acme.com")
    first = post(api, LEADS, {"email": "dana@acme.com", "touch_kind": "asset_downloaded"})
    again = post(api, LEADS, {"email": "DANA@ACME.COM", "first_name": "Dana", "touch_kind": "event_attended"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["first_name"] == "Dana"
    assert again.json()["account"] == account.id
    assert touches_of(api, first.json()["id"]) == ["event_attended", "asset_downloaded"]
    assert AuditEvent.unscoped.filter(tenant=tenant, action="lead.merged").count() == 1


def test_refused_input_is_a_400_with_field_messages_and_changes_nothing(api, tenant):
    before = fingerprint()
    cases = [
        ({"email": "kim@acme.com", "web_domain": "not a domain"}, "web_domain"),
        ({"email": "kim@acme.com", "tracking_code": "NO-SUCH-CODE"}, "tracking_code"),
        ({"email": "kim@acme.com", "consent_at": "2026-11-01T10:00:00Z"}, "consent_at"),
        ({"email": "kim@acme.com", "details": {"asset": "x" * 501}}, "details.asset"),
        ({"first_name": "Kim"}, "email"),
    ]
    for body, field in cases:
        response = post(api, LEADS, body)
        assert response.status_code == 400, body
        assert list(response.json()) == [field], response.json()
        messages = response.json()[field]
        assert isinstance(messages, list) and messages and all(isinstance(m, str) and m for m in messages)
    assert changed_tables(before, fingerprint()) == []


def test_a_retried_intake_with_its_idempotency_key_is_answered_again_and_adds_no_touch(api, tenant):
    body = {"email": "li@acme.com", "touch_kind": "meeting"}
    first = post(api, LEADS, body, HTTP_IDEMPOTENCY_KEY="intake-1")
    retry = post(api, LEADS, body, HTTP_IDEMPOTENCY_KEY="intake-1")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    with tenant_context(tenant):
        assert Touch.objects.count() == 1


# --- Stage, touches, filters --------------------------------------------------------------------


def test_the_stage_action_moves_a_lead_and_refuses_moves_the_lifecycle_does_not_allow(api, tenant):
    lead = LeadFactory(tenant=tenant)
    url = f"{LEADS}{lead.id}/stage/"

    skipped = post(api, url, {"stage": "opportunity"})
    assert skipped.status_code == 400
    assert "cannot move to Opportunity" in skipped.json()["stage"][0]
    no_reason = post(api, url, {"stage": "disqualified"})
    assert (no_reason.status_code, list(no_reason.json())) == (400, ["reason"])
    moved = post(api, url, {"stage": "disqualified", "reason": "Competitor"})
    assert moved.status_code == 200
    assert (moved.json()["stage"], moved.json()["disqualified_reason"]) == ("disqualified", "Competitor")


def test_a_leads_touches_are_listed_newest_first_and_only_its_own(api, tenant):
    lead, other = LeadFactory(tenant=tenant), LeadFactory(tenant=tenant)
    program = ProgramFactory(tenant=tenant)
    TouchFactory(tenant=tenant, lead=lead, kind="event_registered", occurred_at="2026-10-01T09:00:00Z")
    TouchFactory(
        tenant=tenant, lead=lead, kind="event_attended", occurred_at="2026-10-08T09:00:00Z", program=program
    )
    TouchFactory(tenant=tenant, lead=other, kind="meeting")

    rows = api.get(f"{LEADS}{lead.id}/touches/").json()["results"]
    assert [(row["kind"], row["program_tracking_code"]) for row in rows] == [
        ("event_attended", program.tracking_code),
        ("event_registered", None),
    ]


def test_the_list_filters_and_sorts(api, tenant):
    program = ProgramFactory(tenant=tenant)
    account = TargetAccountFactory(tenant=tenant)
    mql = LeadFactory(
        tenant=tenant, stage="mql", program=program, last_name="Zed", created_at="2026-10-02T10:00Z"
    )
    sql = LeadFactory(
        tenant=tenant, stage="sql", account=account, last_name="Ames", created_at="2026-10-20T10:00Z"
    )
    event = LeadFactory(tenant=tenant, source="event", last_name="Moe", created_at="2026-11-05T10:00Z")

    def ids(query):
        response = api.get(f"{LEADS}?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("stage=mql") == [mql.id]
    assert ids(f"program={program.id}") == [mql.id]
    assert ids(f"account={account.id}") == [sql.id]
    assert ids("source=event") == [event.id]
    assert ids("created_after=2026-10-10&created_before=2026-10-31") == [sql.id]
    assert ids("sort=name") == [sql.id, event.id, mql.id]
    assert api.get(f"{LEADS}?stage=hot").status_code == 400


# --- Bulk ---------------------------------------------------------------------------------------


def test_bulk_intake_reports_each_row_and_writes_the_good_ones(api, tenant):
    LeadFactory(tenant=tenant, email="known@acme.com", external_id="00Q-1")
    rows = [
        {"email": "new@acme.com", "first_name": "Nia", "touch_kind": "event_attended"},
        {"email": "not an email"},
        {"email": "other@acme.com", "external_id": "00Q-1", "phone": "+1 555 0100"},  # keyed on the CRM id
        {"email": "NEW@acme.com"},
        {"email": "x@acme.com", "tracking_code": "NOPE"},
        {"external_id": "00Q-1", "country": "Norway"},  # the CRM id alone names a known lead
        {"external_id": "00Q-2", "first_name": "Ola"},  # ...but a new lead needs its email
    ]
    response = post(api, BULK, {"rows": rows})

    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 1, 0)
    assert [(entry["row"], entry["column"]) for entry in report["rejected"]] == [
        (2, "email"),
        (4, "email"),
        (5, "tracking_code"),
        (6, "external_id"),
        (7, "email"),
    ]
    assert report["rejected"][3]["reason"] == "Row 3 already has this CRM id."
    with tenant_context(tenant):
        assert sorted(Lead.objects.values_list("email", "phone")) == [
            ("known@acme.com", "+1 555 0100"),
            ("new@acme.com", ""),
        ]


def test_a_bulk_row_with_only_a_known_crm_id_updates_that_lead(api, tenant):
    lead = LeadFactory(tenant=tenant, external_id="00Q-9")
    report = post(api, BULK, {"rows": [{"external_id": "00Q-9", "country": "Norway"}]}).json()

    assert (report["updated"], report["rejected"]) == (1, [])
    lead.refresh_from_db()
    assert lead.country == "Norway"


def test_bulk_rows_sent_again_change_nothing_and_a_retried_key_replays(api, tenant):
    rows = [{"email": "a@acme.com", "touch_kind": "meeting", "occurred_at": "2026-11-02T15:00:00Z"}]
    first = post(api, BULK, {"rows": rows})
    assert first.json()["created"] == 1

    before = fingerprint()
    again = post(api, BULK, {"rows": rows})
    assert (again.json()["unchanged"], again.json()["created"], again.json()["updated"]) == (1, 0, 0)
    assert changed_tables(before, fingerprint()) == []

    keyed = post(api, BULK, {"rows": [{"email": "b@acme.com"}]}, HTTP_IDEMPOTENCY_KEY="sync-7")
    replay = post(api, BULK, {"rows": [{"email": "b@acme.com"}]}, HTTP_IDEMPOTENCY_KEY="sync-7")
    assert keyed.json()["created"] == 1
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == keyed.json()


def test_a_bulk_body_that_is_not_rows_is_a_400(api):
    response = post(api, BULK, {"rows": {"email": "a@acme.com"}})
    assert (response.status_code, list(response.json())) == (400, ["rows"])


# --- Who sees leads -----------------------------------------------------------------------------


def test_partner_users_may_not_list_or_write_leads(tenant, partner):
    # The isolation walker proves a partner gets the 404 of a lead it may not see; the list and
    # the writes, which name no object, answer with the role's refusal.
    client = session(make_member(tenant, Role.PARTNER_ADMIN, partner=partner))
    before = fingerprint()

    assert client.get(LEADS).status_code == 403
    assert post(client, LEADS, {"email": "p@acme.com"}).status_code == 403
    assert post(client, BULK, {"rows": [{"email": "p@acme.com"}]}).status_code == 403
    assert changed_tables(before, fingerprint()) == []


def test_another_tenants_email_arriving_here_is_a_lead_of_its_own(api, other_tenant):
    theirs = LeadFactory(tenant=other_tenant)

    response = post(api, LEADS, {"email": theirs.email})

    assert response.status_code == 201
    assert response.json()["id"] != theirs.id


def test_a_leads_touches_page_runs_as_many_queries_for_many_touches_as_for_one(tenant):
    lead = LeadFactory(tenant=tenant)
    client = bearer(ApiKeyFactory(tenant=tenant, scopes=["read"]))
    TouchFactory(tenant=tenant, lead=lead, program=ProgramFactory(tenant=tenant))
    with_one = queries_for(client, f"{LEADS}{lead.id}/touches/")
    for _ in range(20):
        TouchFactory(tenant=tenant, lead=lead, program=ProgramFactory(tenant=tenant))
    assert queries_for(client, f"{LEADS}{lead.id}/touches/") == with_one
