"""Tasks of the reporting app: interfaces only, each calls a service."""

from celery import shared_task

from reporting.services import checkpoints, nudges


@shared_task(name="reporting.freeze_due_checkpoints", acks_late=True)
def freeze_due_checkpoints_task() -> int:
    return checkpoints.checkpoints_freeze_due()


@shared_task(name="reporting.nudge_untouched_accounts", acks_late=True)
def nudge_untouched_accounts_task() -> int:
    return nudges.plans_nudged_untouched()
