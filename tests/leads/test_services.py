"""Lead intake and stages through the services: one lead per email (a second arrival merges as a
touch, audited), account and program matching, the race of two arrivals, the lifecycle's moves."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from leads.models import Lead, LeadSource, LeadStage, Touch, TouchKind
from leads.services import lead_intake, lead_stage_change
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import LeadFactory, ProgramFactory, TargetAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(tenant):
    return make_member(tenant, Role.FIELD_MARKETING, email="fm@northwind.example")


def arrive(tenant, actor, source=LeadSource.API, **data):
    with tenant_context(tenant):
        return lead_intake(tenant=tenant, actor=actor, data=data, source=source)


def events(tenant, action):
    return list(AuditEvent.unscoped.filter(tenant=tenant, action=action).order_by("id"))


# --- One lead per email -------------------------------------------------------------------------


def test_a_second_arrival_of_the_same_email_in_any_case_merges_as_a_touch(tenant, marketer):
    first = arrive(
        tenant,
        marketer,
        email="Dana.Lee@Acme.com",
        first_name="Dana",
        title="",
        touch_kind="asset_downloaded",
    )
    second = arrive(
        tenant,
        marketer,
        source=LeadSource.EVENT,
        email="  DANA.LEE@acme.COM ",
        first_name="Danielle",
        last_name="Lee",
        title="CIO",
        touch_kind="event_attended",
    )

    assert first.created and not second.created
    assert second.lead.id == first.lead.id
    with tenant_context(tenant):
        assert Lead.objects.count() == 1
        lead = Lead.objects.get()
        touches = list(lead.touches.order_by("id").values_list("kind", "source"))
    assert lead.email == "dana.lee@acme.com"
    # Empty fields are filled; a name already given is kept, and the differing one is recorded.
    assert (lead.first_name, lead.last_name, lead.title) == ("Dana", "Lee", "CIO")
    assert touches == [("asset_downloaded", "api"), ("event_attended", "event")]
    assert second.touch.details["not_applied"] == {"first_name": "Danielle"}
    merged = events(tenant, "lead.merged")
    assert len(merged) == 1
    assert merged[0].actor_label == "fm@northwind.example"
    assert merged[0].before == {"last_name": "", "title": ""}
    assert merged[0].after == {
        "last_name": "Lee",
        "title": "CIO",
        "first_name_not_applied": "Danielle",
        "touch_kind": "event_attended",
    }
    assert len(events(tenant, "lead.created")) == 1


def test_an_arrival_with_a_known_crm_id_merges_into_that_lead(tenant, marketer):
    first = arrive(tenant, marketer, email="sam@initech.example", external_id="00Q5e000001")
    again = arrive(
        tenant, marketer, email="sam.new@initech.example", external_id="00Q5e000001", phone="+1 555"
    )

    assert again.lead.id == first.lead.id
    assert again.lead.phone == "+1 555"
    assert again.lead.email == "sam@initech.example"  # the email is the lead's key: never overwritten
    assert again.not_applied == {"email": "sam.new@initech.example"}


def test_consent_given_later_fills_it_with_when_and_how(tenant, marketer):
    arrive(tenant, marketer, email="kim@acme.com")
    given = datetime.datetime(2026, 11, 3, 9, 30, tzinfo=datetime.UTC)
    merged = arrive(
        tenant, marketer, email="kim@acme.com", consent=True, consent_at=given, consent_method="form"
    )

    assert (merged.lead.consent, merged.lead.consent_at, merged.lead.consent_method) == (True, given, "form")
    assert merged.filled == ["consent", "consent_at", "consent_method"]


def test_the_same_touch_sent_again_is_recorded_once(tenant, marketer):
    when = timezone.now() - datetime.timedelta(days=1)
    arrive(tenant, marketer, email="kim@acme.com", touch_kind="meeting", occurred_at=when)
    again = arrive(tenant, marketer, email="kim@acme.com", touch_kind="meeting", occurred_at=when)

    assert not again.changed
    with tenant_context(tenant):
        assert Touch.objects.count() == 1
    assert events(tenant, "lead.merged") == []


@pytest.mark.django_db(transaction=True)
def test_two_arrivals_of_one_email_at_once_end_as_one_lead_with_two_touches(tenant, marketer):
    inserted, finish, results = threading.Event(), threading.Event(), []

    def first_arrival():
        # This arrival has inserted the lead and not committed yet when the second one comes.
        try:
            with transaction.atomic():
                results.append(
                    arrive(tenant, marketer, source=LeadSource.EVENT, email="pat@acme.com", first_name="Pat")
                )
                inserted.set()
                finish.wait(10)
        finally:
            connection.close()

    def second_arrival():
        try:
            results.append(arrive(tenant, marketer, email="PAT@acme.com", title="CTO", touch_kind="meeting"))
        finally:
            connection.close()

    first = threading.Thread(target=first_arrival)
    first.start()
    assert inserted.wait(10)
    second = threading.Thread(target=second_arrival)
    second.start()
    time.sleep(0.5)  # the second waits on the email's unique index...
    assert second.is_alive()
    finish.set()  # ...until the first commits; then it merges
    first.join(10)
    second.join(10)

    assert [result.created for result in results] == [True, False]
    with tenant_context(tenant):
        lead = Lead.objects.get()
        assert sorted(lead.touches.values_list("kind", flat=True)) == ["event_registered", "meeting"]
    assert (lead.first_name, lead.title) == ("Pat", "CTO")


# --- Matching -----------------------------------------------------------------------------------


def test_the_company_is_matched_to_a_target_account_by_the_emails_domain(tenant, marketer):
    acme = TargetAccountFactory(tenant=tenant, name="Acme", domain="acme.com")

    assert arrive(tenant, marketer, email="li@acme.com").lead.account == acme
    assert arrive(tenant, marketer, email="jo@eu.acme.com").lead.account == acme  # a subdomain's
    by_web = arrive(tenant, marketer, email="ana@gmail.com", web_domain="https://www.Acme.com/contact")
    assert (by_web.lead.account, by_web.lead.company_domain) == (acme, "acme.com")


def test_a_free_mail_address_never_matches_an_account(tenant, marketer):
    TargetAccountFactory(tenant=tenant, name="Google", domain="gmail.com")

    lead = arrive(tenant, marketer, email="someone@gmail.com").lead
    assert (lead.account, lead.company_domain) == (None, "")
    assert arrive(tenant, marketer, email="other@acme.com", web_domain="gmail.com").lead.account is None


def test_the_program_is_found_by_tracking_code_or_utm_campaign(tenant, marketer):
    program = ProgramFactory(tenant=tenant, tracking_code="2026Q4-ACC-HC", utm_campaign="hc-webinar")

    by_code = arrive(
        tenant, marketer, email="a@acme.com", tracking_code="2026q4-acc-hc", touch_kind="meeting"
    )
    by_utm = arrive(tenant, marketer, email="b@acme.com", utm_campaign="hc-webinar")
    assert by_code.lead.program == program
    assert by_code.touch.program == program
    assert by_utm.lead.program == program
    assert arrive(tenant, marketer, email="c@acme.com", utm_campaign="unknown").lead.program is None
    with pytest.raises(ServiceError) as refused:
        arrive(tenant, marketer, email="d@acme.com", tracking_code="NOPE")
    assert refused.value.field == "tracking_code"


# --- Stages -------------------------------------------------------------------------------------


def change(tenant, actor, lead, stage, reason=""):
    with tenant_context(tenant):
        return lead_stage_change(tenant=tenant, actor=actor, lead_id=lead.id, stage=stage, reason=reason)


def test_a_lead_moves_along_its_lifecycle_each_move_audited(tenant, marketer):
    lead = LeadFactory(tenant=tenant)
    for stage in ("nurture", "mql", "sql", "opportunity"):
        lead = change(tenant, marketer, lead, stage)

    assert lead.stage == LeadStage.OPPORTUNITY
    trail = [
        (event.before["status"], event.after["status"]) for event in events(tenant, "lead.stage_changed")
    ]
    assert trail == [("new", "nurture"), ("nurture", "mql"), ("mql", "sql"), ("sql", "opportunity")]
    assert {event.actor_label for event in events(tenant, "lead.stage_changed")} == {"fm@northwind.example"}


def test_disqualifying_needs_a_reason_and_requalifying_clears_it(tenant, marketer):
    lead = LeadFactory(tenant=tenant)
    with pytest.raises(ServiceError) as refused:
        change(tenant, marketer, lead, "disqualified", reason="  ")
    assert refused.value.field == "reason"

    lead = change(tenant, marketer, lead, "disqualified", reason="Student, no budget")
    assert (lead.stage, lead.disqualified_reason) == ("disqualified", "Student, no budget")
    assert events(tenant, "lead.stage_changed")[-1].after == {
        "status": "disqualified",
        "disqualified_reason": "Student, no budget",
    }
    lead = change(tenant, marketer, lead, "nurture")
    assert (lead.stage, lead.disqualified_reason) == ("nurture", "")


def test_a_move_the_lifecycle_does_not_allow_is_refused_and_changes_nothing(tenant, marketer):
    lead = LeadFactory(tenant=tenant)
    with pytest.raises(ServiceError) as refused:
        change(tenant, marketer, lead, "opportunity")
    assert "cannot move to Opportunity" in refused.value.message
    with pytest.raises(ServiceError):
        change(tenant, marketer, lead, "new")
    with tenant_context(tenant):
        assert Lead.objects.get().stage == "new"
    assert events(tenant, "lead.stage_changed") == []


def test_a_default_touch_comes_with_the_door(tenant, marketer):
    landing = arrive(tenant, marketer, source=LeadSource.LANDING_PAGE, email="v@acme.com")
    assert landing.touch.kind == TouchKind.LANDING_PAGE_VISIT
    assert arrive(tenant, marketer, email="w@acme.com").touch is None  # the API names its touch
