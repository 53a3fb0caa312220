"""A plan's launch into a program (the play run with its package pinned) and its 30/60/90-day
checkpoints; and what happens to both when the plan closes. Called by the plan services."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Checkpoint, MarketKind, Plan, Program
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audit_transition, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.services.common import save_validated
from plays.models import ActivationPackage, Play, PlayKind
from plays.selectors import package_for, package_resolved

PROGRAM_FIELDS = [
    "plan",
    "play",
    "partner",
    "package",
    "package_label",
    "components",
    "tracking_code",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "status",
]

PLAY_CODES = {
    PlayKind.ACCELERATION: "ACC",
    PlayKind.VERTICAL_WEDGE: "WDG",
    PlayKind.EXPANSION: "EXP",
    PlayKind.ROUNDTABLE: "RTB",
}


def _code_part(text: str, limit: int) -> str:
    """Upper-case slug of `text`, cut at a word boundary to at most `limit` characters."""
    words = slugify(text.replace("_", " ")).upper().split("-")
    part = words[0][:limit]
    for word in words[1:]:
        if len(part) + 1 + len(word) > limit:
            break
        part = f"{part}-{word}"
    return part or "X"


def tracking_code(
    *, year: int, quarter: int, play_kind: str, market_value: str, partner_name: str, plan_id: int
) -> str:
    """The one campaign naming convention of every program (DOMAIN.md §2, tracking component):

        <year>Q<quarter>-<play code>-<market>-<partner>-<plan id>     e.g. 2026Q4-ACC-DACH-CONTOSO-42

    The play code is ACC, WDG, EXP or RTB; the market value and the partner's name are upper-case
    slugs cut at a word boundary (16 and 20 characters). The plan id makes it unique in the tenant
    and keeps it under 80 characters. The UTM campaign is this code in lower case."""
    market = _code_part(market_value, 16)
    partner = _code_part(partner_name, 20)
    return f"{year}Q{quarter}-{PLAY_CODES[PlayKind(play_kind)]}-{market}-{partner}-{plan_id}"


def _package_label(play: Play, package: ActivationPackage) -> str:
    if package.is_master:
        return f"{play.name} · {package.name} (master r{package.revision})"
    return f"{play.name} · {package.name} (master r{package.parent.revision}, version r{package.revision})"


@transaction.atomic
def program_launch(*, tenant: Tenant, actor: Actor, plan: Plan) -> Program:
    """Start the plan's play as a program. Called by the plan's launch service inside its transaction,
    with the plan locked and its six steps validated.

    The program pins the most specific package (the partner's version, else the version for the
    market's vertical or the partner's first vertical, else the master) as it is now: its resolved
    content and revisions. Later edits of the master or the version do not change a running program.
    It names every asset with one tracking code and one set of UTM parameters."""
    if plan.play_id is None or plan.partner_id is None or not plan.market_value:
        raise ServiceError("A program needs the plan's market, partner and play.")
    if Program.objects.filter(tenant=tenant, plan=plan).exists():
        raise ServiceError("This plan already has a program.")
    play, partner = plan.play, plan.partner
    if plan.market_kind == MarketKind.VERTICAL:
        vertical = plan.market_value
    else:
        vertical = partner.verticals[0] if partner.verticals else ""
    package = package_for(tenant=tenant, play=play, partner=partner, vertical=vertical)
    if package is None:
        raise ServiceError(f"{play.name} has no activation package: install the play catalog first.")
    components = {row.key: row.content for row in package_resolved(tenant=tenant, package=package)}
    code = tracking_code(
        year=plan.year,
        quarter=plan.quarter,
        play_kind=play.kind,
        market_value=plan.market_value,
        partner_name=partner.name,
        plan_id=plan.id,
    )
    program = Program(
        tenant=tenant,
        plan=plan,
        play=play,
        partner=partner,
        package=package,
        package_label=_package_label(play, package),
        components=components,
        tracking_code=code,
        utm_source=slugify(partner.name)[:80] or f"partner-{partner.id}",
        utm_medium="partner",
        utm_campaign=code.lower(),
        utm_content=play.kind,
    )
    save_validated(program)
    audit(
        tenant=tenant,
        actor=actor,
        action="program.launched",
        target=program,
        after=snapshot(program, [name for name in PROGRAM_FIELDS if name != "components"]),
    )
    return program


CHECKPOINT_DAYS = [Checkpoint.Day.DAY_30, Checkpoint.Day.DAY_60, Checkpoint.Day.DAY_90]


def checkpoints_open(*, tenant: Tenant, actor: Actor, plan: Plan) -> list[Checkpoint]:
    """Open the plan's day 30, 60 and 90 checkpoints, dated from its launch day in the tenant's time
    zone (the active one). Their metrics are frozen when each falls due."""
    launch_day = timezone.localdate(plan.launched_at)
    checkpoints = Checkpoint.objects.bulk_create(
        [
            Checkpoint(
                tenant=tenant, plan=plan, day=day, due_on=launch_day + datetime.timedelta(days=int(day))
            )
            for day in CHECKPOINT_DAYS
        ]
    )
    audit(
        tenant=tenant,
        actor=actor,
        action="plan.checkpoints_opened",
        target=plan,
        after={f"day_{checkpoint.day}": checkpoint.due_on.isoformat() for checkpoint in checkpoints},
    )
    return checkpoints


def program_complete(*, tenant: Tenant, actor: Actor, plan: Plan) -> Program | None:
    """The plan closed: its running program (if it was launched) completes. Called inside the plan's
    close transaction, with the plan locked."""
    program = Program.objects.select_for_update().filter(tenant=tenant, plan=plan).first()
    if program is None or program.status == Program.Status.COMPLETED:
        return program
    program.status = Program.Status.COMPLETED
    program.save(update_fields=["status"])
    audit_transition(
        tenant=tenant,
        actor=actor,
        action="program.completed",
        target=program,
        from_state=Program.Status.RUNNING,
        to_state=Program.Status.COMPLETED,
    )
    return program


def checkpoint_freeze(
    *, tenant: Tenant, actor: Actor, checkpoint_id: int, snapshot: dict
) -> Checkpoint | None:
    """Freeze a due checkpoint's snapshot, once: the row is locked and only an open checkpoint is
    written, so a second sweep (or two at once) changes nothing and gets None. Reporting computes
    the snapshot (docs/reporting.md); the checkpoint, and its freeze-once rule, live here."""
    with transaction.atomic():
        checkpoint = (
            Checkpoint.objects.select_for_update()
            .filter(tenant=tenant, id=checkpoint_id, frozen_at__isnull=True)
            .first()
        )
        if checkpoint is None:
            return None
        checkpoint.frozen_at = timezone.now()
        checkpoint.snapshot = snapshot
        checkpoint.save(update_fields=["frozen_at", "snapshot"])
        audit(
            tenant=tenant,
            actor=actor,
            action="checkpoint.frozen",
            target=checkpoint,
            before={"frozen_at": None},
            after={"frozen_at": checkpoint.frozen_at.isoformat(), "met": snapshot.get("met")},
        )
    return checkpoint
