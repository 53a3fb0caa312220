"""Tasks of the MDF app: interfaces only, each calls a service."""

from celery import shared_task

from mdf.services import expiry


@shared_task(name="mdf.expire_unused_funds", acks_late=True)
def expire_unused_funds_task() -> int:
    return expiry.funds_expire_all()
