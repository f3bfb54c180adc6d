"""Grade passback with a real Celery worker and beat: a completed session's score arrives in the
test LMS's gradebook once, and after a retry when the gradebook was down."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from collector.models import Session
from lti.models import Passback, PassbackStatus
from lti.tasks import send_passback
from tests.lti.test_launch import widget_config
from tests.support.lms import launch_through
from tests.support.worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "analytics"])

FIXTURE = Path(__file__).resolve().parents[1] / "widgets" / "fixtures" / "tei001_session.json"


def wait_for(what: str, condition: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        time.sleep(0.2)


def complete_session(client: Client, config: dict) -> None:
    """The learner works through TEI001 to the end, as the recorded fixture session did."""
    recorded = json.loads(FIXTURE.read_text())
    shift = int(time.time() * 1000) - recorded[-1]["t"]
    events = [
        {**e, "id": str(uuid.uuid4()), "session": config["session"], "t": e["t"] + shift}
        for e in recorded
    ]
    response = client.post(
        "/api/v1/events",
        json.dumps({"events": events}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {config['token']}"},
    )
    assert response.status_code == 202, response.content


@pytest.fixture
def completed(lms, platform, live_server):
    """A learner launched from a graded link and completed the widget's session."""
    lms.tool_jwks_url = f"{live_server.url}/lti/jwks.json"
    client = Client()
    config = widget_config(launch_through(client, lms, lms.prepare_launch(sub="u-42")))
    complete_session(client, config)
    return Passback.objects.get(session=config["session"])


def expected_score(passback: Passback) -> tuple[float, float]:
    session = Session.objects.get(session=passback.session)
    return session.score, session.maximum


@pytest.mark.worker
def test_a_completed_sessions_score_arrives_in_the_gradebook_once(lms, completed):
    with running_worker(beat=True, env={"BEAT_INTERVAL": "1"}):
        wait_for("the score", lambda: len(lms.gradebook.scores) == 1)
        wait_for("the passback sent", lambda: Passback.objects.get().status == "sent")
        # Later sweeps find nothing to send.
        assert send_passback.apply(args=[completed.pk]).get() == "busy"

    [score] = lms.gradebook.scores
    given, maximum = expected_score(completed)
    assert maximum and score["scoreGiven"] == given and score["scoreMaximum"] == maximum
    assert score["userId"] == "u-42"
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert score["lineitem"] == "1"  # the line item the launch named
    completed.refresh_from_db()
    assert (completed.score_given, completed.score_maximum) == (given, maximum)


@pytest.mark.worker
def test_a_score_the_gradebook_could_not_take_is_sent_again_later(lms, completed):
    lms.gradebook.down = 1  # the next score post gets a 503

    with running_worker(beat=True, env={"BEAT_INTERVAL": "1"}):
        wait_for("the score after a retry", lambda: len(lms.gradebook.scores) == 1)
        wait_for("the passback sent", lambda: Passback.objects.get().status == "sent")

    assert lms.gradebook.refused == 1
    assert len(lms.gradebook.scores) == 1
    completed.refresh_from_db()
    assert completed.attempts == 1
    assert completed.status == PassbackStatus.SENT
    assert "503" in completed.last_error
