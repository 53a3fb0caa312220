"""Lead scoring and readiness: leads are scored on every arrival by their program's pinned rules (or
the catalog's defaults), in the transaction of the touch; readiness moves the stage (nurture → MQL)
and decides what a handoff may offer; `leads_rescore` scores many leads in a fixed number of
queries; the demo ends with both ready and nurturing leads."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from leads.models import Lead, LeadSource, LeadStage, Touch, TouchKind
from leads.services import handoff_offer, lead_intake, lead_stage_change, leads_rescore
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from plays import catalog
from tests.api_cases import bearer
from tests.conftest import login, make_member
from tests.factories import (
    ApiKeyFactory,
    PartnerFactory,
    PlanAccountFactory,
    ProgramFactory,
    TargetAccountFactory,
)
from tests.leads.test_views import T, csv_rows

pytestmark = pytest.mark.django_db

QUALIFICATION = catalog.PLAYS["acceleration"]["components"]["qualification_logic"]


@pytest.fixture
def marketer(tenant):
    return make_member(tenant, Role.FIELD_MARKETING, email="fm@northwind.example")


@pytest.fixture
def account(tenant):
    return TargetAccountFactory(tenant=tenant, name="Mercy General", domain="mercygeneral.example")


@pytest.fixture
def program(tenant, account):
    """A program launched with the catalog's qualification component (rules pinned), Mercy General
    being one of its plan's named accounts."""
    program = ProgramFactory(
        tenant=tenant, tracking_code="2026Q4-ACC-NE-42", components={"qualification_logic": QUALIFICATION}
    )
    PlanAccountFactory(tenant=tenant, plan=program.plan, account=account)
    return program


def arrive(tenant, actor, kind, email="dana@mercygeneral.example", title="Director of IT", **data):
    with tenant_context(tenant):
        intake = lead_intake(
            tenant=tenant,
            actor=actor,
            data={"email": email, "title": title, "touch_kind": kind, **data},
            source=LeadSource.EVENT,
        )
    return Lead.unscoped.get(id=intake.lead.id)


def criteria(lead) -> dict[str, bool]:
    return {reason["rule"]: reason["met"] for reason in lead.score_reasons if "met" in reason}


def test_a_lead_with_a_registration_only_is_not_ready_and_stays_in_nurture(tenant, marketer, program):
    lead = arrive(tenant, marketer, TouchKind.EVENT_REGISTERED, tracking_code=program.tracking_code)

    assert (lead.score, lead.ready, lead.ready_at, lead.stage) == (0, False, None, LeadStage.NURTURE)
    assert criteria(lead) == {
        "score": False,
        "actions": False,
        "required_actions": False,
        "title": True,
        "account": True,
    }
    assert "Score 0, 60 needed." in [reason["why"] for reason in lead.score_reasons]
    moved = AuditEvent.unscoped.get(tenant=tenant, action="lead.stage_changed", target_id=str(lead.id))
    assert (moved.before["status"], moved.after["status"], moved.actor_label) == (
        "new",
        "nurture",
        marketer.email,
    )


def test_attending_and_a_meeting_on_a_plan_account_with_a_director_title_make_it_ready_with_reasons(
    tenant, marketer, program
):
    arrive(tenant, marketer, TouchKind.EVENT_ATTENDED, tracking_code=program.tracking_code)
    lead = arrive(tenant, marketer, TouchKind.MEETING)

    assert (lead.score, lead.action_score, lead.ready, lead.stage) == (60, 60, True, LeadStage.MQL)
    assert lead.ready_at is not None
    assert set(criteria(lead).values()) == {True}
    whys = [reason["why"] for reason in lead.score_reasons]
    assert whys == [
        "The rules program 2026Q4-ACC-NE-42 pinned at launch (Master r1).",
        "Attended an event: 1 at 20 each.",
        "Meeting: 1 at 40 each.",
        "Score 60, 60 needed.",
        "60 from actions, 30 needed.",
        "Did: attended an event.",
        "Title “Director of IT” matches “director”.",
        "The company is on the program's plan.",
    ]
    trail = AuditEvent.unscoped.filter(tenant=tenant, target_id=str(lead.id)).order_by("id")
    assert [(event.action, event.after.get("status"), event.after.get("ready")) for event in trail][-2:] == [
        ("lead.readiness_changed", None, True),
        ("lead.stage_changed", "mql", True),
    ]


