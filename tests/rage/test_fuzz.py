"""Both RAGE endpoints under fuzzing: starts with any Authorization, content type and body; tracks
of RAGE-made statements broken at any one place, alone or among valid ones.

Whatever arrives, the answer is never a 500: a start either starts one session or stores nothing
(no player, session or learner made); a track either stores every statement it was sent or
nothing (no Statement or Event row). Each example runs in a transaction rolled back afterwards.
Bounded to run in seconds; derandomized on CI (CI=true).
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from collector.models import Event, Learner
from collector.rage.models import RagePlayer, RageSession
from collector.xapi import iris
from collector.xapi.models import Statement
from tests.collector.helpers import issue_token
from tests.rage.helpers import start, trace, track, tracking_code
from tests.xapi.test_fuzz import _paths, json_values, near_values, rolled_back

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])

FUZZ = hypothesis_settings(
    max_examples=120,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.INGEST_RATE_LIMIT = 1_000_000  # the fuzzer sends far faster than any game


def _rows() -> tuple[int, ...]:
    return (
        RagePlayer.objects.count(),
        RageSession.objects.count(),
        Learner.objects.count(),
        Statement.objects.count(),
        Event.objects.count(),
    )


authorizations = st.one_of(
    st.none(),
    st.just("valid"),
    st.text(max_size=30),
    st.text(max_size=30).map(lambda text: f"Bearer {text}"),
)
start_bodies = st.one_of(
    st.none(),
    st.binary(max_size=40),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.sampled_from(["anonymous", "x"]), json_values | near_values).map(
        lambda value: json.dumps(value).encode()
    ),
)


@FUZZ
@given(
    authorization=authorizations,
    body=start_bodies,
    content_type=st.sampled_from(["application/json", "text/plain", "application/json; x=1"]),
)
def test_a_start_starts_one_session_or_nothing(client, authorization, body, content_type):
    with rolled_back():
        code = tracking_code()
        if authorization == "valid":
            authorization = f"Bearer {issue_token()}"
        headers = {"Authorization": authorization} if authorization is not None else {}
        before = _rows()
        if body is None:
            answer = client.generic("POST", f"/api/collector/start/{code.code}", headers=headers)
        else:
            answer = client.generic(
                "POST", f"/api/collector/start/{code.code}", body, content_type=content_type,
                headers=headers,
            )  # fmt: skip
        assert answer.status_code in {200, 400, 404, 413, 415}, answer.content
        if answer.status_code != 200:
            assert answer.json()["error"]
            assert _rows() == before, "a refused start stored something"
            return
        assert RageSession.objects.count() == before[1] + 1


def _templates(started: dict) -> st.SearchStrategy[dict[str, Any]]:
    widget = {
        "verb": {"id": iris.verb_of("session_started")},
        "object": {"id": started["objectId"]},
    }
    scored = trace(started, "quest/1", result={"score": {"scaled": 0.5}, "success": True})
    bare = {k: v for k, v in trace(started, "screen/2").items() if k != "actor"}
    return st.sampled_from([trace(started), widget, scored, bare])


@st.composite
def _mutated(draw, templates: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    made = copy.deepcopy(draw(templates))
    path = draw(st.sampled_from(_paths(made)[1:]))
    parent = made
    for step in path[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "add" and isinstance(parent[path[-1]], dict):
        parent[path[-1]][draw(st.text(max_size=12))] = draw(json_values | near_values)
    else:
        parent[path[-1]] = draw(json_values | near_values)
    return made


@FUZZ
@given(data=st.data())
def test_a_track_is_stored_whole_or_not_at_all(client, data):
    with rolled_back():
        started = start(client, tracking_code(activity=iris.widget_activity("BLL002")).code)
        started = started.json()
        templates = _templates(started)
        batch = copy.deepcopy(data.draw(st.lists(templates, max_size=3)))
        batch.insert(data.draw(st.integers(0, len(batch))), data.draw(_mutated(templates)))
        body = data.draw(st.sampled_from([batch, batch[0], {"statements": batch}]))
        before = _rows()
        answer = track(client, started["authToken"], body)
        assert answer.status_code in {200, 400, 403, 409}, answer.content
        if answer.status_code != 200:
            assert answer.json()["error"]
            assert _rows() == before, "a refused track stored something"
            return
        assert Statement.objects.count() == before[3] + len(batch)
