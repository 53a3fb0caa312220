"""The account-first plan: six steps taken in order, then launch (DOMAIN.md §1).

Each step is a service. A step cannot be taken before every step above it is complete; changing
a step marks the later steps that already hold a decision for review instead of silently keeping
them. A plan whose six steps are complete is ready; launch needs ready.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import (
    KICKOFF_FIELDS,
    MARKET_VALUES,
    MAX_PLAN_ACCOUNTS,
    MIN_PLAN_ACCOUNTS,
    PLAN_OWNER_FIELDS,
    FollowUpCommitment,
    MarketKind,
    Plan,
    PlanAccount,
    PlanStep,
    TargetAccount,
    quarter_of,
)
from accounts.selectors.markets import market_holder, market_taken
from accounts.selectors.recommendation import PlayRecommendation, play_recommendation
from accounts.services.programs import checkpoints_open, program_complete, program_launch
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audit_transition, audited, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Membership, Partner, Tenant, User
from partnerhub.tenancy.roles import STAFF_ROLES
from partnerhub.tenancy.services.common import check_staff_member, save_changes, save_validated, user_of
from partnerhub.tenancy.services.verticals import verticals_check
from plays.models import Play

PLAY_REASON_LENGTH = Plan._meta.get_field("play_reason").max_length
TARGET_FIELDS = [
    "target_day30_followups",
    "target_day60_meetings",
    "target_day90_opportunities",
    "target_day90_pipeline",
    "target_currency",
]
STEP_FIELDS = {
    PlanStep.MARKET: ["market_kind", "market_value"],
    PlanStep.ACCOUNTS: [],
    PlanStep.PARTNER: ["partner"],
    PlanStep.PLAY: ["play", "play_reason"],
    PlanStep.FOLLOW_UP: [],
    PlanStep.MEASUREMENT: TARGET_FIELDS,
}


# --- Reading the state of the steps -------------------------------------------------------------


def plan_steps_taken(plan: Plan) -> dict[int, bool]:
    """Which steps hold a decision (whether or not marked for review). Two small queries."""
    account_count = PlanAccount.objects.filter(tenant_id=plan.tenant_id, plan=plan).count()
    has_follow_up = FollowUpCommitment.objects.filter(tenant_id=plan.tenant_id, plan=plan).exists()
    return steps_taken_from(plan, account_count, has_follow_up)


def steps_taken_from(plan: Plan, account_count: int, has_follow_up: bool) -> dict[int, bool]:
    return {
        PlanStep.MARKET: bool(plan.market_kind),
        PlanStep.ACCOUNTS: MIN_PLAN_ACCOUNTS <= account_count <= MAX_PLAN_ACCOUNTS,
        PlanStep.PARTNER: plan.partner_id is not None,
        PlanStep.PLAY: plan.play_id is not None,
        PlanStep.FOLLOW_UP: has_follow_up,
        PlanStep.MEASUREMENT: None
        not in (plan.target_day30_followups, plan.target_day60_meetings, plan.target_day90_opportunities),
    }


def steps_complete(plan: Plan, taken: dict[int, bool]) -> dict[int, bool]:
    """A step is complete when it holds a decision that is not waiting for review."""
    return {step: done and step not in plan.review_steps for step, done in taken.items()}


def step_states(plan: Plan, taken: dict[int, bool]) -> list[dict]:
    """Each step's state, as portal and API show it: taken (holds a decision), complete (taken and
    not waiting for review), review, and reachable: a step can be taken once every step above it
    is complete, the order `_check_order` enforces."""
    complete = steps_complete(plan, taken)
    states, open_above = [], False
    for step in PlanStep:
        states.append(
            {
                "number": int(step),
                "label": step.label,
                "taken": taken[step],
                "complete": complete[step],
                "review": step in plan.review_steps,
                "reachable": not open_above,
            }
        )
        open_above = open_above or not complete[step]
    return states


def incomplete_steps(plan: Plan, taken: dict[int, bool]) -> list[int]:
    return [step for step, done in steps_complete(plan, taken).items() if not done]


def _step_name(step: int) -> str:
    return f"step {step} ({PlanStep(step).label.lower()})"


# --- The shared shape of a step -----------------------------------------------------------------


def _lock_plan(tenant: Tenant, plan_id: int) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).get(tenant=tenant, id=plan_id)


def _check_editable(plan: Plan) -> None:
    if plan.status == Plan.Status.LAUNCHED:
        raise ServiceError(
            "This plan is launched: its decisions are fixed. Close it and plan the next quarter."
        )
    if plan.status == Plan.Status.CLOSED:
        raise ServiceError("This plan is closed.")


def _check_order(plan: Plan, step: int, taken: dict[int, bool]) -> None:
    complete = steps_complete(plan, taken)
    for earlier in range(1, step):
        if not complete[earlier]:
            waiting = " (marked for review)" if taken[earlier] else ""
            raise ServiceError(f"Complete {_step_name(earlier)}{waiting} before {_step_name(step)}.")


def _set_status(tenant: Tenant, actor: Actor, plan: Plan, status: str) -> None:
    if plan.status == status:
        return
    before = plan.status
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    audit_transition(
        tenant=tenant, actor=actor, action=f"plan.{status}", target=plan, from_state=before, to_state=status
    )


def _take_step(
    *, tenant: Tenant, actor: Actor, plan_id: int, step: int, apply: Callable[[Plan], tuple[dict, dict]]
) -> Plan:
    """Check the order, apply the step (it returns the before/after values it changed), mark later
    decisions for review when this one changed, and move the plan between draft and ready."""
    plan = _lock_plan(tenant, plan_id)
    _check_editable(plan)
    taken = plan_steps_taken(plan)
    _check_order(plan, step, taken)
    before, after = apply(plan)
    changed = before != after
    review = set(plan.review_steps) - {step}
    if changed:
        taken = plan_steps_taken(plan)
        review |= {later for later in range(step + 1, 7) if taken[later]}
    plan.review_steps = sorted(review)
    try:
        with transaction.atomic():
            plan.save(update_fields=[*STEP_FIELDS[step], "review_steps", "updated_at"])
    except IntegrityError as exc:  # another plan took the market's play between check and save
        if "plan_one_play_per_market_quarter" not in str(exc):
            raise
        raise _one_play_refusal(tenant, plan, market_holder(tenant=tenant, plan=plan)) from exc
    if changed:
        audit(
            tenant=tenant,
            actor=actor,
            action=f"plan.step_{step}",
            target=plan,
            before=before,
            after={**after, "review_steps": plan.review_steps},
        )
    ready = not incomplete_steps(plan, taken)
    _set_status(tenant, actor, plan, Plan.Status.READY if ready else Plan.Status.DRAFT)
    return plan


# --- Creating a plan ----------------------------------------------------------------------------


def _check_quarter_not_over(tenant: Tenant, year: int, quarter: int) -> None:
    current_year, current_quarter = quarter_of(tenant.local_date())
    if (year, quarter) < (current_year, current_quarter):
        raise ServiceError(
            f"Q{quarter} {year} is over: plan the current quarter (Q{current_quarter} {current_year}) "
            "or a later one.",
            field="quarter",
        )


@transaction.atomic
def plan_create(*, tenant: Tenant, actor: Actor, year: int, quarter: int, name: str = "") -> Plan:
    """Open a draft plan for a quarter that is not over yet (in the tenant's time zone)."""
    _check_quarter_not_over(tenant, year, quarter)
    plan = Plan(tenant=tenant, year=year, quarter=quarter, name=name.strip(), created_by=user_of(actor))
    save_validated(plan)
    audit(
        tenant=tenant,
        actor=actor,
        action="plan.created",
        target=plan,
        after=snapshot(plan, ["name", "year", "quarter"]),
    )
    return plan


@transaction.atomic
def plan_rename(*, tenant: Tenant, actor: Actor, plan_id: int, name: str) -> Plan:
    plan = _lock_plan(tenant, plan_id)
    with audited(tenant=tenant, actor=actor, target=plan, fields=["name"], action="plan.renamed"):
        save_changes(plan, {"name": name.strip()})
    return plan


# --- The six steps ------------------------------------------------------------------------------


@transaction.atomic
def plan_set_market(
    *, tenant: Tenant, actor: Actor, plan_id: int, market_kind: str, market_value: str
) -> Plan:
    """Step 1: one market priority for the quarter, a region, a vertical or a segment. One only."""
    if market_kind not in MarketKind.values:
        raise ServiceError(
            "Choose whether the priority is a region, a vertical or a segment.", field="market_kind"
        )
    refusal = f"Choose one {MarketKind(market_kind).label.lower()} as the market priority."
    if market_kind == MarketKind.VERTICAL:
        if not market_value:
            raise ServiceError(refusal, field="market_value")
    elif market_value not in MARKET_VALUES[MarketKind(market_kind)].values:
        raise ServiceError(refusal, field="market_value")

    def apply(plan: Plan) -> tuple[dict, dict]:
        if market_kind == MarketKind.VERTICAL:  # one of the tenant's; the plan keeps an archived one
            held = [plan.market_value] if plan.market_kind == MarketKind.VERTICAL else []
            verticals_check(
                tenant=tenant, values=[market_value], field="market_value", held=held, message=refusal
            )
        before = snapshot(plan, STEP_FIELDS[PlanStep.MARKET])
        plan.market_kind, plan.market_value = market_kind, market_value
        # A plan that already picked its play moves that play to the new market: it must be free.
        other = market_holder(tenant=tenant, plan=plan) if plan.play_id else None
        if other is not None:
            raise _one_play_refusal(tenant, plan, other)
        return before, snapshot(plan, STEP_FIELDS[PlanStep.MARKET])

    return _take_step(tenant=tenant, actor=actor, plan_id=plan_id, step=PlanStep.MARKET, apply=apply)


@transaction.atomic
def plan_set_accounts(*, tenant: Tenant, actor: Actor, plan_id: int, account_ids: Iterable[int]) -> Plan:
    """Step 2: a named list of 5 to 20 target accounts, not a broad profile."""
    wanted = set(account_ids)
    if not MIN_PLAN_ACCOUNTS <= len(wanted) <= MAX_PLAN_ACCOUNTS:
        raise ServiceError(
            f"A plan names {MIN_PLAN_ACCOUNTS} to {MAX_PLAN_ACCOUNTS} target accounts; "
            f"you chose {len(wanted)}.",
            field="accounts",
        )
    found = set(TargetAccount.objects.filter(tenant=tenant, id__in=wanted).values_list("id", flat=True))
    if found != wanted:
        raise ServiceError("Some of the chosen accounts do not exist in this tenant.", field="accounts")

    def apply(plan: Plan) -> tuple[dict, dict]:
        current = set(
            PlanAccount.objects.filter(tenant=tenant, plan=plan).values_list("account_id", flat=True)
        )
        PlanAccount.objects.filter(tenant=tenant, plan=plan, account_id__in=current - wanted).delete()
        PlanAccount.objects.bulk_create(
            [PlanAccount(tenant=tenant, plan=plan, account_id=account_id) for account_id in wanted - current]
        )
        return {"accounts": sorted(current)}, {"accounts": sorted(wanted)}

    return _take_step(tenant=tenant, actor=actor, plan_id=plan_id, step=PlanStep.ACCOUNTS, apply=apply)


@transaction.atomic
def plan_set_partner(*, tenant: Tenant, actor: Actor, plan_id: int, partner_id: int) -> Plan:
    """Step 3: the partner, chosen against the account list (see `partner_ranking`)."""
    partner = Partner.objects.filter(tenant=tenant, id=partner_id).first()
    if partner is None:
        raise ServiceError("Select a valid partner.", field="partner")
    if partner.status != Partner.Status.ACTIVE:
        raise ServiceError(f"{partner.name} is not an active partner.", field="partner")

    def apply(plan: Plan) -> tuple[dict, dict]:
        before = snapshot(plan, ["partner"])
        plan.partner = partner
        return before, snapshot(plan, ["partner"])

    return _take_step(tenant=tenant, actor=actor, plan_id=plan_id, step=PlanStep.PARTNER, apply=apply)


def _one_play_refusal(tenant: Tenant, plan: Plan, other: Plan | None) -> ServiceError:
    return ServiceError(
        f"{market_taken(tenant=tenant, plan=plan, holder=other)} One play per market per quarter.",
        field="play",
    )


def play_reason(recommendation: PlayRecommendation, play: Play, note: str = "") -> str:
    """Why the plan runs this play, as the plan records it: the recommendation's reason when the
    recommended play was chosen, else that it was chosen over it; then the chooser's own note."""
    if recommendation.play is not None and recommendation.play.id == play.id:
        reason = recommendation.reason
    else:
        reason = f"Chosen over the recommendation ({recommendation.label}: {recommendation.reason})"
    note = " ".join(note.split())
    return f"{reason} Note: {note}" if note else reason


@transaction.atomic
def plan_set_play(*, tenant: Tenant, actor: Actor, plan_id: int, play_id: int, note: str = "") -> Plan:
    """Step 4: the play that fits the accounts' stage. One play per market per quarter, which the
    database enforces too (`plan_one_play_per_market_quarter`). The reason is recorded here, from
    the recommendation as it stands (see `play_reason`), whoever chooses and through which door."""
    play = Play.objects.filter(tenant=tenant, id=play_id).first()
    if play is None:
        raise ServiceError("Select a valid play.", field="play")

    def apply(plan: Plan) -> tuple[dict, dict]:
        other = market_holder(tenant=tenant, plan=plan)
        if other is not None:
            raise _one_play_refusal(tenant, plan, other)
        before = snapshot(plan, STEP_FIELDS[PlanStep.PLAY])
        recommendation = play_recommendation(tenant=tenant, plan=plan)
        plan.play, plan.play_reason = play, play_reason(recommendation, play, note)[:PLAY_REASON_LENGTH]
        return before, snapshot(plan, STEP_FIELDS[PlanStep.PLAY])

    return _take_step(tenant=tenant, actor=actor, plan_id=plan_id, step=PlanStep.PLAY, apply=apply)


@transaction.atomic
def plan_set_follow_up(
    *, tenant: Tenant, actor: Actor, plan_id: int, sales_owner: User, due_on: datetime.date, talk_track: str
) -> Plan:
    """Step 5: sales commits to who calls the attendees, by when, with what talk track. No
    commitment, no launch."""
    if not Membership.objects.filter(tenant=tenant, user=sales_owner, role__in=STAFF_ROLES).exists():
        raise ServiceError(
            "The follow-up owner must be a vendor staff member of this tenant.", field="sales_owner"
        )
    if due_on < tenant.local_date():
        raise ServiceError("The follow-up date is in the past.", field="due_on")
    talk_track = talk_track.strip()
    if not talk_track:
        raise ServiceError("Write the talk track sales will use.", field="talk_track")

    def apply(plan: Plan) -> tuple[dict, dict]:
        fields = ["sales_owner", "due_on", "talk_track"]
        commitment = FollowUpCommitment.objects.filter(tenant=tenant, plan=plan).first()
        before = snapshot(commitment, fields) if commitment else {}
        if commitment is None:
            commitment = FollowUpCommitment(tenant=tenant, plan=plan)
        commitment.sales_owner, commitment.due_on, commitment.talk_track = sales_owner, due_on, talk_track
        after = snapshot(commitment, fields)
        if after != before:
            save_validated(commitment)
        return before, after

    return _take_step(tenant=tenant, actor=actor, plan_id=plan_id, step=PlanStep.FOLLOW_UP, apply=apply)


@transaction.atomic
def plan_set_targets(
    *,
    tenant: Tenant,
    actor: Actor,
    plan_id: int,
    day30_followups: int,
    day60_meetings: int,
    day90_opportunities: int,
    day90_pipeline: Decimal | None = None,
    currency: str = "USD",
) -> Plan:
    """Step 6: the targets for day 30 (accounts followed up), 60 (meetings from target accounts)
    and 90 (opportunities progressed, pipeline), published before launch."""
    for field, value in (
        ("target_day30_followups", day30_followups),
        ("target_day60_meetings", day60_meetings),
        ("target_day90_opportunities", day90_opportunities),
    ):
        if value is None or value < 0:
            raise ServiceError("Set a target of zero or more.", field=field)
    if day90_pipeline is not None and day90_pipeline < 0:
        raise ServiceError("The pipeline target cannot be negative.", field="target_day90_pipeline")

    def apply(plan: Plan) -> tuple[dict, dict]:
        named = PlanAccount.objects.filter(tenant=tenant, plan=plan).count()
        if day30_followups > named:
            raise ServiceError(
                f"The day-30 target cannot exceed the {named} named accounts.", field="target_day30_followups"
            )
        before = snapshot(plan, TARGET_FIELDS)
        plan.target_day30_followups = day30_followups
        plan.target_day60_meetings = day60_meetings
        plan.target_day90_opportunities = day90_opportunities
        plan.target_day90_pipeline = day90_pipeline
        plan.target_currency = currency
        plan.full_clean(validate_unique=False, validate_constraints=False)
        return before, snapshot(plan, TARGET_FIELDS)

    return _take_step(tenant=tenant, actor=actor, plan_id=plan_id, step=PlanStep.MEASUREMENT, apply=apply)


# --- Owners, kickoff, meeting -------------------------------------------------------------------


@transaction.atomic
def plan_update_kickoff(*, tenant: Tenant, actor: Actor, plan_id: int, **fields) -> Plan:
    """Who owns each of the six functions (one owner each, vendor staff) and the kickoff items."""
    allowed = [*PLAN_OWNER_FIELDS, *KICKOFF_FIELDS]
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} cannot be set here.")
    plan = _lock_plan(tenant, plan_id)
    if plan.status == Plan.Status.CLOSED:
        raise ServiceError("This plan is closed.")
    for name in set(fields) & set(PLAN_OWNER_FIELDS):  # at most six, one query each
        check_staff_member(
            tenant, fields[name], field=name, message="Owners must be vendor staff members of this tenant."
        )
    with audited(tenant=tenant, actor=actor, target=plan, fields=allowed, action="plan.kickoff_updated"):
        save_changes(plan, fields)
    return plan


