"""SLA policies: which one a handoff runs on (a program's own, else its partner's, else its tier's,
else the tenant's default, else the built-in defaults), the deadlines each stores, and the rules of
creating, changing and deleting them (one scope a policy, one policy a scope, each change audited)."""

import datetime

import pytest
from django.utils import timezone

from leads.models import Handoff, SlaPolicy
from leads.selectors import policy_for
from leads.services import handoff_accept, handoff_feedback, handoff_offer
from leads.services.sla_policies import sla_policy_create, sla_policy_delete, sla_policy_update
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import (
    BusinessCalendarFactory,
    PartnerFactory,
    PlanAccountFactory,
    ProgramFactory,
    ReadyLeadFactory,
    SlaPolicyFactory,
    TargetAccountFactory,
)
from tests.leads.test_handoffs import FRIDAY_AFTERNOON, MONDAY_MORNING, berlin

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_berlin(tenant, partner):
    """The partner works Mon-Fri 09:00-17:00 in Berlin."""
    return BusinessCalendarFactory(tenant=tenant, partner=partner, timezone="Europe/Berlin")


@pytest.fixture
def program(tenant, partner):
    return ProgramFactory(tenant=tenant, partner=partner, tracking_code="NW-ACC-1")


def offer(tenant, actor, partner, program=None) -> Handoff:
    """A new ready lead (of `program`: a person at an account of its plan) offered to `partner`."""
    account = TargetAccountFactory(tenant=tenant)
    if program is not None:
        PlanAccountFactory(tenant=tenant, plan=program.plan, account=account)
    lead = ReadyLeadFactory(tenant=tenant, program=program, account=account)
    with tenant_context(tenant):
        return handoff_offer(
            tenant=tenant, actor=actor, lead_id=lead.id, partner_id=partner.id, now=FRIDAY_AFTERNOON
        )


def create(tenant, actor, **fields) -> SlaPolicy:
    with tenant_context(tenant):
        return sla_policy_create(tenant=tenant, actor=actor, **fields)


