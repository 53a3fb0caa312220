"""Routing: the program's partner first, then the partner that works with the account, then fit
weighted by the feedback rate; never past a partner's weekly cap (counted in its own time zone),
never a partner that declined; every decision stored with its reason; the ladder's recall reroutes
the lead to the next partner exactly once."""

import datetime
import zoneinfo

import pytest
from django.core import mail

from leads.models import Handoff, LeadStage, RoutingDecision
from leads.selectors import lead_routing_decisions, routing_queue
from leads.services import handoff_accept, handoff_ladder_sweep, handoff_reject, lead_route
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.tasks import send_pending_notification_emails_task
from tests.conftest import make_member
from tests.factories import (
    AccountMappingFactory,
    BusinessCalendarFactory,
    HandoffFactory,
    LeadFactory,
    PartnerFactory,
    PlanAccountFactory,
    ProgramFactory,
    ReadyLeadFactory,
    TargetAccountFactory,
)
from tests.threads import run_at_once

# Monday 11 January 2027, 09:00 UTC: the built-in week of a UTC tenant (see test_ladder.py): an
# offer then is recalled (expired) on Monday 18 January at 17:00.
MONDAY = datetime.datetime(2027, 1, 11, 9, 0, tzinfo=datetime.UTC)
RECALL = datetime.datetime(2027, 1, 18, 17, 0, tzinfo=datetime.UTC)
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


@pytest.fixture
def staff(tenant):
    return make_member(tenant, Role.FIELD_MARKETING, email="fm@northwind.example")


@pytest.fixture
def account(tenant):
    return TargetAccountFactory(tenant=tenant, name="Acme Health", industry="healthcare", region="dach")


def ready_lead(tenant, account=None, **fields):
    """A lead scored ready under the catalog's rules (at a target account: `account`, else its own)."""
    if account is not None:
        fields["account"] = account
    return ReadyLeadFactory(tenant=tenant, **fields)


def route(tenant, actor, lead, now=MONDAY) -> RoutingDecision:
    with tenant_context(tenant):
        return lead_route(tenant=tenant, actor=actor, lead_id=lead.id, now=now)


def partner(tenant, name, **fields) -> Partner:
    fields = {"tier": Partner.Tier.ONE_TO_FEW, "regions": ["dach"], "verticals": ["healthcare"], **fields}
    return PartnerFactory(tenant=tenant, name=name, **fields)


def routed_to(decision) -> str | None:
    return decision.handoff.partner.name if decision.handoff else None


def candidate(decision, name) -> dict:
    return next(row for row in decision.candidates if row["name"] == name)


@pytest.mark.django_db
def test_the_programs_partner_comes_first_then_the_account_mapping_then_fit(tenant, staff, account):
    program_partner = partner(
        tenant, "Program Partner", tier=Partner.Tier.ONE_TO_MANY, regions=[], verticals=[]
    )
    mapped = partner(tenant, "Mapped Partner", tier=Partner.Tier.ONE_TO_MANY, regions=[], verticals=[])
    partner(tenant, "Best Fit", tier=Partner.Tier.ONE_TO_ONE)
    AccountMappingFactory(tenant=tenant, partner=mapped, account=account)
    program = ProgramFactory(tenant=tenant, partner=program_partner, tracking_code="2027Q1-ACME")
    PlanAccountFactory(tenant=tenant, plan=program.plan, account=account)  # the plan names the account

    through_program = route(tenant, staff, ready_lead(tenant, account, program=program))
    at_the_account = route(tenant, staff, ready_lead(tenant, account))
    anywhere = route(tenant, staff, ready_lead(tenant, TargetAccountFactory(tenant=tenant, region="dach")))

    assert (through_program.rule, routed_to(through_program)) == ("program_partner", "Program Partner")
    assert through_program.reason == "The lead came through Program Partner's program 2027Q1-ACME."
    assert (at_the_account.rule, routed_to(at_the_account)) == ("account_mapping", "Mapped Partner")
    assert at_the_account.reason == "Mapped Partner already works with Acme Health."
    assert (anywhere.rule, routed_to(anywhere)) == ("fit", "Best Fit")
    assert anywhere.reason.startswith(
        "Best Fit fits best of 3: score 7.0 (fit: tier 3, region 2, vertical 2;"
    )
    assert candidate(anywhere, "Best Fit")["fit"] == {"tier": 3, "region": 2, "vertical": 2}