@transaction.atomic
def plan_start_meeting(*, tenant: Tenant, actor: Actor, plan_id: int) -> Plan:
    """Start (or restart) the 30-minute planning meeting's clock."""
    plan = _lock_plan(tenant, plan_id)
    _check_editable(plan)
    fields = ["meeting_started_at"]
    with audited(tenant=tenant, actor=actor, target=plan, fields=fields, action="plan.meeting_started"):
        save_changes(plan, {"meeting_started_at": timezone.now()})
    return plan


# --- Launch and close ---------------------------------------------------------------------------


@transaction.atomic
def plan_launch(*, tenant: Tenant, actor: Actor, plan_id: int) -> Plan:
    """Launch a ready plan: refused until all six steps (with the follow-up commitment) are
    complete. Creates the program and the day 30/60/90 checkpoints."""

    plan = _lock_plan(tenant, plan_id)
    if plan.status in (Plan.Status.LAUNCHED, Plan.Status.CLOSED):
        raise ServiceError(f"This plan is already {plan.get_status_display().lower()}.")
    taken = plan_steps_taken(plan)
    missing = incomplete_steps(plan, taken)
    if not taken[PlanStep.FOLLOW_UP]:
        raise ServiceError("No follow-up commitment, no launch: complete step 5 (follow-up) first.")
    if missing:
        names = ", ".join(_step_name(step) for step in missing)
        raise ServiceError(f"Launch needs all six steps complete; still open: {names}.")
    partner = Partner.objects.get(tenant=tenant, id=plan.partner_id)
    if partner.status != Partner.Status.ACTIVE:
        raise ServiceError(f"{partner.name} is no longer an active partner; choose the partner again.")
    plan.launched_at = timezone.now()
    plan.save(update_fields=["launched_at", "updated_at"])
    program_launch(tenant=tenant, actor=actor, plan=plan)
    checkpoints_open(tenant=tenant, actor=actor, plan=plan)
    _set_status(tenant, actor, plan, Plan.Status.LAUNCHED)
    return plan


