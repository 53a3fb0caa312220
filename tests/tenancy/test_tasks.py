"""Celery: a real worker runs the heartbeat, TenantTask activates its tenant, the beat schedule
names real tasks, and a broker outage never loses a write."""

import json
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from partnerhub.celery import app
from partnerhub.tenancy.context import get_active_tenant, tenant_context
from partnerhub.tenancy.models import Heartbeat, Invitation
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.services import invitation_create
from partnerhub.tenancy.tasks import (
    record_heartbeat_task,
    send_invitation_task,
    send_pending_invitations_task,
)
from tests.conftest import login
from tests.factories import InvitationFactory


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_the_heartbeat_from_the_broker_and_records_it(broker_queue):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        record_heartbeat_task.delay()
        deadline = time.monotonic() + 20
        while not Heartbeat.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    heartbeat = Heartbeat.objects.get(name="celery")
    assert heartbeat.run_count == 1
    assert heartbeat.worker_hostname


def test_every_periodic_schedule_names_a_registered_task():
    # What a worker registers at start: every app's tasks module, found by autodiscovery (not the
    # ones other tests happen to have imported).
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "tenancy.record_heartbeat" in scheduled
    assert scheduled <= set(app.tasks)


def test_a_task_travels_as_plain_json_with_ids_only(broker_queue):
    send_invitation_task.apply_async(kwargs={"tenant_id": 7, "invitation_id": 42})
    raw = redis.Redis.from_url(settings.CELERY_BROKER_URL).lindex(settings.CELERY_TASK_DEFAULT_QUEUE, 0)
    message = json.loads(raw)
    assert message["content-type"] == "application/json"
    assert message["headers"]["task"] == "tenancy.send_invitation"


@pytest.mark.django_db
def test_a_tenant_task_runs_inside_its_tenant(tenant, partner):
    invitation = InvitationFactory(tenant=tenant, partner=partner, email="new@contoso.example")
    assert send_invitation_task(tenant_id=tenant.id, invitation_id=invitation.id) is True
    assert mail.outbox[0].to == ["new@contoso.example"]
    assert get_active_tenant() is None  # and leaves it afterwards


def test_a_tenant_task_without_tenant_id_is_refused():
    with pytest.raises(TypeError, match="tenant_id"):
        send_invitation_task(invitation_id=1)


@pytest.mark.django_db
def test_a_tenant_task_for_a_deleted_tenant_does_nothing(tenant):
    assert send_invitation_task(tenant_id=tenant.id + 1000, invitation_id=1) is None


@pytest.mark.django_db
def test_sending_twice_sends_one_email(tenant, partner):
    invitation = InvitationFactory(tenant=tenant, partner=partner)
    send_invitation_task(tenant_id=tenant.id, invitation_id=invitation.id)
    send_invitation_task(tenant_id=tenant.id, invitation_id=invitation.id)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_invitation_is_published_to_the_broker_after_commit(
    tenant, partner, manager_user, broker_queue, django_capture_on_commit_callbacks
):
    with tenant_context(tenant), django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            tenant=tenant,
            actor=manager_user,
            email="new@contoso.example",
            role=Role.PARTNER_USER,
            partner=partner,
        )
    assert broker_queue() == 1


@pytest.mark.django_db
def test_a_broker_outage_keeps_the_invitation_and_the_sweep_sends_it_later(
    tenant, partner, manager_user, broker_down, django_capture_on_commit_callbacks
):
    client = login(manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/t/northwind/members/invite/",
            {"email": "new@contoso.example", "role": Role.PARTNER_USER, "partner": partner.id},
        )
    assert response.status_code == 302
    invitation = Invitation.unscoped.get(email="new@contoso.example")
    assert invitation.email_sent_at is None
    assert mail.outbox == []
    # The broker is back; beat runs the outbox sweep.
    assert send_pending_invitations_task() == 1
    assert mail.outbox[0].to == ["new@contoso.example"]
    assert send_pending_invitations_task() == 0
