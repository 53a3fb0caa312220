"""The six-step plan: walked in order and launched; every refusal says why and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import services
from accounts.models import Checkpoint, Plan, PlanStep
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from plays.services import catalog_install
from tests.conftest import PLAN_YEAR, make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import PartnerFactory, PlanFactory, TargetAccountFactory


@pytest.fixture
def plays(in_tenant):
    return {play.kind: play for play in catalog_install(tenant=in_tenant)}


@pytest.fixture
def sales_user(tenant):
    return make_member(tenant, Role.SALES, email="sales@northwind.example")


def accounts(tenant, count, **fields):
    return [TargetAccountFactory(tenant=tenant, **fields).id for _ in range(count)]


def refused(call, message: str) -> None:
    """The call is refused with `message` and no table changes."""
    before = fingerprint()
    with pytest.raises(ServiceError) as refusal:
        call()
    assert message in refusal.value.message
    assert changed_tables(before, fingerprint()) == []


def walk_to_play(tenant, actor, partner, plays, *, market="healthcare") -> Plan:
    plan = services.plan_create(tenant=tenant, actor=actor, year=PLAN_YEAR, quarter=4, name="Healthcare Q4")
    services.plan_set_market(
        tenant=tenant, actor=actor, plan_id=plan.id, market_kind="vertical", market_value=market
    )
    services.plan_set_accounts(tenant=tenant, actor=actor, plan_id=plan.id, account_ids=accounts(tenant, 6))
    services.plan_set_partner(tenant=tenant, actor=actor, plan_id=plan.id, partner_id=partner.id)
    return services.plan_set_play(
        tenant=tenant, actor=actor, plan_id=plan.id, play_id=plays["vertical_wedge"].id
    )


def follow_up(tenant, actor, plan, sales_user):
    return services.plan_set_follow_up(
        tenant=tenant,
        actor=actor,
        plan_id=plan.id,
        sales_owner=sales_user,
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        talk_track="Thank them for coming; offer the architecture review.",
    )


def targets(tenant, actor, plan):
    return services.plan_set_targets(
        tenant=tenant,
        actor=actor,
        plan_id=plan.id,
        day30_followups=6,
        day60_meetings=3,
        day90_opportunities=2,
        day90_pipeline=Decimal("250000.00"),
    )


@pytest.mark.django_db
def test_a_plan_walks_the_six_steps_in_order_and_launches(
    in_tenant, manager_user, sales_user, partner, plays
):
    tenant = in_tenant
    plan = walk_to_play(tenant, manager_user, partner, plays)
    follow_up(tenant, manager_user, plan, sales_user)
    assert Plan.objects.get(id=plan.id).status == Plan.Status.DRAFT
    targets(tenant, manager_user, plan)
    assert Plan.objects.get(id=plan.id).status == Plan.Status.READY

    plan = services.plan_launch(tenant=tenant, actor=manager_user, plan_id=plan.id)

    assert plan.status == Plan.Status.LAUNCHED
    program = plan.program
    assert program.partner == partner
    assert program.play == plays["vertical_wedge"]
    assert program.tracking_code.startswith(f"{PLAN_YEAR}Q4-")
    launch_day = timezone.localdate(plan.launched_at)
    assert [(c.day, c.due_on) for c in Checkpoint.objects.filter(plan=plan).order_by("day")] == [
        (30, launch_day + datetime.timedelta(days=30)),
        (60, launch_day + datetime.timedelta(days=60)),
        (90, launch_day + datetime.timedelta(days=90)),
    ]
    transitions = AuditEvent.objects.filter(
        target_id=str(plan.id), action__in=["plan.ready", "plan.launched"]
    )
    assert sorted((e.before["status"], e.after["status"]) for e in transitions) == [
        ("draft", "ready"),
        ("ready", "launched"),
    ]
    opened = AuditEvent.objects.get(target_id=str(plan.id), action="plan.checkpoints_opened")
    assert opened.after["day_90"] == (launch_day + datetime.timedelta(days=90)).isoformat()


@pytest.mark.django_db
def test_closing_a_launched_plan_completes_its_program_with_an_audit_record(
    in_tenant, manager_user, sales_user, partner, plays
):
    tenant = in_tenant
    plan = walk_to_play(tenant, manager_user, partner, plays)
    follow_up(tenant, manager_user, plan, sales_user)
    targets(tenant, manager_user, plan)
    program = services.plan_launch(tenant=tenant, actor=manager_user, plan_id=plan.id).program

    services.plan_close(tenant=tenant, actor=manager_user, plan_id=plan.id)

    program.refresh_from_db()
    assert program.status == "completed"
    completed = AuditEvent.objects.get(action="program.completed", target_id=str(program.id))
    assert (completed.before, completed.after, completed.actor) == (
        {"status": "running"},
        {"status": "completed"},
        manager_user,
    )


@pytest.mark.django_db
def test_starting_the_meeting_clock_is_audited(in_tenant, manager_user):
    plan = services.plan_create(tenant=in_tenant, actor=manager_user, year=PLAN_YEAR, quarter=4)
    services.plan_start_meeting(tenant=in_tenant, actor=manager_user, plan_id=plan.id)
    started = AuditEvent.objects.get(action="plan.meeting_started", target_id=str(plan.id))
    assert started.before == {"meeting_started_at": None}
    assert started.after["meeting_started_at"] == Plan.objects.get(id=plan.id).meeting_started_at.isoformat()


@pytest.mark.django_db
def test_a_step_cannot_be_taken_before_the_one_above_it(in_tenant, manager_user, sales_user, partner, plays):
    tenant = in_tenant
    plan = services.plan_create(tenant=tenant, actor=manager_user, year=PLAN_YEAR, quarter=4)
    six = accounts(tenant, 6)
    refused(
        lambda: services.plan_set_accounts(
            tenant=tenant, actor=manager_user, plan_id=plan.id, account_ids=six
        ),
        "Complete step 1 (market) before step 2 (accounts).",
    )
    services.plan_set_market(
        tenant=tenant, actor=manager_user, plan_id=plan.id, market_kind="region", market_value="dach"
    )
    refused(
        lambda: services.plan_set_partner(
            tenant=tenant, actor=manager_user, plan_id=plan.id, partner_id=partner.id
        ),
        "Complete step 2 (accounts) before step 3 (partner).",
    )
    refused(
        lambda: services.plan_set_play(
            tenant=tenant, actor=manager_user, plan_id=plan.id, play_id=plays["acceleration"].id
        ),
        "Complete step 2 (accounts) before step 4 (play).",
    )
    refused(lambda: follow_up(tenant, manager_user, plan, sales_user), "before step 5 (follow-up)")
    refused(lambda: targets(tenant, manager_user, plan), "before step 6 (measurement)")


@pytest.mark.django_db
@pytest.mark.parametrize("count", [4, 21])
def test_a_plan_names_5_to_20_accounts(in_tenant, manager_user, count):
    tenant = in_tenant
    plan = services.plan_create(tenant=tenant, actor=manager_user, year=PLAN_YEAR, quarter=4)
    services.plan_set_market(
        tenant=tenant, actor=manager_user, plan_id=plan.id, market_kind="segment", market_value="enterprise"
    )
    ids = accounts(tenant, count)
    refused(
        lambda: services.plan_set_accounts(
            tenant=tenant, actor=manager_user, plan_id=plan.id, account_ids=ids
        ),
        f"A plan names 5 to 20 target accounts; you chose {count}.",
    )


@pytest.mark.django_db
def test_one_play_per_market_per_quarter(in_tenant, manager_user, partner, other_partner, plays):
    tenant = in_tenant
    walk_to_play(tenant, manager_user, partner, plays)
    second = services.plan_create(tenant=tenant, actor=manager_user, year=PLAN_YEAR, quarter=4, name="Second")
    services.plan_set_market(
        tenant=tenant,
        actor=manager_user,
        plan_id=second.id,
        market_kind="vertical",
        market_value="healthcare",
    )
    services.plan_set_accounts(
        tenant=tenant, actor=manager_user, plan_id=second.id, account_ids=accounts(tenant, 5)
    )
    services.plan_set_partner(
        tenant=tenant, actor=manager_user, plan_id=second.id, partner_id=other_partner.id
    )

    refused(
        lambda: services.plan_set_play(
            tenant=tenant, actor=manager_user, plan_id=second.id, play_id=plays["acceleration"].id
        ),
        f"Healthcare already has a play in Q4 {PLAN_YEAR}: Vertical wedge in “Healthcare Q4”. "
        "One play per market per quarter.",
    )
    # The same market next quarter is free.
    next_quarter = PlanFactory(
        tenant=tenant, year=PLAN_YEAR + 1, quarter=1, market_kind="vertical", market_value="healthcare"
    )
    next_quarter.play = plays["acceleration"]
    next_quarter.save()


@pytest.mark.django_db
def test_the_database_refuses_a_second_play_in_a_market_quarter(in_tenant, plays):
    market = {"year": 2026, "quarter": 4, "market_kind": "region", "market_value": "dach"}
    PlanFactory(tenant=in_tenant, play=plays["acceleration"], **market)
    with pytest.raises(IntegrityError, match="plan_one_play_per_market_quarter"), transaction.atomic():
        PlanFactory(tenant=in_tenant, play=plays["roundtable"], **market)


@pytest.mark.django_db
def test_launch_is_refused_without_follow_up(in_tenant, manager_user, partner, plays):
    tenant = in_tenant
    plan = walk_to_play(tenant, manager_user, partner, plays)
    refused(
        lambda: services.plan_launch(tenant=tenant, actor=manager_user, plan_id=plan.id),
        "No follow-up commitment, no launch: complete step 5 (follow-up) first.",
    )
    owner = make_member(tenant, Role.SALES)
    refused(
        lambda: services.plan_set_follow_up(
            tenant=tenant,
            actor=manager_user,
            plan_id=plan.id,
            sales_owner=owner,
            due_on=timezone.localdate(),
            talk_track="  ",
        ),
        "Write the talk track sales will use.",
    )
    refused(
        lambda: services.plan_set_follow_up(
            tenant=tenant,
            actor=manager_user,
            plan_id=plan.id,
            sales_owner=owner,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            talk_track="Call them.",
        ),
        "The follow-up date is in the past.",
    )


@pytest.mark.django_db
def test_launch_is_refused_until_all_six_steps_are_complete(
    in_tenant, manager_user, sales_user, partner, plays
):
    tenant = in_tenant
    plan = walk_to_play(tenant, manager_user, partner, plays)
    follow_up(tenant, manager_user, plan, sales_user)
    refused(
        lambda: services.plan_launch(tenant=tenant, actor=manager_user, plan_id=plan.id),
        "Launch needs all six steps complete; still open: step 6 (measurement).",
    )


@pytest.mark.django_db
def test_changing_an_earlier_step_marks_later_ones_for_review(
    in_tenant, manager_user, sales_user, partner, other_partner, plays
):
    tenant = in_tenant
    plan = walk_to_play(tenant, manager_user, partner, plays)
    follow_up(tenant, manager_user, plan, sales_user)
    targets(tenant, manager_user, plan)

    plan = services.plan_set_partner(
        tenant=tenant, actor=manager_user, plan_id=plan.id, partner_id=other_partner.id
    )

    assert plan.review_steps == [PlanStep.PLAY, PlanStep.FOLLOW_UP, PlanStep.MEASUREMENT]
    assert plan.play == plays["vertical_wedge"]  # kept, but to be looked at again
    assert plan.status == Plan.Status.DRAFT
    refused(
        lambda: services.plan_launch(tenant=tenant, actor=manager_user, plan_id=plan.id),
        "still open: step 4 (play), step 5 (follow-up), step 6 (measurement)",
    )
    refused(lambda: targets(tenant, manager_user, plan), "Complete step 4 (play) (marked for review) before")
    # Confirming each later step in order clears its mark.
    services.plan_set_play(
        tenant=tenant, actor=manager_user, plan_id=plan.id, play_id=plays["vertical_wedge"].id
    )
    follow_up(tenant, manager_user, plan, sales_user)
    plan = targets(tenant, manager_user, plan)
    assert plan.review_steps == []
    assert plan.status == Plan.Status.READY


@pytest.mark.django_db
def test_a_launched_plan_is_fixed_and_an_abandoned_one_frees_its_market(
    in_tenant, manager_user, sales_user, partner, other_partner, plays
):
    tenant = in_tenant
    abandoned = walk_to_play(tenant, manager_user, partner, plays)
    services.plan_close(tenant=tenant, actor=manager_user, plan_id=abandoned.id)
    plan = walk_to_play(tenant, manager_user, other_partner, plays)  # same market and quarter
    follow_up(tenant, manager_user, plan, sales_user)
    targets(tenant, manager_user, plan)
    services.plan_launch(tenant=tenant, actor=manager_user, plan_id=plan.id)
    refused(
        lambda: services.plan_set_partner(
            tenant=tenant, actor=manager_user, plan_id=plan.id, partner_id=partner.id
        ),
        "This plan is launched",
    )
    refused(
        lambda: services.plan_launch(tenant=tenant, actor=manager_user, plan_id=plan.id),
        "This plan is already launched.",
    )


@pytest.mark.django_db
def test_an_inactive_partner_cannot_be_chosen(in_tenant, manager_user, plays):
    tenant = in_tenant
    dormant = PartnerFactory(tenant=tenant, status="inactive", name="Dormant Ltd")
    plan = services.plan_create(tenant=tenant, actor=manager_user, year=PLAN_YEAR, quarter=4)
    services.plan_set_market(
        tenant=tenant, actor=manager_user, plan_id=plan.id, market_kind="region", market_value="dach"
    )
    services.plan_set_accounts(
        tenant=tenant, actor=manager_user, plan_id=plan.id, account_ids=accounts(tenant, 5)
    )
    refused(
        lambda: services.plan_set_partner(
            tenant=tenant, actor=manager_user, plan_id=plan.id, partner_id=dormant.id
        ),
        "Dormant Ltd is not an active partner.",
    )
