"""`ingest_events`, the school side's way to append a learner's events (demo data, benchmarks).

Both clients, in-process and over HTTP against a live server, must answer as POST /api/v1/events
does: same checks, same write path, same statuses.
"""

from __future__ import annotations

import pytest

from collector.apikeys import api_key_create
from collector.client import CollectorError, HttpCollector, LocalCollector
from collector.models import Event, QuarantinedEvent, Session
from collector.tenants import tenant_default
from tests.collector.helpers import OPAQUE, event, issue_token, now_ms
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)


@pytest.fixture(params=["local", "http"])
def collector(request):
    if request.param == "local":
        return LocalCollector()
    live_server = request.getfixturevalue("live_server")
    _, key = api_key_create(name="remote school", tenant=tenant_default())
    return HttpCollector(live_server.url, key)


@pytest.fixture
def token() -> str:
    return issue_token(OPAQUE)


def session_of(n: int, session: str = "ing-1", widget: str = "TEI001") -> list[dict]:
    base = now_ms() - 60_000
    started = [event(session=session, widget=widget, type="session_started", t=base)]
    items = [
        event(session=session, widget=widget, type="item_started", t=base + i, data={"item": 1})
        for i in range(1, n)
    ]
    return started + items


def test_it_stores_the_events_under_the_tokens_learner_and_session(collector, token):
    events = session_of(5)
    assert collector.ingest_events(token, events) == {"accepted": 5, "duplicates": 0}
    stored = Event.objects.filter(learner=OPAQUE, session="ing-1").order_by("t")
    assert [str(e.event_id) for e in stored] == [e["id"] for e in events]
    assert Session.objects.get(learner=OPAQUE, session="ing-1").event_count == 5


def test_sending_the_same_events_again_counts_duplicates(collector, token):
    events = session_of(3)
    collector.ingest_events(token, events)
    assert collector.ingest_events(token, events) == {"accepted": 0, "duplicates": 3}
    assert Event.objects.count() == 3


def test_it_splits_large_lists_into_batches_of_1000(collector, token):
    events = session_of(2345)
    assert collector.ingest_events(token, events) == {"accepted": 2345, "duplicates": 0}
    assert Event.objects.filter(learner=OPAQUE).count() == 2345
    # Three batches received: every event of one batch shares its receive time.
    assert Event.objects.values("received").distinct().count() <= 3


def test_it_applies_sent_at_as_the_api_does(collector, token):
    [only] = session_of(1)
    collector.ingest_events(token, [only], sent_at=only["t"] - 5_000)
    stored = Event.objects.get()
    assert stored.time - stored.t >= 5_000  # the client clock was 5 s behind ours


def test_an_event_the_registry_refuses_is_quarantined_and_the_rest_of_the_batch_stored(
    collector, token
):
    events = session_of(3)
    events[2]["data"] = {"item": 99}
    assert collector.ingest_events(token, events) == {"accepted": 2, "duplicates": 0, "refused": 1}
    assert Event.objects.count() == 2
    assert QuarantinedEvent.objects.count() == 1


def test_a_batch_with_no_valid_event_is_a_400_naming_it(collector, token):
    events = session_of(1)
    events[0]["data"] = {"item": 99}
    with pytest.raises(CollectorError) as refused:
        collector.ingest_events(token, events)
    assert refused.value.status == 400
    assert "nothing was stored" in refused.value.message
    assert "events[0]" in refused.value.message
    assert Event.objects.count() == 0


def test_an_empty_list_is_refused_as_the_api_refuses_an_empty_batch(collector, token):
    with pytest.raises(CollectorError) as refused:
        collector.ingest_events(token, [])
    assert refused.value.status == 400


@pytest.mark.parametrize("bad_token", ["", "not-a-token"])
def test_a_bad_token_is_a_401(collector, bad_token):
    with pytest.raises(CollectorError) as refused:
        collector.ingest_events(bad_token or "x", session_of(1))
    assert refused.value.status == 401
    assert Event.objects.count() == 0


def test_a_revoked_token_is_a_401(collector, token):
    collector.revoke_learner(OPAQUE)
    with pytest.raises(CollectorError) as refused:
        collector.ingest_events(token, session_of(1))
    assert refused.value.status == 401
    assert Event.objects.count() == 0


def test_an_id_reused_for_other_content_is_a_409(collector, token):
    [first] = session_of(1)
    collector.ingest_events(token, [first])
    with pytest.raises(CollectorError) as refused:
        collector.ingest_events(token, [{**first, "t": first["t"] + 1}])
    assert refused.value.status == 409
    assert first["id"] in refused.value.message
    assert list(Event.objects.values_list("t", flat=True)) == [first["t"]]


def test_an_event_larger_than_a_request_body_may_be_is_a_413(collector, token):
    [huge] = session_of(1)
    huge["data"] = {"padding": "x" * (1024 * 1024)}
    with pytest.raises(CollectorError) as refused:
        collector.ingest_events(token, [huge])
    assert refused.value.status == 413
    assert Event.objects.count() == 0
