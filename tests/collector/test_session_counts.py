"""Sessions per learner, for the school side's learner list: the API and both clients."""

from __future__ import annotations

import pytest

from collector.apikeys import api_key_create
from collector.client import CollectorError, HttpCollector, LocalCollector
from collector.tenants import tenant_default
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, event, now_ms, post_events
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)

UNKNOWN = "2d" * 16


@pytest.fixture(params=["local", "http"])
def collector(request):
    if request.param == "local":
        return LocalCollector()
    live_server = request.getfixturevalue("live_server")
    _, key = api_key_create(name="remote school", tenant=tenant_default())
    return HttpCollector(live_server.url, key)


def record_sessions(client, learner: str, sessions: list[str], widget: str = "BLL002") -> None:
    base = now_ms() - 10_000
    post_events(
        client,
        [event(session=s, widget=widget, t=base + i) for i, s in enumerate(sessions)],
        learner=learner,
    )


def test_it_counts_each_learners_sessions_and_says_zero_for_none(client, collector):
    record_sessions(client, OPAQUE, ["s-1", "s-2", "s-3"])
    record_sessions(client, OPAQUE, ["s-1"], widget="TEI001")  # another widget: another session
    record_sessions(client, OTHER_OPAQUE, ["s-9"])
    counts = collector.session_counts([OPAQUE, OTHER_OPAQUE, UNKNOWN])
    assert counts == {OPAQUE: 4, OTHER_OPAQUE: 1, UNKNOWN: 0}


def test_it_answers_an_empty_list_with_no_counts(collector):
    assert collector.session_counts([]) == {}


def test_it_splits_long_lists_into_calls_the_api_accepts(client, collector):
    record_sessions(client, OPAQUE, ["s-1"])
    learners = [f"{n:032x}" for n in range(2_400)] + [OPAQUE]
    counts = collector.session_counts(learners)
    assert len(counts) == 2_401
    assert counts[OPAQUE] == 1
    assert sum(counts.values()) == 1


def test_it_refuses_ids_that_are_not_opaque_ids(collector):
    with pytest.raises(CollectorError) as refused:
        collector.session_counts(["x" * 65])
    assert refused.value.status == 400
    assert "'learners'" in refused.value.message


def test_the_api_needs_a_key_and_at_most_1000_ids(client):
    url = "/api/v1/learners/session-counts"
    anonymous = client.post(url, {"learners": [OPAQUE]}, content_type="application/json")
    assert anonymous.status_code == 401

    _, key = api_key_create(name="remote school", tenant=tenant_default())
    auth = {"Authorization": f"Bearer {key}"}
    too_many = client.post(
        url,
        {"learners": [f"{n:032x}" for n in range(1_001)]},
        content_type="application/json",
        headers=auth,
    )
    assert too_many.status_code == 400
    assert "At most 1000 learners" in too_many.json()["error"]

    not_a_list = client.post(
        url, {"learners": OPAQUE}, content_type="application/json", headers=auth
    )
    assert not_a_list.status_code == 400

    ok = client.post(url, {"learners": [OPAQUE]}, content_type="application/json", headers=auth)
    assert ok.status_code == 200
    assert ok.json() == {"counts": {OPAQUE: 0}}
    assert client.get(url, headers=auth).status_code == 405


def test_the_session_counts_route_does_not_shadow_erasing_a_learner(client):
    _, key = api_key_create(name="remote school", tenant=tenant_default())
    auth = {"Authorization": f"Bearer {key}"}
    record_sessions(client, OPAQUE, ["s-1"])
    erased = client.delete(f"/api/v1/learners/{OPAQUE}", headers=auth)
    assert erased.status_code == 200
    assert erased.json()["sessions_deleted"] == 1


def test_the_openapi_document_describes_session_counts(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/learners/session-counts"]["post"]
    assert operation["security"] == [{"apiKey": []}]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["learners"]["maxItems"] == 1000
