"""A data request in flight survives its whole worker being killed (SIGKILL, process group).

A real worker starts processing a `scores` request over enough events to take seconds; the test
kills the worker's whole process group (main process, pool children, beat), as the OOM killer or
a pulled plug would, then starts a new worker and waits for DONE.

How the work comes back depends on the broker (docs/deploy.md, "When a worker dies"):
- Redis: the message stayed unacknowledged; a worker puts it back once it has been out for the
  visibility timeout. Production's timeout is 90 s; this test gives the workers a short one
  (PATHLENS_TEST_VISIBILITY_TIMEOUT, read only by tests/settings.py) to stay fast, and
  `test_the_production_settings_bring_work_back_within_two_minutes` checks production's (run
  with PATHLENS_KILL_TEST_PRODUCTION=1 to wait the real 90 s).
- RabbitMQ: the broker requeues the message as soon as the dead worker's connection closes.
- The filesystem broker (make run): the message was removed when it was fetched, so only the
  sweep brings the request back. The test runs the sweep as celery beat would two minutes after
  the request started (its clock moved on), and the new worker processes what it requeued.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from celery import current_app
from django.conf import settings
from django.core.management import call_command

from collector.client import get_client
from collector.datarequests import REQUEUE_STARTED_AFTER, data_requests_sweep
from collector.models import DataRequest
from dashboard.models import LearnerIdentity
from tests.support.db import BOTH_DATABASES
from tests.support.worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)

BOUND = timedelta(minutes=2)  # work in flight resumes this soon after a worker restart
TEST_VISIBILITY_TIMEOUT = 8


def wait_until(check, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError(f"not {what} within {timeout} s")


def broker_redelivers() -> bool:
    return not settings.CELERY_BROKER_URL.startswith("filesystem")


@pytest.mark.worker
def test_a_request_whose_whole_worker_was_killed_mid_way_is_finished_by_the_next_worker(
    time_machine,
):
    # 20 learners × 300 sessions × 6 events: 36,000 events, 6,000 sessions to summarise, which
    # takes a worker a few seconds (the summaries' COPY write made PostgreSQL's fast).
    call_command("generate_events", "--learners", "20", "--sessions", "300", "--events", "6")
    learners = list(LearnerIdentity.objects.values_list("opaque_id", flat=True))
    # PATHLENS_KILL_TEST_PRODUCTION=1 keeps production's Redis timeout (a check by hand: ~2 min).
    production = os.environ.get("PATHLENS_KILL_TEST_PRODUCTION") == "1"
    env = {} if production else {"PATHLENS_TEST_VISIBILITY_TIMEOUT": str(TEST_VISIBILITY_TIMEOUT)}

    with running_worker(env=env) as worker:
        created = get_client().create_data_request(kind="scores", learners=learners, widgets=[])
        request = DataRequest.objects.get(pk=created.id)

        def processing():
            request.refresh_from_db()
            return request.started_at is not None and request.status == "PROCESSING"

        wait_until(processing, timeout=30, what="started by the first worker")
        time.sleep(0.2)  # inside the work (seconds long), past its first queries
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    request.refresh_from_db()
    assert request.status == "PROCESSING", "the work finished before the kill: make it longer"
    killed_at = time.monotonic()

    with running_worker(env=env):
        if not broker_redelivers():
            # celery beat's sweep, as it runs two minutes after the request started.
            time_machine.move_to(request.started_at + BOUND, tick=True)
            assert data_requests_sweep() == {"requeued": 1, "failed": 0}

        def done():
            request.refresh_from_db()
            return request.status == "DONE"

        wait_until(
            done,
            timeout=BOUND.total_seconds() if production else 50,
            what="DONE after the restart",
        )
    took = time.monotonic() - killed_at
    assert request.result_count == 6000
    print(f"DONE {took:.1f} s after the kill on {settings.CELERY_BROKER_URL.split(':')[0]}")


def test_the_production_settings_bring_work_back_within_two_minutes():
    assert current_app.conf.task_acks_late is True
    assert current_app.conf.task_reject_on_worker_lost is True
    # Redis: a worker restores an unacknowledged message once it is older than the visibility
    # timeout, looking every REDIS_RESTORE_EVERY seconds; some seconds are left for the work.
    redelivered_within = settings.REDIS_VISIBILITY_TIMEOUT + settings.REDIS_RESTORE_EVERY
    assert redelivered_within <= BOUND.total_seconds() - 15
    # The sweep (every BEAT_INTERVAL, 60 s by default) requeues a request started longer ago
    # than REQUEUE_STARTED_AFTER: a backstop on Redis and RabbitMQ, the way back on the
    # filesystem broker, and never before a redelivery by Redis would have come.
    assert BOUND - timedelta(seconds=30) >= REQUEUE_STARTED_AFTER
    assert REQUEUE_STARTED_AFTER.total_seconds() >= settings.REDIS_VISIBILITY_TIMEOUT
