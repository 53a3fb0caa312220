"""What a checkpoint measures (DOMAIN.md §6), and its snapshot (docs/reporting.md, "Checkpoints").

Day 30 is operational: the program was delivered, the committed follow-up was done by its owner's
date, and sales followed up the named accounts. Day 60 is engagement: meetings booked from the named
accounts. Day 90 is pipeline: opportunities on the named accounts that moved forward a stage since
launch, and their amount. Every figure counts from the launch to the start of the due day (in the
tenant's time zone), so a checkpoint's period is fixed whenever the sweep runs, and "live now"
recounts that same period with what is known today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import Checkpoint, Plan
from partnerhub.tenancy.models import Tenant
from reporting.selectors.scorecard import PlanFigures, PlanWindow, plan_figures

SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    target_field: str | None  # the plan's target; None: always expected once (target 1)
    money: bool = False


MEASURES: dict[int, list[Measure]] = {
    Checkpoint.Day.DAY_30: [
        Measure("program_delivered", "Program delivered", None),
        Measure("follow_up_on_time", "Follow-up done by its owner's date", None),
        Measure("accounts_followed_up", "Named accounts followed up by sales", "target_day30_followups"),
    ],
    Checkpoint.Day.DAY_60: [
        Measure("meetings", "Meetings booked from named accounts", "target_day60_meetings"),
    ],
    Checkpoint.Day.DAY_90: [
        Measure("opportunities_progressed", "Opportunities progressed a stage", "target_day90_opportunities"),
        Measure("pipeline", "Pipeline of those opportunities", "target_day90_pipeline", money=True),
    ],
}


def checkpoint_ends(tenant: Tenant, checkpoint: Checkpoint) -> datetime.datetime:
    """The start of the checkpoint's due day in the tenant's time zone: where its period ends."""
    midnight = datetime.datetime.combine(checkpoint.due_on, datetime.time.min)
    return timezone.make_aware(midnight, tenant.zone)


def checkpoint_window(tenant: Tenant, plan: Plan, checkpoint: Checkpoint) -> PlanWindow:
    return PlanWindow(
        plan_id=plan.id,
        starts=plan.launched_at,
        ends=checkpoint_ends(tenant, checkpoint),
        currency=plan.target_currency,
    )


def _actual(figures: PlanFigures, key: str):
    return {
        "program_delivered": int(figures.program_delivered),
        "follow_up_on_time": int(figures.follow_up_done_on_time),
        "accounts_followed_up": figures.accounts_followed_up,
        "meetings": figures.meetings,
        "opportunities_progressed": figures.opportunities_progressed,
        "pipeline": figures.pipeline_progressed,
    }[key]


def measures_for(plan: Plan, day: int, figures: PlanFigures) -> tuple[list[dict], bool | None]:
    """The day's measures (target beside actual) and whether the checkpoint was met: every measure
    with a target met; None when the plan set no target for the day."""
    measures = []
    for measure in MEASURES[day]:
        target = 1 if measure.target_field is None else getattr(plan, measure.target_field)
        actual = _actual(figures, measure.key)
        met = None if target is None else actual >= target
        gap = None if target is None else max(target - actual, 0)
        row = {
            "key": measure.key,
            "label": measure.label,
            "target": target,
            "actual": actual,
            "met": met,
            "gap": gap,
        }
        if measure.money:
            row.update(
                currency=figures.currency,
                target=None if target is None else str(Decimal(target).quantize(Decimal("0.01"))),
                actual=str(Decimal(actual).quantize(Decimal("0.01"))),
                gap=None if gap is None else str(Decimal(gap).quantize(Decimal("0.01"))),
                without_rate=figures.amounts_without_rate,
            )
        measures.append(row)
    judged = [row["met"] for row in measures if row["met"] is not None]
    return measures, (all(judged) if judged else None)


def checkpoint_snapshot(
    *,
    tenant: Tenant,
    plan: Plan,
    checkpoint: Checkpoint,
    figures: PlanFigures,
    evaluated_at: datetime.datetime,
) -> dict:
    measures, met = measures_for(plan, checkpoint.day, figures)
    return {
        "version": SNAPSHOT_VERSION,
        "day": int(checkpoint.day),
        "evaluated_at": evaluated_at.isoformat(),
        "period": {
            "from": timezone.localtime(plan.launched_at, tenant.zone).date().isoformat(),
            "to": checkpoint.due_on.isoformat(),
        },
        "measures": measures,
        "met": met,
    }


@dataclass
class CheckpointView:
    """A checkpoint as a page shows it: the frozen snapshot (if frozen) beside today's count of the
    same period ("live now"), measure by measure."""

    checkpoint: Checkpoint
    live: list[dict]
    live_met: bool | None

    @property
    def frozen(self) -> list[dict] | None:
        return (self.checkpoint.snapshot or {}).get("measures") if self.checkpoint.frozen_at else None

    @property
    def frozen_met(self) -> bool | None:
        return (self.checkpoint.snapshot or {}).get("met")

    @property
    def rows(self) -> list[dict]:
        """One row per measure: target, frozen actual, live actual, and whether they differ."""
        frozen = {row["key"]: row for row in self.frozen or []}
        rows = []
        for live in self.live:
            was = frozen.get(live["key"])
            rows.append(
                {
                    **live,
                    "frozen_actual": was["actual"] if was else None,
                    "frozen_met": was["met"] if was else None,
                    "target": was["target"] if was else live["target"],
                    "changed": bool(was) and str(was["actual"]) != str(live["actual"]),
                }
            )
        return rows


def plan_checkpoints(*, tenant: Tenant, plan: Plan) -> list[CheckpointView]:
    """A launched plan's checkpoints with their live figures (one statement for the three)."""
    if plan.launched_at is None:
        return []
    checkpoints = list(Checkpoint.objects.filter(tenant=tenant, plan=plan).order_by("day"))
    for checkpoint in checkpoints:
        checkpoint.plan = plan
    return checkpoints_live(tenant=tenant, checkpoints=checkpoints)


