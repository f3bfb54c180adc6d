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
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.models import Event, Learner
from collector.rage.models import RagePlayer, RageSession
from collector.xapi import iris
from collector.xapi.models import Statement
from tests.collector.helpers import issue_token
from tests.rage.helpers import start, trace, track, tracking_code
from tests.support.fuzz import (
    fuzz_settings,
    json_values,
    mutated,
    refused_with_nothing_stored,
    rolled_back,
)
from tests.xapi.helpers import near_values

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])

FUZZ = fuzz_settings(max_examples=120)


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
        if refused_with_nothing_stored(
            answer, accepted=200, refusals={400, 404, 413, 415}, counts=_rows, before=before
        ):
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


@FUZZ
@given(data=st.data())
def test_a_track_is_stored_whole_or_not_at_all(client, data):
    with rolled_back():
        started = start(client, tracking_code(activity=iris.widget_activity("BLL002")).code)
        started = started.json()
        templates = _templates(started)
        batch = copy.deepcopy(data.draw(st.lists(templates, max_size=3)))
        batch.insert(
            data.draw(st.integers(0, len(batch))), data.draw(mutated(templates, near_values))
        )
        body = data.draw(st.sampled_from([batch, batch[0], {"statements": batch}]))
        before = _rows()
        answer = track(client, started["authToken"], body)
        if refused_with_nothing_stored(
            answer, accepted=200, refusals={400, 403, 409}, counts=_rows, before=before
        ):
            return
        assert Statement.objects.count() == before[3] + len(batch)