def test_page_views_do_not_make_a_lead_ready_and_their_points_are_capped(tenant, marketer, program):
    arrive(tenant, marketer, TouchKind.EVENT_ATTENDED, tracking_code=program.tracking_code)
    for day in range(1, 5):
        lead = arrive(tenant, marketer, TouchKind.LANDING_PAGE_VISIT, occurred_at=f"2026-11-0{day}T10:00Z")

    assert (lead.score, lead.action_score, lead.ready) == (30, 20, False)
    assert "Visited a landing page: 4 at 5 each (at most 10)." in [r["why"] for r in lead.score_reasons]


def test_a_lead_off_the_plan_or_without_the_title_is_not_ready_and_says_what_is_missing(
    tenant, marketer, program
):
    TargetAccountFactory(tenant=tenant, name="Harbor Pediatrics", domain="harborpeds.example")
    for kind in (TouchKind.EVENT_ATTENDED, TouchKind.MEETING):
        off_plan = arrive(
            tenant, marketer, kind, email="luis@harborpeds.example", tracking_code=program.tracking_code
        )
        junior = arrive(tenant, marketer, kind, email="priya@mercygeneral.example", title="IT Manager")

    assert (off_plan.score, off_plan.ready, off_plan.stage) == (60, False, LeadStage.NURTURE)
    assert criteria(off_plan)["account"] is False
    assert (junior.ready, criteria(junior)["title"]) == (False, False)
    assert "Title “IT Manager” has none of: director, vp" in " ".join(r["why"] for r in junior.score_reasons)


def test_a_program_scores_by_the_rules_it_pinned_and_one_without_rules_by_the_catalogs(
    tenant, marketer, account
):
    lenient = ProgramFactory(
        tenant=tenant,
        tracking_code="LENIENT",
        components={
            "qualification_logic": "Anyone who registers.\nRules:\nscore at least: 5\n"
            "points: event_registered 5"
        },
    )
    older = ProgramFactory(
        tenant=tenant, tracking_code="OLDER", components={"qualification_logic": "Prose only."}
    )

    registered = TouchKind.EVENT_REGISTERED
    keen = arrive(tenant, marketer, registered, email="a@mercygeneral.example", tracking_code="LENIENT")
    plain = arrive(tenant, marketer, registered, email="b@mercygeneral.example", tracking_code="OLDER")

    assert (keen.score, keen.ready, keen.stage, keen.program_id) == (5, True, LeadStage.MQL, lenient.id)
    assert (plain.score, plain.ready, plain.stage, plain.program_id) == (
        0,
        False,
        LeadStage.NURTURE,
        older.id,
    )
    assert plain.score_reasons[0]["why"] == "The catalog's default rules (program OLDER pinned none)."


def test_a_lead_with_no_program_is_scored_by_the_catalogs_default_rules_on_any_target_account(
    tenant, marketer, account
):
    arrive(tenant, marketer, TouchKind.EVENT_ATTENDED)
    lead = arrive(tenant, marketer, TouchKind.MEETING)

    assert (lead.program_id, lead.ready, lead.stage) == (None, True, LeadStage.MQL)
    assert lead.score_reasons[0]["why"] == "The catalog's default rules (the lead has no program)."
    assert "The company is a target account." in [r["why"] for r in lead.score_reasons]


def test_the_next_touch_is_rescored_in_its_own_transaction(tenant, marketer, program):
    arrive(tenant, marketer, TouchKind.EVENT_ATTENDED, tracking_code=program.tracking_code)

    with pytest.raises(RuntimeError), transaction.atomic():
        inside = arrive(tenant, marketer, TouchKind.MEETING)
        assert (inside.score, inside.ready, inside.stage) == (
            60,
            True,
            LeadStage.MQL,
        )  # already, before commit
        raise RuntimeError("the arrival's transaction fails after the touch")

    lead = Lead.unscoped.get(id=inside.id)
    assert (lead.score, lead.ready, lead.stage) == (
        20,
        False,
        LeadStage.NURTURE,
    )  # touch and score rolled back
    assert Touch.unscoped.filter(lead=lead).count() == 1


