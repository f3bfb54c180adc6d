"""Fixtures for the replay: learners whose TEI001 sessions went in through the real ingestion API,
and a teacher's project whose run found them. The helpers are in tests/support/replays.py
(imported here too, for tests that still import them from this file).
"""

from __future__ import annotations

import pytest

from tests.support.replays import (  # noqa: F401
    BATCH,
    DAY,
    MINUTE,
    SECOND,
    class_project,
    eager,
    record_sessions,
    replay_url,
    resumed_session,
    send,
    stored,
    tei_event,
    tei_session,
)


@pytest.fixture
def recorded(client, ada, grace):
    return record_sessions(client, ada, grace)


@pytest.fixture
def project(teacher_client, recorded, ada, grace, django_capture_on_commit_callbacks):
    return class_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