@pytest.mark.django_db
def test_between_equal_fits_the_partner_that_reports_back_gets_the_lead(tenant, staff, account):
    reporter, silent = partner(tenant, "Reporter"), partner(tenant, "Silent")
    long_ago = MONDAY - datetime.timedelta(days=30)
    HandoffFactory(
        tenant=tenant,
        partner=reporter,
        state=Handoff.State.ACCEPTED,
        offered_at=long_ago,
        accepted_at=long_ago,
        first_feedback_at=long_ago + datetime.timedelta(days=3),
    )
    HandoffFactory(
        tenant=tenant, partner=silent, state=Handoff.State.ACCEPTED, offered_at=long_ago, accepted_at=long_ago
    )

    decision = route(tenant, staff, ready_lead(tenant, account))

    assert routed_to(decision) == "Reporter"
    # Fit 6 each, weighed from 0.5 (never reports back) to 1.5 (always does).
    assert (candidate(decision, "Reporter")["score"], candidate(decision, "Silent")["score"]) == (9.0, 3.0)
    assert (
        candidate(decision, "Reporter")["feedback_rate"],
        candidate(decision, "Silent")["feedback_rate"],
    ) == (
        1.0,
        0.0,
    )


@pytest.mark.django_db
def test_the_weekly_cap_counts_the_week_in_the_partners_time_zone(tenant, staff, account):
    capped = partner(tenant, "Pacific Partner", weekly_handoff_cap=1)
    BusinessCalendarFactory(tenant=tenant, partner=capped, timezone="America/Los_Angeles")
    sunday_morning = datetime.datetime(2027, 1, 17, 10, 0, tzinfo=LOS_ANGELES)
    # Sunday 20:00 in Los Angeles is Monday 04:00 UTC: a new week in UTC, the same week for the partner.
    sunday_night = datetime.datetime(2027, 1, 17, 20, 0, tzinfo=LOS_ANGELES)
    monday_night = datetime.datetime(2027, 1, 18, 0, 30, tzinfo=LOS_ANGELES)
    first, second = ready_lead(tenant, account), ready_lead(tenant, account)

    assert routed_to(route(tenant, staff, first, now=sunday_morning)) == "Pacific Partner"
    full = route(tenant, staff, second, now=sunday_night)
    with tenant_context(tenant):
        queued = list(routing_queue(tenant=tenant))
    next_week = route(tenant, staff, second, now=monday_night)

    assert (full.rule, full.handoff) == ("none", None)
    assert (
        full.reason == "No partner can take the lead (1 at its weekly cap): it stays in the vendor's queue."
    )
    assert (
        candidate(full, "Pacific Partner")["excluded"] == "at its weekly cap (1 of 1 open handoffs this week)"
    )
    assert queued == [second]
    assert routed_to(next_week) == "Pacific Partner"


@pytest.mark.django_db
def test_a_partner_that_declined_the_lead_or_is_inactive_is_skipped(tenant, staff, account):
    first_choice = partner(tenant, "First Choice", tier=Partner.Tier.ONE_TO_ONE)
    partner(tenant, "Dormant", tier=Partner.Tier.ONE_TO_ONE, status=Partner.Status.INACTIVE)
    partner(tenant, "Second Choice")
    first_user = make_member(tenant, Role.PARTNER_USER, partner=first_choice)
    lead = ready_lead(tenant, account)
    declined = route(tenant, staff, lead).handoff
    with tenant_context(tenant):
        handoff_reject(tenant=tenant, actor=first_user, handoff_id=declined.id, reason="no_capacity")

    decision = route(tenant, staff, lead)

    assert routed_to(decision) == "Second Choice"
    assert candidate(decision, "First Choice")["excluded"] == "declined this lead"
    assert candidate(decision, "Dormant")["excluded"] == "inactive"
    with tenant_context(tenant):
        history = list(lead_routing_decisions(tenant=tenant, lead=lead))
    assert [routed_to(row) for row in history] == ["Second Choice", "First Choice"]
    assert history[0].actor_label == "fm@northwind.example"