def test_staff_stages_are_kept_and_a_ready_lead_moved_further_stays_there(
    tenant, marketer, manager_user, program
):
    lead = arrive(tenant, marketer, TouchKind.EVENT_ATTENDED, tracking_code=program.tracking_code)
    with tenant_context(tenant):
        lead_stage_change(tenant=tenant, actor=manager_user, lead_id=lead.id, stage=LeadStage.SQL)
    lead = arrive(tenant, marketer, TouchKind.MEETING)

    assert (lead.ready, lead.stage) == (True, LeadStage.SQL)


def test_leads_rescore_scores_a_thousand_leads_in_as_many_queries_as_ten(tenant, program, account):
    def leads_with_touches(count, prefix):
        with tenant_context(tenant):
            leads = Lead.objects.bulk_create(
                Lead(
                    tenant=tenant,
                    email=f"{prefix}{n}@mercygeneral.example",
                    title="VP Clinical Systems" if n % 2 else "Nurse",
                    account=account,
                    program=program,
                )
                for n in range(count)
            )
            Touch.objects.bulk_create(
                Touch(tenant=tenant, lead=lead, kind=kind, source=LeadSource.EVENT)
                for lead in leads
                for kind in (TouchKind.EVENT_ATTENDED, TouchKind.MEETING)
            )
        return [lead.id for lead in leads]

    def queries(ids):
        with tenant_context(tenant), CaptureQueriesContext(connection) as captured:
            leads_rescore(tenant=tenant, lead_ids=ids)
        return len(captured)

    few, many = leads_with_touches(10, "few"), leads_with_touches(1000, "many")
    ContentType.objects.get_for_model(Lead)  # the audit's content type, cached once per process
    assert queries(few) == queries(many)

    scored = Lead.unscoped.filter(id__in=many)
    assert scored.filter(ready=True, stage=LeadStage.MQL, score=60).count() == 500
    assert scored.filter(ready=False, stage=LeadStage.NURTURE, score=60).count() == 500
    assert AuditEvent.unscoped.filter(tenant=tenant, action="lead.stage_changed").count() == 1010


# --- Handoffs take ready leads ------------------------------------------------------------------


def offer(tenant, actor, lead, partner):
    with tenant_context(tenant):
        return handoff_offer(tenant=tenant, actor=actor, lead_id=lead.id, partner_id=partner.id)


def test_an_offer_refuses_a_lead_that_is_not_ready_naming_the_unmet_criteria(
    tenant, marketer, manager_user, program
):
    lead = arrive(tenant, marketer, TouchKind.EVENT_ATTENDED, tracking_code=program.tracking_code)
    with tenant_context(tenant):
        lead_stage_change(tenant=tenant, actor=manager_user, lead_id=lead.id, stage=LeadStage.MQL)
    lead.refresh_from_db()

    with pytest.raises(ServiceError) as refused:
        offer(tenant, manager_user, lead, PartnerFactory(tenant=tenant))

    assert refused.value.message == (
        "The lead is not ready for a handoff: Score 20, 60 needed. 20 from actions, 30 needed."
    )


def test_a_nurture_lead_goes_only_to_a_partner_with_its_own_marketing_automation(
    tenant, marketer, manager_user, program
):
    lead = arrive(tenant, marketer, TouchKind.EVENT_REGISTERED, tracking_code=program.tracking_code)
    without = PartnerFactory(tenant=tenant, name="Contoso", has_marketing_automation=False)
    nurturer = PartnerFactory(tenant=tenant, name="Fabrikam", has_marketing_automation=True)

    with pytest.raises(ServiceError) as refused:
        offer(tenant, manager_user, lead, without)
    handoff = offer(tenant, manager_user, lead, nurturer)

    assert refused.value.message.startswith(
        "Contoso has no marketing automation of its own: a lead in nurture stays in the vendor's nurture. "
        "Not ready: Score 0, 60 needed."
    )
    assert (handoff.partner_id, handoff.state, lead.stage) == (nurturer.id, "offered", LeadStage.NURTURE)


