"""Fixtures for projects: a small class with recorded sessions. The helpers that drive a run are in
tests/support/projects.py (imported here too, for tests that still import them from this file).
"""

from __future__ import annotations

import pytest

from tests.collector.helpers import now_ms
from tests.support.projects import (  # noqa: F401
    MIN,
    WORK,
    create_project,
    finished_project,
    platform_processes,
    poll,
    record,
)


@pytest.fixture
def recorded(client, ada, grace, alan):
    """Ada: BLL002 then TEI001 then BLL002 again; Grace: one TEI001 session; Alan: nothing."""
    base = now_ms() - 3 * 3_600_000
    record(client, ada, "BLL002", "ada-1", base, 3)  # 2 min, 3 events
    record(client, ada, "TEI001", "ada-2", base + 30 * MIN, 5)  # 4 min, 5 events
    record(client, ada, "BLL002", "ada-3", base + 60 * MIN, 2)
    record(client, grace, "TEI001", "grace-1", base + 10 * MIN, 4)
    return base