def refusal(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as refused, tenant_context(kwargs["tenant"]):
        call(**kwargs)
    return refused.value


# --- Which policy a handoff runs on -------------------------------------------------------------


def test_each_narrower_policy_moves_the_accept_deadline_stored_on_the_handoff(
    tenant, admin_user, manager_user, partner, in_berlin, program
):
    dues = [offer(tenant, manager_user, partner, program).accept_due_at]  # the built-in 24 hours
    for scope in ({}, {"tier": partner.tier}, {"partner": partner}, {"program": program}):
        hours = {(): 8, ("tier",): 2, ("partner",): 4, ("program",): 1}[tuple(scope)]
        create(tenant, admin_user, accept_hours=hours, **scope)
        dues.append(offer(tenant, manager_user, partner, program).accept_due_at)

    assert dues == [
        berlin(20, 15),  # built-in: 24 business hours, Wednesday 15:00
        berlin(18, 15),  # the tenant's default, 8: Monday 15:00
        berlin(15, 17),  # the tier's, 2: Friday at closing time
        berlin(18, 11),  # the partner's, 4: Monday 11:00
        berlin(15, 16),  # the program's, 1: Friday 16:00
    ]


def test_a_policy_of_another_scope_does_not_apply(
    tenant, admin_user, manager_user, partner, in_berlin, program
):
    other_tier = next(tier for tier in Partner.Tier.values if tier != partner.tier)
    create(tenant, admin_user, tier=other_tier, accept_hours=1)
    create(tenant, admin_user, partner=PartnerFactory(tenant=tenant), accept_hours=1)
    create(tenant, admin_user, program=ProgramFactory(tenant=tenant), accept_hours=1)

    assert offer(tenant, manager_user, partner, program).accept_due_at == berlin(20, 15)
    assert offer(tenant, manager_user, partner).accept_due_at == berlin(20, 15)


def test_a_programs_policy_holds_whichever_partner_gets_its_lead(
    tenant, admin_user, manager_user, partner, other_partner, program
):
    create(tenant, admin_user, partner=other_partner, accept_hours=40)
    create(tenant, admin_user, program=program, accept_hours=2)
    BusinessCalendarFactory(tenant=tenant, partner=other_partner, timezone="Europe/Berlin")

    handoff = offer(tenant, manager_user, other_partner, program)

    assert handoff.accept_due_at == berlin(15, 17)


def test_acceptance_and_feedback_read_the_programs_policy(
    tenant, admin_user, manager_user, partner, partner_user, in_berlin, program
):
    create(tenant, admin_user, partner=partner, contact_hours=8, qualify_days=10, silent_days=30)
    create(tenant, admin_user, program=program, contact_hours=3, qualify_days=2, silent_days=7)
    handoff = offer(tenant, manager_user, partner, program)

    with tenant_context(tenant):
        accepted = handoff_accept(
            tenant=tenant, actor=partner_user, handoff_id=handoff.id, now=MONDAY_MORNING
        )
        silent_on_acceptance = accepted.silent_at
        reported = timezone.now()
        handoff_feedback(tenant=tenant, actor=partner_user, handoff_id=handoff.id, words="Rang", now=reported)
    accepted.refresh_from_db()

    assert accepted.contact_due_at == berlin(18, 13)  # 3 business hours from Monday 10:00
    assert accepted.qualify_due_at == berlin(20, 17)  # 2 business days: Wednesday at closing time
    assert silent_on_acceptance == MONDAY_MORNING + datetime.timedelta(days=7)
    assert accepted.silent_at == reported + datetime.timedelta(days=7)


def test_the_built_in_first_contact_is_due_within_24_business_hours(
    tenant, manager_user, partner, partner_user, in_berlin
):
    handoff = offer(tenant, manager_user, partner)
    with tenant_context(tenant):
        accepted = handoff_accept(
            tenant=tenant, actor=partner_user, handoff_id=handoff.id, now=MONDAY_MORNING
        )

    assert accepted.contact_due_at == berlin(21, 10)  # three working days of 8 hours: Thursday 10:00


def test_a_change_applies_to_clocks_that_start_after_it(
    tenant, admin_user, manager_user, partner, partner_user, in_berlin
):
    default = create(tenant, admin_user, accept_hours=8, contact_hours=16)
    handoff = offer(tenant, manager_user, partner)
    with tenant_context(tenant):
        sla_policy_update(
            tenant=tenant, actor=admin_user, sla_policy_id=default.id, accept_hours=1, contact_hours=2
        )
        accepted = handoff_accept(
            tenant=tenant, actor=partner_user, handoff_id=handoff.id, now=MONDAY_MORNING
        )

    assert accepted.accept_due_at == berlin(18, 15)  # stored at the offer, under 8 hours
    assert accepted.contact_due_at == berlin(18, 12)  # the acceptance reads the 2 hours


def test_the_policy_is_found_in_one_query(tenant, partner, program, django_assert_num_queries):
    SlaPolicyFactory(tenant=tenant, partner=None)
    SlaPolicyFactory(tenant=tenant, tier=partner.tier)
    SlaPolicyFactory(tenant=tenant, partner=partner)
    SlaPolicyFactory(tenant=tenant, program=program, accept_hours=3)

    with tenant_context(tenant), django_assert_num_queries(1):
        policy = policy_for(tenant=tenant, partner=partner, program_id=program.id)

    assert (policy.program_id, policy.accept_hours) == (program.id, 3)


# --- Creating, changing, deleting ---------------------------------------------------------------


def test_a_policy_has_one_scope_at_most_refused_on_the_field(tenant, admin_user, partner, program):
    both = refusal(sla_policy_create, tenant=tenant, actor=admin_user, partner=partner, program=program)
    tier_and_partner = refusal(
        sla_policy_create, tenant=tenant, actor=admin_user, tier=partner.tier, partner=partner
    )

    assert (both.field, both.message) == (
        "program",
        "A policy has one scope: a tier, a partner or a program, not a partner and a program.",
    )
    assert tier_and_partner.field == "partner"
    assert not SlaPolicy.unscoped.exists()


def test_a_scope_has_one_policy_refused_on_the_field(tenant, admin_user, partner, program):
    create(tenant, admin_user)
    create(tenant, admin_user, tier="one_to_one")
    create(tenant, admin_user, partner=partner)
    create(tenant, admin_user, program=program)

    refused = [
        refusal(sla_policy_create, tenant=tenant, actor=admin_user, **scope)
        for scope in ({}, {"tier": "one_to_one"}, {"partner": partner}, {"program": program})
    ]

    assert [(error.field, error.message) for error in refused] == [
        ("scope", "Default has an SLA policy already: change that one."),
        ("tier", "Tier One-to-one (strategic) has an SLA policy already: change that one."),
        ("partner", "Partner Contoso Consulting has an SLA policy already: change that one."),
        ("program", "Program NW-ACC-1 has an SLA policy already: change that one."),
    ]
    assert SlaPolicy.unscoped.count() == 4


def test_moving_a_policy_onto_a_taken_scope_is_refused_and_nothing_changes(tenant, admin_user, partner):
    create(tenant, admin_user, partner=partner)
    tiers = create(tenant, admin_user, tier="one_to_few", accept_hours=9)

    moved = refusal(
        sla_policy_update, tenant=tenant, actor=admin_user, sla_policy_id=tiers.id, tier="", partner=partner
    )

    tiers.refresh_from_db()
    assert moved.field == "partner"
    assert (tiers.tier, tiers.partner_id, tiers.accept_hours) == ("one_to_few", None, 9)


def test_numbers_out_of_bounds_are_refused_on_their_field(tenant, admin_user):
    with pytest.raises(Exception) as refused, tenant_context(tenant):
        sla_policy_create(tenant=tenant, actor=admin_user, accept_hours=0, warn_percent=100)

    assert set(refused.value.message_dict) == {"accept_hours", "warn_percent"}


def test_every_change_is_audited_before_and_after(tenant, manager_user, partner):
    policy = create(tenant, manager_user, partner=partner, accept_hours=12)
    with tenant_context(tenant):
        sla_policy_update(tenant=tenant, actor=manager_user, sla_policy_id=policy.id, accept_hours=6)
        sla_policy_delete(tenant=tenant, actor=manager_user, sla_policy_id=policy.id)

    events = AuditEvent.unscoped.filter(tenant=tenant, actor=manager_user).order_by("id")
    created, updated, deleted = events
    assert [event.action for event in events] == [
        "sla_policy.created",
        "sla_policy.updated",
        "sla_policy.deleted",
    ]
    assert created.after["partner"] == partner.id and created.after["accept_hours"] == 12
    assert (updated.before["accept_hours"], updated.after["accept_hours"]) == (12, 6)
    assert deleted.before["accept_hours"] == 6
    assert not SlaPolicy.unscoped.exists()


def test_the_default_is_kept_while_narrower_policies_exist(tenant, admin_user, partner):
    default = create(tenant, admin_user)
    partners = create(tenant, admin_user, partner=partner)

    kept = refusal(sla_policy_delete, tenant=tenant, actor=admin_user, sla_policy_id=default.id)
    with tenant_context(tenant):
        sla_policy_delete(tenant=tenant, actor=admin_user, sla_policy_id=partners.id)
        sla_policy_delete(tenant=tenant, actor=admin_user, sla_policy_id=default.id)

    assert "cannot be deleted while tier, partner or program policies exist" in kept.message
    assert not SlaPolicy.unscoped.exists()


def test_only_tenant_admins_and_partner_managers_change_policies(tenant, partner):
    revops = make_member(tenant, Role.REVOPS)
    partner_admin = make_member(tenant, Role.PARTNER_ADMIN, partner=partner)

    for actor in (revops, partner_admin):
        refused = refusal(sla_policy_create, tenant=tenant, actor=actor)
        assert refused.message == "Your role cannot change SLA policies."
    assert not SlaPolicy.unscoped.exists()