@pytest.mark.django_db
def test_a_lead_that_is_not_ready_or_already_handed_off_is_not_routed(tenant, staff, account):
    partner(tenant, "Anyone")
    nurtured = LeadFactory(tenant=tenant, stage=LeadStage.NURTURE, account=account)
    handed = ready_lead(tenant, account)
    route(tenant, staff, handed)

    with pytest.raises(ServiceError, match="not ready"):
        route(tenant, staff, nurtured)
    with pytest.raises(ServiceError, match="already has an open handoff"):
        route(tenant, staff, handed)
    with pytest.raises(ServiceError, match="cannot route"):
        route(tenant, make_member(tenant, Role.PRODUCT_MARKETING), ready_lead(tenant, account))
    assert RoutingDecision.unscoped.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_ladders_recall_reroutes_the_lead_to_the_next_partner_exactly_once(tenant, staff, account):
    partner(tenant, "First", tier=Partner.Tier.ONE_TO_ONE)
    partner(tenant, "Next")
    lead = ready_lead(tenant, account)
    first = route(tenant, staff, lead).handoff

    fired = run_at_once(lambda: handoff_ladder_sweep(now=RECALL))
    handoff_ladder_sweep(now=RECALL + datetime.timedelta(minutes=1))

    assert sum(fired) == 3  # warned, breached, recalled: once each between the two sweeps
    handoffs = Handoff.unscoped.filter(lead=lead).order_by("id")
    assert [(row.partner.name, row.state) for row in handoffs] == [("First", "expired"), ("Next", "offered")]
    assert handoffs[1].offered_at == RECALL
    decisions = RoutingDecision.unscoped.filter(lead=lead).order_by("id")
    assert [(row.rule, row.actor_label) for row in decisions] == [
        ("fit", "fm@northwind.example"),
        ("fit", "System"),
    ]
    assert candidate(decisions[1], "First")["excluded"] == "let this lead expire"
    assert first.id != handoffs[1].id


@pytest.mark.django_db
def test_a_recall_with_no_partner_left_sends_the_lead_back_to_the_queue_and_says_why(tenant, staff, account):
    only = partner(tenant, "Only Partner")
    only_user = make_member(tenant, Role.PARTNER_USER, partner=only)
    lead = ready_lead(tenant, account)
    handoff = route(tenant, staff, lead).handoff
    with tenant_context(tenant):
        handoff_accept(tenant=tenant, actor=only_user, handoff_id=handoff.id, now=MONDAY)

    handoff_ladder_sweep(now=MONDAY + datetime.timedelta(days=30))  # the contact clock runs out

    decision = RoutingDecision.unscoped.filter(lead=lead).latest("id")
    assert Handoff.unscoped.get(id=handoff.id).state == "recalled"
    assert (decision.rule, decision.handoff, decision.actor_label) == ("none", None, "System")
    assert decision.reason == (
        "No partner can take the lead (1 had this lead and it was recalled): it stays in the vendor's queue."
    )
    with tenant_context(tenant):
        assert list(routing_queue(tenant=tenant)) == [lead]
    send_pending_notification_emails_task()
    assert [message.subject for message in mail.outbox if message.to == [only_user.email]] == [
        f"Deadline soon: {lead} · Northwind Cloud",  # the contact clock's
        f"Deadline soon: {lead} · Northwind Cloud",  # the qualify clock's
        f"Lead taken back: {lead} · Northwind Cloud",
    ]
