"""POST /segment/v1/batch under fuzzing: valid messages (widget tracks, other tracks, pages,
identify) broken at any one place, alone or in a batch with valid ones.

Whatever arrives, the answer is never a 500: a valid batch is stored (200) and sending it again
changes nothing; anything else is a 4xx with a JSON message naming the field, and then not one
Event, Statement or Learner row changed. Each example runs in a transaction rolled back
afterwards. Bounded to run in seconds; derandomized on CI (CI=true).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.models import Event, Learner
from collector.xapi.models import Statement
from tests.segment.helpers import post, track, widget_track, write_key
from tests.support import fuzz
from tests.support.fuzz import fuzz_settings, json_values, refused_with_nothing_stored, rolled_back

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])

FUZZ = fuzz_settings()
REFUSALS = {400, 401}
near_values = st.sampled_from(
    [
        "", "BLL002", "seg-1", "weight_placed", "session_started", "ada@school.example",
        "Ada Lovelace", "https://x.example/a?b=c", "2026-12-06T09:30:00Z", "1999-01-01T00:00:00Z",
        "\x00", "\ud800", "track", "page", "identify", -2, 0.5, 2, 1e308, True, [], {},
    ]
)  # fmt: skip


def _template(kind: str) -> dict[str, Any]:
    if kind == "widget":
        return widget_track()
    if kind == "started":
        return widget_track("session_started")
    if kind == "scored":
        return track("Quiz", activity="quiz-7", scaled_score=0.5, completed=True, session="a-1")
    if kind == "page":
        return {
            **track(),
            "type": "page",
            "name": "Home",
            "properties": {"url": "https://x.example/p"},
        }
    if kind == "identify":
        return {**track(), "type": "identify", "traits": {"grade": 7}}
    return track("Read")


def templates() -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(["widget", "started", "scored", "page", "identify", "other"]).map(
        _template
    )


def mutated() -> st.SearchStrategy[dict[str, Any]]:
    return fuzz.mutated(templates(), near_values)


def counts() -> tuple[int, int, int]:
    return Statement.objects.count(), Event.objects.count(), Learner.objects.count()


def _check(client, key: str, body: Any) -> None:
    before = counts()
    response = post(client, key, body)
    if refused_with_nothing_stored(
        response, accepted=200, refusals=REFUSALS, counts=counts, before=before
    ):
        return
    after = counts()
    assert post(client, key, body).status_code == 200
    assert counts() == after, "sending the same batch again stored something"


@FUZZ
@given(message=mutated())
def test_one_message_is_stored_or_refused_whole(client, message):
    key = write_key()
    with rolled_back():
        _check(client, key, {"batch": [message]})


@FUZZ
@given(valid=st.lists(templates(), min_size=1, max_size=4), broken=mutated(), at=st.integers(0, 4))
def test_a_batch_is_stored_whole_or_not_at_all(client, valid, broken, at):
    key = write_key()
    batch = copy.deepcopy(valid)
    batch.insert(min(at, len(batch)), broken)
    with rolled_back():
        _check(client, key, {"batch": batch, "sentAt": "2026-12-06T09:30:01Z"})


@FUZZ
@given(body=json_values | st.dictionaries(st.sampled_from(["batch", "sentAt"]), json_values))
def test_a_body_that_is_not_a_batch_is_a_400(client, body):
    key = write_key()
    with rolled_back():
        response = post(client, key, body)
        assert response.status_code == 400, response.content
        assert response.json()["error"]
        assert counts() == (0, 0, 0)
