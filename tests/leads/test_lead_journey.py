"""One lead's whole way, through the real doors and services: a landing-page submission, nurture,
scoring to ready on the next touches, routing with its reason, the handoff, acceptance (contacts
revealed only then), the partner's feedback and the conversion; the same person arriving again
merges as a touch (issue 9, "what it must show" 1)."""

import pytest
from django.test import Client

from leads.models import Handoff, Lead, LeadStage, Touch, TouchKind
from leads.selectors import handoff_lead_for_partner
from leads.services import handoff_accept, handoff_feedback, lead_intake, lead_route
from leads.services.attendance import attendance_record
from leads.services.feedback import status_mapping_create
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent, Membership
from tests.factories import PlanAccountFactory, ProgramFactory, TargetAccountFactory

pytestmark = pytest.mark.django_db

CODE = "2027Q1-ACC-DACH-CONTOSO-1"
ENABLEMENT = "Talk track: start from the blocker, not the product; close on a dated next step."


def submit(**changes):
    form = {
        "first_name": "Dana",
        "last_name": "Reyes",
        "email": "dana.reyes@mercy.example",
        "title": "Director of Finance",
        "company_name": "Mercy General",
        "consent": "on",
        "website": "",
        "utm_source": "partner",
        "utm_medium": "email",
        "utm_campaign": CODE.lower(),
        "utm_content": "hero",
        **changes,
    }
    response = Client().post(f"/l/northwind/{CODE}/", form)
    assert response.status_code == 302, response.content[:300]


def test_a_landing_page_lead_goes_from_nurture_to_ready_to_a_partner_to_an_opportunity(
    tenant, partner, manager_user, partner_user
):
    account = TargetAccountFactory(tenant=tenant, name="Mercy General", domain="mercy.example")
    program = ProgramFactory(
        tenant=tenant,
        partner=partner,
        tracking_code=CODE,
        components={"landing_page": "A private briefing.", "sales_enablement": ENABLEMENT},
    )
    PlanAccountFactory(tenant=tenant, plan=program.plan, account=account)

    # 1. The public landing page: a visit is not enough, so the lead waits in the vendor's nurture.
    submit()
    with tenant_context(tenant):
        lead = Lead.objects.get()
        assert (lead.source, lead.program, lead.account) == ("landing_page", program, account)
        assert (lead.stage, lead.ready) == (LeadStage.NURTURE, False)
        with pytest.raises(Exception, match="not ready"):
            lead_route(tenant=tenant, actor=manager_user, lead_id=lead.id)

        # 2. Scored on each touch: the event door records the attendance, the API a meeting request.
        attendance_record(
            tenant=tenant,
            actor=manager_user,
            program_id=program.id,
            data={"email": lead.email, "status": "attended"},
        )
        lead.refresh_from_db()
        assert lead.ready is False  # attended alone: 20 of the 60 points
        lead_intake(
            tenant=tenant,
            actor=manager_user,
            data={
                "email": "Dana.Reyes@mercy.example",
                "touch_kind": TouchKind.MEETING,
                "tracking_code": CODE,
            },
            source="api",
        )
        lead.refresh_from_db()
        assert (lead.ready, lead.stage, lead.score) == (True, LeadStage.MQL, 65)
        assert lead.ready_at is not None and lead.score_reasons  # why it is ready, rule by rule

        # 3. Routing: the program's partner, and the decision says so.
        decision = lead_route(tenant=tenant, actor=manager_user, lead_id=lead.id)
        assert decision.rule == "program_partner" and partner.name in decision.reason
        handoff = Handoff.objects.get(lead=lead)
        assert decision.handoff_id == handoff.id and handoff.partner_id == partner.id

        # 4. Before acceptance the partner sees the role, company and engagement, not the contacts.
        membership = Membership.objects.get(user=partner_user)
        before = handoff_lead_for_partner(tenant=tenant, handoff=handoff, membership=membership)
        assert (before.title, before.company_name, before.email, before.phone) == (
            "Director of Finance",
            "Mercy General",
            "",
            "",
        )
        assert {kind for kind, _ in before.touches} >= {"Attended an event", "Meeting"}
        handoff = handoff_accept(tenant=tenant, actor=partner_user, handoff_id=handoff.id)
        after = handoff_lead_for_partner(tenant=tenant, handoff=handoff, membership=membership)
        assert after.email == "dana.reyes@mercy.example"

        # 5. Feedback in the partner's words, mapped by the tenant: the lead converts.
        status_mapping_create(
            tenant=tenant, actor=manager_user, partner_status="Opp created", status="opportunity_created"
        )
        feedback = handoff_feedback(
            tenant=tenant, actor=partner_user, handoff_id=handoff.id, words="opp CREATED"
        )
        assert feedback.status == "opportunity_created"
        handoff.refresh_from_db()
        lead.refresh_from_db()
        assert lead.stage == LeadStage.OPPORTUNITY
        assert handoff.first_contact_at is not None and handoff.qualification == "qualified"
        touches = Touch.objects.filter(lead=lead).count()

    # 6. The same person on the landing page again: one lead, one touch more.
    submit(first_name="D.", title="CFO")
    with tenant_context(tenant):
        assert Lead.objects.count() == 1
        assert Touch.objects.filter(lead=lead).count() == touches + 1
        lead.refresh_from_db()
        assert lead.title == "Director of Finance"  # a merge never overwrites
        actions = set(AuditEvent.objects.filter(target_id=str(lead.id)).values_list("action", flat=True))
    assert {"lead.created", "lead.merged", "lead.stage_changed", "lead.routed"} <= actions