def _until(window: PlanWindow, now: datetime.datetime) -> PlanWindow:
    return PlanWindow(plan_id=window.plan_id, starts=window.starts, ends=now, currency=window.currency)


def checkpoints_due(*, tenant: Tenant, today: datetime.date, limit: int):
    """Open checkpoints of launched plans whose due day has come, oldest first, locked for the
    sweep (rows another sweep holds are skipped)."""
    return (
        Checkpoint.objects.filter(
            tenant=tenant, frozen_at__isnull=True, due_on__lte=today, plan__launched_at__isnull=False
        )
        .select_related("plan__owner_partner_marketing", "plan__created_by", "plan__follow_up__sales_owner")
        .order_by("due_on", "id")[:limit]
    )


def checkpoint_list(*, tenant: Tenant):
    """Checkpoints of launched plans, with the plan and its partner."""
    return (
        Checkpoint.objects.filter(tenant=tenant, plan__launched_at__isnull=False)
        .select_related("plan__partner")
        .order_by("due_on", "plan_id", "day")
    )


def checkpoints_live(*, tenant: Tenant, checkpoints) -> list[CheckpointView]:
    """The given checkpoints (with their plans) beside their live figures, in one statement."""
    checkpoints = list(checkpoints)
    now = timezone.now()
    windows = []
    for checkpoint in checkpoints:
        window = checkpoint_window(tenant, checkpoint.plan, checkpoint)
        windows.append(window if checkpoint.frozen_at or window.ends <= now else _until(window, now))
    views = []
    for checkpoint, figures in zip(checkpoints, plan_figures(tenant=tenant, windows=windows), strict=True):
        live, live_met = measures_for(checkpoint.plan, checkpoint.day, figures)
        views.append(CheckpointView(checkpoint=checkpoint, live=live, live_met=live_met))
    return views
