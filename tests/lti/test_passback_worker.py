"""Grade passback with a real Celery worker: a completed session's score arrives in the test
LMS's gradebook once, and after a retry when the gradebook was down.

The test plays celery beat (it sends the sweep and waits for it), because a beat at one second
floods the embedded filesystem broker, which hands out about one message a second."""

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
from lti.tasks import passback_sweep, send_passback
from tests.lti.test_launch import widget_config
from tests.support.lms import launch_through
from tests.support.worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "analytics"])

FIXTURE = Path(__file__).resolve().parents[1] / "widgets" / "fixtures" / "tei001_session.json"


def wait_for(what: str, condition: Callable[[], bool], timeout: float = 180) -> None:
    """Asks again until the condition holds; each ask waits for a task, so no sleep is needed."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")


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


def sent(passback: Passback) -> bool:
    passback.refresh_from_db()
    return passback.status == PassbackStatus.SENT


@pytest.mark.worker
def test_a_completed_sessions_score_arrives_in_the_gradebook_once(lms, completed):
    with running_worker():
        # What celery beat does every BEAT_INTERVAL; each sweep is awaited, never a sleep.
        wait_for(
            "the score", lambda: passback_sweep.delay().get(timeout=60) >= 0 and sent(completed)
        )
        # Sweeps and tasks after that find nothing to send.
        assert passback_sweep.delay().get(timeout=60) == 0
        assert send_passback.delay(completed.pk).get(timeout=60) == "busy"

    [score] = lms.gradebook.scores
    given, maximum = expected_score(completed)
    assert maximum and score["scoreGiven"] == given and score["scoreMaximum"] == maximum
    assert score["userId"] == "u-42"
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert score["lineitem"] == "1"  # the line item the launch named
    assert (completed.score_given, completed.score_maximum) == (given, maximum)


@pytest.mark.worker
def test_a_score_the_gradebook_could_not_take_is_sent_again_later(lms, completed):
    # The sweep's post and the retry task's first post get a 503; its second retry gets in.
    lms.gradebook.down = 2

    with running_worker():
        wait_for(
            "the score", lambda: passback_sweep.delay().get(timeout=60) >= 0 and sent(completed)
        )

    assert lms.gradebook.refused == 2
    assert len(lms.gradebook.scores) == 1
    assert completed.attempts == 2
    assert "503" in completed.last_error