@transaction.atomic
def plan_close(*, tenant: Tenant, actor: Actor, plan_id: int) -> Plan:
    """Close a plan: a launched one when its quarter is done (its program completes), a draft one
    that will not go ahead (which frees its market for another play)."""
    plan = _lock_plan(tenant, plan_id)
    if plan.status == Plan.Status.CLOSED:
        raise ServiceError("This plan is already closed.")
    plan.closed_at = timezone.now()
    plan.save(update_fields=["closed_at", "updated_at"])
    program_complete(tenant=tenant, actor=actor, plan=plan)
    _set_status(tenant, actor, plan, Plan.Status.CLOSED)
    return plan


@transaction.atomic
def follow_up_complete(*, tenant: Tenant, actor: Actor, plan_id: int) -> FollowUpCommitment:
    """Sales has made the follow-up calls: no more nudges."""
    commitment = (
        FollowUpCommitment.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(tenant=tenant, plan_id=plan_id)
        .first()
    )
    if commitment is None:
        raise ServiceError("This plan has no follow-up commitment yet.")
    if commitment.done_at is not None:
        raise ServiceError("The follow-up is already marked done.")
    if commitment.plan.status != Plan.Status.LAUNCHED:
        raise ServiceError("The follow-up is done after launch.")
    commitment.done_at = timezone.now()
    commitment.save(update_fields=["done_at", "updated_at"])
    audit_transition(
        tenant=tenant,
        actor=actor,
        action="plan.follow_up_done",
        target=commitment.plan,
        from_state="open",
        to_state="done",
    )
    return commitment
