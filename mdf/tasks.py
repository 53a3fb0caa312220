"""Tasks of the MDF app: interfaces only, each calls a service."""

from celery import shared_task

from mdf.services import claim_reminders, expiry


@shared_task(name="mdf.expire_unused_funds", acks_late=True)
def expire_unused_funds_task() -> int:
    return expiry.funds_expire_all()


@shared_task(name="mdf.send_claim_reminders", acks_late=True)
def send_claim_reminders_task() -> int:
    return claim_reminders.claim_reminders_send()
