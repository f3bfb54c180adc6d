"""Helpers for tests of the replay: TEI001 sessions as a browser would send them, recorded through
the real ingestion API, and a teacher's project whose run found them (the real create → process
→ import path).
"""

from __future__ import annotations

import contextlib
import uuid

from celery import current_app

from projects.models import Project, RunSession
from tests.collector.helpers import now_ms, post_events
from tests.support.projects import finished_project

SECOND = 1000
BATCH = 1000  # the ingestion API's largest batch


def tei_event(session: str, t: int, type_: str, **data) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "session": session,
        "widget": "TEI001",
        "type": type_,
        "t": t,
        "data": data,
    }


def tei_session(session: str, start: int, *, moves: int = 0, gap: int = 0) -> list[dict]:
    """A learner working on TEI001's first item: start, place all four cards, move one card back
    and forth `moves` times (a second apart), then check. `gap` ms of idleness come before the
    check, so a replay has a gap to skip."""
    t = start
    events = [tei_event(session, t, "session_started")]

    def add(type_: str, step: int = SECOND, **data) -> None:
        nonlocal t
        t += step
        events.append(tei_event(session, t, type_, **data))

    add("item_started", item=1)
    add("card_placed", item=1, card="1/4", position=3)
    add("card_placed", item=1, card="1/2", position=9)  # wrong: 1/2 belongs at 6
    add("card_placed", item=1, card="3/4", position=9)
    add("card_placed", item=1, card="5/4", position=15)
    position = 9
    for _ in range(moves):
        new = 6 if position == 9 else 9
        add("card_moved", item=1, card="1/2", position=new, **{"from": position})
        position = new
    add("answer_checked", SECOND + gap, item=1, attempt=1, correct_cards=["1/4", "3/4", "5/4"])
    return events


MINUTE = 60 * SECOND
DAY = 24 * 60 * MINUTE


def resumed_session(session: str, start: int) -> list[dict]:
    """A TEI001 session of two sittings, 12 minutes each, two days apart: three cards placed in
    the first; the last card and a check in the second. Active time: 6 min 06 s, then 4 min
    05 s (gaps capped at 2 min, 5 s after each sitting's last event): 10 min 11 s."""
    resumed = start + 2 * DAY
    return [
        tei_event(session, start, "session_started"),
        tei_event(session, start + SECOND, "item_started", item=1),
        tei_event(session, start + 3 * MINUTE, "card_placed", item=1, card="1/4", position=3),
        tei_event(session, start + 6 * MINUTE, "card_placed", item=1, card="1/2", position=6),
        tei_event(session, start + 12 * MINUTE, "card_placed", item=1, card="3/4", position=9),
        tei_event(session, resumed, "session_resumed"),
        tei_event(session, resumed + 4 * MINUTE, "card_placed", item=1, card="5/4", position=15),
        tei_event(session, resumed + 12 * MINUTE, "answer_checked", item=1, attempt=1,
                  correct_cards=["1/4", "1/2", "3/4", "5/4"]),
    ]  # fmt: skip


def send(client, learner, events: list[dict]) -> None:
    """Through the real ingestion API, in batches of the largest size it takes."""
    for start in range(0, len(events), BATCH):
        response = post_events(client, events[start : start + BATCH], learner=learner.opaque_id)
        assert response.status_code == 202, response.content


@contextlib.contextmanager
def eager():
    """Our Celery tasks run inline (the project run's import, enqueued after commit)."""
    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    try:
        yield
    finally:
        current_app.conf.task_always_eager = previous


def record_sessions(client, ada, grace) -> int:
    """Ada: three TEI001 sessions an hour apart (the middle one with an idle gap); Grace: one."""
    base = now_ms() - 5 * 3_600_000
    send(client, ada, tei_session("ada-1", base))
    send(client, ada, tei_session("ada-2", base + 3_600_000, moves=6, gap=30 * SECOND))
    send(client, ada, tei_session("ada-3", base + 7_200_000))
    send(client, grace, tei_session("grace-1", base + 1_800_000))
    return base


def class_project(teacher_client, learners, capture) -> Project:
    """The teacher's project over the learners' TEI001 sessions, its run DONE and imported."""
    with eager():
        return finished_project(teacher_client, learners, capture, widgets=["TEI001"])


def stored(session: str) -> RunSession:
    return RunSession.objects.select_related("run").get(session=session)


def replay_url(session: RunSession, query: str = "") -> str:
    return f"/replay/{session.run.project_id}/{session.pk}/{query}"
