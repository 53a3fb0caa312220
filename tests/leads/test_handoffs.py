"""Handoffs: deadlines stored in business time, which event stops each clock, who may do what,
and a partner's view of the lead (contacts only after acceptance)."""

import datetime
import zoneinfo

import pytest

from leads.models import Handoff, LeadStage
from leads.selectors import handoff_lead_for_partner
from leads.services import (
    handoff_accept,
    handoff_ladder_sweep,
    handoff_offer,
    handoff_recall,
    handoff_record_contact,
    handoff_record_qualification,
    handoff_reject,
)
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Membership
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import (
    BusinessCalendarFactory,
    HolidayFactory,
    LeadFactory,
    PartnerFactory,
    ReadyLeadFactory,
    SlaPolicyFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Friday 15 January 2027, 15:00 in Berlin: two working hours left in the week.
FRIDAY_AFTERNOON = datetime.datetime(2027, 1, 15, 15, 0, tzinfo=BERLIN)
MONDAY_MORNING = datetime.datetime(2027, 1, 18, 10, 0, tzinfo=BERLIN)


def berlin(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2027, 1, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def calendar(tenant, partner):
    """The partner's own calendar: Mon-Fri 09:00-17:00 in Berlin."""
    return BusinessCalendarFactory(
        tenant=tenant, partner=partner, name="Contoso Berlin", timezone="Europe/Berlin"
    )


@pytest.fixture
def lead(tenant):
    return ReadyLeadFactory(tenant=tenant, email="kim@acme.example", phone="+49 30 1234", title="CIO")


def offer(tenant, actor, lead, partner, now=FRIDAY_AFTERNOON) -> Handoff:
    with tenant_context(tenant):
        return handoff_offer(tenant=tenant, actor=actor, lead_id=lead.id, partner_id=partner.id, now=now)


def accept(tenant, actor, handoff, now=MONDAY_MORNING) -> Handoff:
    with tenant_context(tenant):
        return handoff_accept(tenant=tenant, actor=actor, handoff_id=handoff.id, now=now)


def refusal(call, *args, **kwargs) -> str:
    with pytest.raises(ServiceError) as refused:
        call(*args, **kwargs)
    return refused.value.message


# --- Deadlines in business time -----------------------------------------------------------------


def test_a_friday_afternoon_offer_counts_only_working_hours_over_the_weekend(
    tenant, manager_user, partner, calendar, lead
):
    handoff = offer(tenant, manager_user, lead, partner)

    # 24 business hours: Friday 2 h, Monday 8, Tuesday 8, Wednesday 6.
    assert handoff.accept_due_at == berlin(20, 15)
    assert handoff.accept_warn_at == berlin(19, 17)  # 75 %: 18 h, Tuesday at closing time
    assert handoff.accept_recall_at == berlin(25, 15)  # 24 business hours of grace
    assert handoff.next_due_at == handoff.accept_warn_at
    assert handoff.calendar_id == calendar.id
    assert handoff.contact_due_at is None  # the contact clock starts on acceptance


def test_with_an_eight_hour_policy_a_friday_afternoon_offer_is_due_on_monday(
    tenant, manager_user, partner, calendar, lead
):
    SlaPolicyFactory(tenant=tenant, partner=None, accept_hours=8, warn_percent=50, grace_hours=4)

    handoff = offer(tenant, manager_user, lead, partner)

    assert (handoff.accept_warn_at, handoff.accept_due_at, handoff.accept_recall_at) == (
        berlin(18, 11),
        berlin(18, 15),
        berlin(19, 11),
    )


def test_a_tiers_policy_wins_over_the_tenant_default(tenant, manager_user, partner, calendar, lead):
    SlaPolicyFactory(tenant=tenant, partner=None, accept_hours=8)
    SlaPolicyFactory(tenant=tenant, tier=partner.tier, accept_hours=2)

    handoff = offer(tenant, manager_user, lead, partner)

    assert handoff.accept_due_at == berlin(15, 17)


def test_acceptance_starts_contact_and_qualify_clocks_across_a_holiday(
    tenant, manager_user, partner, partner_user, calendar, lead
):
    HolidayFactory(tenant=tenant, calendar=calendar, date=datetime.date(2027, 1, 20), name="Company day")
    handoff = offer(tenant, manager_user, lead, partner)

    handoff = accept(tenant, partner_user, handoff)

    # 24 business hours from Monday 10:00, Wednesday off: Mon 7, Tue 8, Thu 8, Fri 1.
    assert handoff.contact_due_at == berlin(22, 10)
    # 5 business days: Tue 19, Thu 21, Fri 22, Mon 25, Tue 26, at closing time.
    assert handoff.qualify_due_at == berlin(26, 17)
    assert handoff.state == Handoff.State.ACCEPTED
    assert handoff.accepted_at == MONDAY_MORNING


def test_the_clocks_keep_the_calendar_resolved_at_offer_time(
    tenant, manager_user, partner, partner_user, lead
):
    # Offered while the partner runs on the built-in week (the tenant's zone, UTC here).
    handoff = offer(
        tenant, manager_user, lead, partner, now=datetime.datetime(2027, 1, 15, 15, 0, tzinfo=datetime.UTC)
    )
    assert handoff.calendar_id is None
    assert handoff.accept_due_at == datetime.datetime(2027, 1, 20, 15, 0, tzinfo=datetime.UTC)
    # The partner gets a calendar of its own afterwards: this handoff's later clocks are unmoved by it.
    BusinessCalendarFactory(tenant=tenant, partner=partner, timezone="Asia/Tokyo")

    handoff = accept(
        tenant, partner_user, handoff, now=datetime.datetime(2027, 1, 18, 9, 0, tzinfo=datetime.UTC)
    )

    assert handoff.contact_due_at == datetime.datetime(2027, 1, 20, 17, 0, tzinfo=datetime.UTC)


# --- Which event stops each clock ---------------------------------------------------------------


def test_accept_stops_the_accept_clock_and_each_report_stops_its_own_clock(
    tenant, manager_user, partner, partner_user, calendar, lead
):
    # Two days for the first contact: its warning comes after the accept clock's due instant.
    SlaPolicyFactory(tenant=tenant, partner=None, contact_hours=48)
    handoff = accept(tenant, partner_user, offer(tenant, manager_user, lead, partner))
    assert handoff.next_due_at == min(handoff.contact_warn_at, handoff.qualify_warn_at)

    # The accept clock's due instant has passed: nothing fires for it any more.
    with tenant_context(tenant):
        assert handoff_ladder_sweep(now=handoff.accept_due_at) == 0
        handoff = handoff_record_contact(
            tenant=tenant, actor=partner_user, handoff_id=handoff.id, now=berlin(19, 9)
        )
        assert handoff.next_due_at == handoff.qualify_warn_at  # the contact clock stopped
        handoff = handoff_record_qualification(
            tenant=tenant, actor=partner_user, handoff_id=handoff.id, outcome="qualified", note="Budget in Q2"
        )
    assert handoff.next_due_at is None  # every clock stopped
    assert (handoff.state, handoff.qualification, handoff.first_contact_at) == (
        Handoff.State.ACCEPTED,
        "qualified",
        berlin(19, 9),
    )


def test_a_qualification_comes_after_the_first_contact_and_each_is_recorded_once(
    tenant, manager_user, partner, partner_user, calendar, lead
):
    handoff = accept(tenant, partner_user, offer(tenant, manager_user, lead, partner))
    with tenant_context(tenant):
        qualify = {"tenant": tenant, "actor": partner_user, "handoff_id": handoff.id, "outcome": "qualified"}
        assert (
            refusal(handoff_record_qualification, **qualify)
            == "Log the first contact before the qualification."
        )
        handoff_record_contact(tenant=tenant, actor=partner_user, handoff_id=handoff.id)
        assert refusal(handoff_record_contact, tenant=tenant, actor=partner_user, handoff_id=handoff.id) == (
            "The first contact is already recorded."
        )
        assert "is not an outcome" in refusal(handoff_record_qualification, **{**qualify, "outcome": "maybe"})


# --- Who may do what ----------------------------------------------------------------------------


def test_only_the_partners_own_users_answer_its_handoff(
    tenant, manager_user, partner, other_partner, partner_user, calendar, lead
):
    handoff = offer(tenant, manager_user, lead, partner)
    stranger = make_member(tenant, Role.PARTNER_ADMIN, partner=other_partner)

    with tenant_context(tenant):
        call = {"tenant": tenant, "handoff_id": handoff.id}
        assert refusal(handoff_accept, actor=stranger, **call) == "No such handoff."
        assert refusal(handoff_reject, actor=stranger, reason="no_capacity", **call) == "No such handoff."
        assert (
            refusal(handoff_accept, actor=manager_user, **call)
            == "Only the partner's own users answer a handoff."
        )
        assert refusal(handoff_recall, actor=partner_user, **call) == "Your role cannot recall handoffs."
        assert refusal(
            handoff_offer, tenant=tenant, actor=partner_user, lead_id=lead.id, partner_id=partner.id
        ) == ("Your role cannot offer handoffs.")
        assert Handoff.objects.get(id=handoff.id).state == Handoff.State.OFFERED


def test_a_partner_that_declined_is_never_offered_the_lead_again(
    tenant, manager_user, partner, other_partner, partner_user, calendar, lead
):
    handoff = offer(tenant, manager_user, lead, partner)
    with tenant_context(tenant):
        assert refusal(
            handoff_reject, tenant=tenant, actor=partner_user, handoff_id=handoff.id, reason="other"
        ) == ("Say why the lead is declined.")
        handoff = handoff_reject(
            tenant=tenant, actor=partner_user, handoff_id=handoff.id, reason="not_our_territory"
        )
    assert (handoff.state, handoff.reject_reason, handoff.next_due_at) == (
        "rejected",
        "not_our_territory",
        None,
    )

    assert refusal(offer, tenant, manager_user, lead, partner) == (
        "Contoso Consulting declined this lead or let it expire: it is not offered to them again."
    )
    # Another partner may have it; the declined handoff is kept beside the new one.
    assert offer(tenant, manager_user, lead, other_partner).partner_id == other_partner.id
    with tenant_context(tenant):
        assert Handoff.objects.filter(lead=lead).count() == 2


def test_a_partner_that_let_the_lead_expire_is_never_offered_it_again(
    tenant, manager_user, partner, calendar, lead
):
    handoff = offer(tenant, manager_user, lead, partner)
    with tenant_context(tenant):
        handoff_ladder_sweep(now=handoff.accept_recall_at)
        assert Handoff.objects.get(id=handoff.id).state == Handoff.State.EXPIRED

    assert "not offered to them again" in refusal(offer, tenant, manager_user, lead, partner)


def test_one_open_handoff_per_lead_and_a_recalled_lead_can_be_offered_again(
    tenant, manager_user, partner, other_partner, calendar, lead
):
    handoff = offer(tenant, manager_user, lead, partner)
    assert refusal(offer, tenant, manager_user, lead, other_partner) == (
        "This lead already has an open handoff: recall it first."
    )
    with tenant_context(tenant):
        recalled = handoff_recall(tenant=tenant, actor=manager_user, handoff_id=handoff.id)
    assert (recalled.state, recalled.next_due_at) == (Handoff.State.RECALLED, None)

    assert offer(tenant, manager_user, lead, other_partner).state == Handoff.State.OFFERED


def test_a_disqualified_lead_is_not_handed_off(tenant, manager_user, partner, calendar):
    lead = LeadFactory(tenant=tenant, stage=LeadStage.DISQUALIFIED, disqualified_reason="Student")
    assert refusal(offer, tenant, manager_user, lead, partner) == "A disqualified lead is not handed off."


def test_every_state_change_is_audited_before_and_after(
    tenant, manager_user, partner, partner_user, calendar, lead
):
    handoff = accept(tenant, partner_user, offer(tenant, manager_user, lead, partner))
    with tenant_context(tenant):
        handoff_recall(tenant=tenant, actor=manager_user, handoff_id=handoff.id)
        events = AuditEvent.objects.filter(target_id=str(handoff.id), action__startswith="handoff.")
        events = events.order_by("id")
        trail = [(e.action, e.actor_label, (e.before or {}).get("status"), e.after["status"]) for e in events]
    assert trail == [
        ("handoff.offered", "pm@northwind.example", None, "offered"),
        ("handoff.accepted", "casey@contoso.example", "offered", "accepted"),
        ("handoff.recalled", "pm@northwind.example", "accepted", "recalled"),
    ]


# --- What the partner sees ----------------------------------------------------------------------


def test_the_partner_sees_the_leads_contacts_only_after_accepting(
    tenant, manager_user, partner, other_partner, partner_user, calendar, lead
):
    handoff = offer(tenant, manager_user, lead, partner)
    with tenant_context(tenant):
        membership = Membership.objects.get(user=partner_user)
        before = handoff_lead_for_partner(tenant=tenant, handoff=handoff, membership=membership)
    assert (before.title, before.company_name, before.email, before.phone) == (
        "CIO",
        lead.company_name,
        "",
        "",
    )
    assert [kind for kind, _ in before.touches] == ["Meeting", "Attended an event"]

    accepted = accept(tenant, partner_user, handoff)
    with tenant_context(tenant):
        after = handoff_lead_for_partner(tenant=tenant, handoff=accepted, membership=membership)
        stranger = Membership.objects.get(user=make_member(tenant, Role.PARTNER_USER, partner=other_partner))
        with pytest.raises(Handoff.DoesNotExist):
            handoff_lead_for_partner(tenant=tenant, handoff=accepted, membership=stranger)
    assert (after.email, after.phone) == ("kim@acme.example", "+49 30 1234")


def test_an_inactive_partner_is_not_offered_leads(tenant, manager_user, lead):
    dormant = PartnerFactory(tenant=tenant, name="Dormant Ltd", status="inactive")
    assert refusal(offer, tenant, manager_user, lead, dormant) == "Dormant Ltd is inactive."
