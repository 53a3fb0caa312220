"""Tasks of the leads app: interfaces only, each calls a service."""

from celery import shared_task

from leads.services import feedback, ladder, registrations


@shared_task(name="leads.handoff_ladder_sweep", acks_late=True)
def handoff_ladder_sweep_task() -> int:
    return ladder.handoff_ladder_sweep()


@shared_task(name="leads.handoff_silence_sweep", acks_late=True)
def handoff_silence_sweep_task() -> int:
    return feedback.handoff_silence_sweep()


@shared_task(name="leads.expire_registrations", acks_late=True)
def expire_registrations_task() -> int:
    return registrations.registrations_expire_all()