def test_a_ready_lead_is_offered(tenant, marketer, manager_user, program):
    arrive(tenant, marketer, TouchKind.EVENT_ATTENDED, tracking_code=program.tracking_code)
    lead = arrive(tenant, marketer, TouchKind.MEETING)

    assert offer(tenant, manager_user, lead, PartnerFactory(tenant=tenant)).state == "offered"


# --- The demo -----------------------------------------------------------------------------------


def test_the_demo_leads_end_with_both_ready_and_nurturing_leads():
    call_command("seed_demo", quiet=True)

    leads = {lead.email: lead for lead in Lead.unscoped.filter(tenant__slug="northwind")}
    ready = sorted(email for email, lead in leads.items() if lead.ready)
    assert ready == ["amara@mercygeneral.example", "dana.whitfield@mercygeneral.example"]
    assert {leads[email].stage for email in ready} == {LeadStage.MQL}
    assert {lead.stage for email, lead in leads.items() if email not in ready} == {LeadStage.NURTURE}
    assert all(lead.scored_at for lead in leads.values())


# --- Shown in the portal and the API ------------------------------------------------------------


@pytest.fixture
def ready_and_nurturing(tenant, marketer, program):
    arrive(tenant, marketer, TouchKind.EVENT_ATTENDED, tracking_code=program.tracking_code)
    ready = arrive(tenant, marketer, TouchKind.MEETING)
    nurturing = arrive(tenant, marketer, TouchKind.ASSET_DOWNLOADED, email="sam@gmail.com", title="Student")
    return ready, nurturing


def test_the_lead_list_shows_filters_and_sorts_by_score_and_readiness(
    tenant, manager_user, ready_and_nurturing
):
    client = login(manager_user)

    ready_only = client.get(f"{T}/leads/?ready=true").content.decode()
    at_least = client.get(f"{T}/leads/?min_score=15").content.decode()
    by_score = client.get(f"{T}/leads/?sort=-score").content.decode()
    rows = csv_rows(client.get(f"{T}/leads/?sort=score&export=csv"))

    assert "dana@mercygeneral.example" in ready_only and "sam@gmail.com" not in ready_only
    assert "dana@mercygeneral.example" in at_least and "sam@gmail.com" not in at_least
    assert by_score.index("dana@mercygeneral.example") < by_score.index("sam@gmail.com")
    header = rows[0]
    assert [[row[header.index(name)] for name in ("Email", "Score", "Ready")] for row in rows[1:]] == [
        ["sam@gmail.com", "10", "no"],
        ["dana@mercygeneral.example", "60", "yes"],
    ]


def test_the_lead_page_says_why_it_is_ready_or_what_is_missing(tenant, manager_user, ready_and_nurturing):
    ready, nurturing = ready_and_nurturing
    client = login(manager_user)

    ready_page = client.get(f"{T}/leads/{ready.id}/").content.decode()
    nurture_page = client.get(f"{T}/leads/{nurturing.id}/").content.decode()

    assert "Why it is ready" in ready_page and "Meeting: 1 at 40 each." in ready_page
    assert "Title “Director of IT” matches “director”." in ready_page
    assert "What is missing" in nurture_page
    assert "The company is not a target account." in nurture_page
    assert "None of the required actions: attended an event, meeting." in nurture_page


def test_the_api_exposes_the_score_and_its_reasons_and_filters_by_them(tenant, ready_and_nurturing):
    api = bearer(ApiKeyFactory(tenant=tenant, scopes=["read"]))

    listed = api.get("/api/v1/leads/?ready=true&min_score=60").json()["results"]
    none = api.get("/api/v1/leads/?min_score=61").json()["results"]
    bad = api.get("/api/v1/leads/?min_score=lots")

    assert [lead["email"] for lead in listed] == ["dana@mercygeneral.example"]
    assert (listed[0]["score"], listed[0]["action_score"], listed[0]["ready"]) == (60, 60, True)
    assert listed[0]["ready_at"] is not None
    assert {"rule": "points:meeting", "points": 40, "why": "Meeting: 1 at 40 each."} in listed[0][
        "score_reasons"
    ]
    assert {"rule": "account", "met": True, "why": "The company is on the program's plan."} in listed[0][
        "score_reasons"
    ]
    assert none == []
    assert (bad.status_code, list(bad.json())) == (400, ["min_score"])
