"""The collector's periodic tasks, as celery beat runs them: sweeping and deleting data requests.

The tasks are called as the worker calls them; what they enqueue runs eagerly where a test
says so, so a requeued request is really processed.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from collector.apikeys import internal_api_key
from collector.datarequests import data_request_fail, data_request_process
from collector.models import DataRequest, DataRequestResult
from collector.tasks import delete_old_data_requests, sweep_data_requests
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, event, now_ms, post_events
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


@pytest.fixture
def recorded(client):
    """Two learners with two sessions each."""
    base = now_ms() - 3_600_000
    for learner in (OPAQUE, OTHER_OPAQUE):
        response = post_events(
            client,
            [
                event(session="s-a", t=base),
                event(session="s-a", t=base + 60_000),
                event(session="s-b", widget="TEI001", t=base + 120_000),
            ],
            learner=learner,
        )
        assert response.status_code == 202
    return base


def lost_request(*, created_ago: timedelta, started_ago: timedelta | None = None) -> DataRequest:
    """A PROCESSING request whose task never reached a worker (made without enqueuing one)."""
    request = DataRequest.objects.create(
        api_key=internal_api_key(),
        tenant=internal_api_key().tenant,
        kind="sessions",
        learners=[OPAQUE, OTHER_OPAQUE],
    )
    DataRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - created_ago,
        started_at=None if started_ago is None else timezone.now() - started_ago,
    )
    request.refresh_from_db()
    return request


@pytest.mark.usefixtures("eager_tasks")
def test_it_requeues_a_request_no_worker_started_and_it_gets_done(recorded):
    request = lost_request(created_ago=timedelta(minutes=6))
    assert sweep_data_requests() == {"requeued": 1, "failed": 0}
    request.refresh_from_db()
    assert request.status == "DONE"
    assert request.result_count == 4
    assert DataRequestResult.objects.filter(request=request).count() == 4


@pytest.mark.usefixtures("eager_tasks")
def test_it_requeues_a_request_started_so_long_ago_that_its_worker_is_gone(recorded):
    request = lost_request(created_ago=timedelta(hours=2), started_ago=timedelta(minutes=61))
    assert sweep_data_requests() == {"requeued": 1, "failed": 0}
    request.refresh_from_db()
    assert request.status == "DONE"


@pytest.mark.usefixtures("eager_tasks")
def test_it_leaves_requests_that_are_queued_or_being_processed_alone(recorded):
    queued = lost_request(created_ago=timedelta(minutes=4))
    # Started a minute ago: inside REQUEUE_STARTED_AFTER (90 s), so still its worker's.
    running = lost_request(created_ago=timedelta(minutes=50), started_ago=timedelta(seconds=60))
    assert sweep_data_requests() == {"requeued": 0, "failed": 0}
    for request in (queued, running):
        request.refresh_from_db()
        assert request.status == "PROCESSING"
        assert not request.results.exists()


@pytest.mark.usefixtures("eager_tasks")
def test_it_fails_a_request_still_processing_after_a_day_with_a_reason(recorded):
    hopeless = lost_request(created_ago=timedelta(hours=25), started_ago=timedelta(hours=24))
    assert sweep_data_requests() == {"requeued": 0, "failed": 1}
    hopeless.refresh_from_db()
    assert hopeless.status == "FAILED"
    assert hopeless.reason == "No worker finished this request within 24 hours. Submit it again."
    assert hopeless.finished_at is not None
    # Swept again, it stays as it is.
    assert sweep_data_requests() == {"requeued": 0, "failed": 0}


def test_a_requeued_request_that_finished_meanwhile_is_left_as_it_is(recorded):
    request = lost_request(created_ago=timedelta(minutes=6))
    data_request_process(request_id=str(request.pk))
    request.refresh_from_db()
    finished_at = request.finished_at
    data_request_process(request_id=str(request.pk))  # the requeued copy arrives
    assert data_request_fail(request_id=str(request.pk), reason="late failure") is False
    request.refresh_from_db()
    assert (request.status, request.result_count, request.progress) == ("DONE", 4, 100)
    assert request.finished_at == finished_at
    assert DataRequestResult.objects.filter(request=request).count() == 4


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_two_workers_processing_one_request_at_once_store_its_results_once(recorded):
    request = lost_request(created_ago=timedelta(minutes=6))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            start.wait()
            data_request_process(request_id=str(request.pk))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    request.refresh_from_db()
    assert (request.status, request.result_count) == ("DONE", 4)
    assert DataRequestResult.objects.filter(request=request).count() == 4


def test_it_deletes_finished_requests_and_their_results_after_the_retention(recorded, settings):
    settings.DATA_REQUEST_RETENTION_DAYS = 7
    old_done, old_failed, recent, old_processing = (
        lost_request(created_ago=timedelta(days=9)) for _ in range(4)
    )
    for request in (old_done, recent):
        data_request_process(request_id=str(request.pk))
    data_request_fail(request_id=str(old_failed.pk), reason="boom")
    DataRequest.objects.filter(pk__in=[old_done.pk, old_failed.pk]).update(
        finished_at=timezone.now() - timedelta(days=8)
    )
    DataRequest.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - timedelta(days=6))

    assert delete_old_data_requests() == 2
    assert set(DataRequest.objects.values_list("pk", flat=True)) == {recent.pk, old_processing.pk}
    assert set(DataRequestResult.objects.values_list("request_id", flat=True)) == {recent.pk}
    assert delete_old_data_requests() == 0
