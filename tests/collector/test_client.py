"""The school side's client, in-process and over HTTP against a live server: same tests, both.

The worker test processes a data request in a real Celery worker process, through the broker
configured for this run (the filesystem broker, or Redis in CI).
"""

from __future__ import annotations

import json
import time

import pytest

from collector.apikeys import api_key_create
from collector.client import CollectorError, HttpCollector, LocalCollector
from collector.datarequests import data_request_process
from collector.models import Event
from collector.tenants import tenant_default
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, event, now_ms, post_events
from tests.support.db import BOTH_DATABASES
from tests.support.worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)


@pytest.fixture(params=["local", "http"])
def collector(request):
    if request.param == "local":
        return LocalCollector()
    live_server = request.getfixturevalue("live_server")
    _, key = api_key_create(name="remote school", tenant=tenant_default())
    return HttpCollector(live_server.url, key)


def record(client, learner=OPAQUE, session="c-1", n=3):
    base = now_ms() - 10_000
    post_events(
        client,
        [event(session=session, t=base + i * 1000) for i in range(n)],
        learner=learner,
    )


def wait_until_done(collector, request_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = collector.get_data_request(request_id)
        if info.status != "PROCESSING":
            return info
        time.sleep(0.2)
    raise AssertionError(f"data request {request_id} still PROCESSING after {timeout}s")


@pytest.mark.worker
def test_a_data_request_is_processed_by_a_real_worker(client, collector):
    record(client)
    record(client, learner=OTHER_OPAQUE, session="c-2", n=2)
    with running_worker():
        created = collector.create_data_request(
            kind="sessions", learners=[OPAQUE, OTHER_OPAQUE], widgets=["BLL002"]
        )
        assert created.status == "PROCESSING"
        done = wait_until_done(collector, created.id)
    assert done.status == "DONE"
    assert done.result_count == 2
    rows = sorted(collector.iter_results(created.id), key=lambda row: row["learner"])
    assert [(r["learner"], r["events"]) for r in rows] == [(OPAQUE, 3), (OTHER_OPAQUE, 2)]


@pytest.mark.worker
def test_statements_are_processed_by_a_real_worker_and_paged_through(client, collector):
    record(client, n=3)
    record(client, learner=OTHER_OPAQUE, session="c-2", n=2)
    with running_worker():
        created = collector.create_data_request(
            kind="statements", learners=[OPAQUE, OTHER_OPAQUE], widgets=[]
        )
        done = wait_until_done(collector, created.id)
    assert (done.status, done.result_count) == ("DONE", 5)
    statements = list(collector.iter_statements(created.id))
    assert [s["actor"]["account"]["name"] for s in statements] == [OPAQUE] * 3 + [OTHER_OPAQUE] * 2
    stored = {str(event_id) for event_id in Event.objects.values_list("event_id", flat=True)}
    assert {s["id"] for s in statements} == stored


@pytest.mark.worker
def test_scores_are_processed_by_a_real_worker(client, collector):
    record(client)
    with running_worker():
        created = collector.create_data_request(kind="scores", learners=[OPAQUE], widgets=[])
        done = wait_until_done(collector, created.id)
    assert done.status == "DONE"
    [row] = list(collector.iter_results(created.id))
    assert row["events"] == 3
    assert "score" in row


def test_it_reports_api_errors_with_status_and_message(collector):
    with pytest.raises(CollectorError) as refused:
        collector.create_data_request(kind="nope", learners=[OPAQUE], widgets=[])
    assert refused.value.status == 400
    assert "'kind'" in refused.value.message
    with pytest.raises(CollectorError) as missing:
        collector.get_data_request("00000000-0000-0000-0000-000000000000")
    assert missing.value.status == 404


def test_results_of_an_unfinished_request_are_refused(collector):
    created = collector.create_data_request(kind="sessions", learners=[OPAQUE], widgets=[])
    with pytest.raises(CollectorError) as early:
        list(collector.iter_results(created.id))
    assert early.value.status == 409


def test_the_results_table_holds_the_api_rows_as_tuples(client, collector):
    record(client)
    record(client, learner=OTHER_OPAQUE, session="c-2", n=2)
    created = collector.create_data_request(
        kind="scores", learners=[OPAQUE, OTHER_OPAQUE], widgets=[]
    )
    with pytest.raises(CollectorError) as early:
        collector.results_table(created.id)
    assert early.value.status == 409
    data_request_process(request_id=created.id)
    table = collector.results_table(created.id)
    dicts = list(collector.iter_results(created.id))
    assert table.columns == [name for name in dicts[0] if name != "duration"]
    assert {"score", "items", "active_ms", "outcome"} <= set(table.columns)
    # The same values; `items` as JSON text, which an import stores as it is.
    items = table.columns.index("items")
    assert [(*row[:items], json.loads(row[items])) for row in table.rows] == [
        tuple(row[name] for name in table.columns) for row in dicts
    ]
    assert all(isinstance(row[items], str) for row in table.rows)
    assert sorted(row[table.columns.index("events")] for row in table.rows) == [2, 3]


def test_it_issues_tokens_that_the_ingestion_api_accepts_and_revokes_them(client, collector):
    token = collector.issue_learner_token(OPAQUE)
    assert post_events(client, token=token).status_code == 202
    collector.revoke_learner(OPAQUE)
    assert post_events(client, token=token).status_code == 401


def test_it_reads_a_sessions_events_for_replay(client, collector):
    record(client, n=4)
    payload = collector.session_events(learner=OPAQUE, session="c-1")
    assert len(payload["events"]) == 4
    assert payload["sessions"][0]["widget"] == "BLL002"


def test_it_reads_many_sessions_events_at_once_for_the_item_analysis(client, collector):
    record(client, n=4)
    record(client, learner=OTHER_OPAQUE, session="c-2", n=2)
    found = collector.sessions_events(
        [(OPAQUE, "c-1", "BLL002"), (OTHER_OPAQUE, "c-2", "BLL002"), (OPAQUE, "gone", "BLL002")]
    )
    assert [len(found[key]) for key in found] == [4, 2, 0]
    first = found[(OPAQUE, "c-1", "BLL002")]
    assert set(first[0]) == {"type", "t", "data"}
    assert [e["t"] for e in first] == sorted(e["t"] for e in first)


def test_it_erases_and_moves_learners(client, collector):
    record(client)
    record(client, learner=OTHER_OPAQUE, session="c-2")
    assert collector.move_learner(OPAQUE, "3c" * 16) == {"events_moved": 3}
    assert collector.erase_learner(OTHER_OPAQUE)["events_deleted"] == 3
    assert set(Event.objects.values_list("learner", flat=True)) == {"3c" * 16}


def test_an_unreachable_collector_is_a_clear_error():
    remote = HttpCollector("http://127.0.0.1:9", "plk_x_y", timeout=2)
    with pytest.raises(CollectorError) as unreachable:
        remote.get_data_request("00000000-0000-0000-0000-000000000000")
    assert unreachable.value.status == 503
    assert "cannot be reached" in unreachable.value.message
