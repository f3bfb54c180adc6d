"""The configured broker (embedded filesystem by default, Redis in CI) really reaches a worker."""

from __future__ import annotations

import pytest

from config.celery import ping
from tests.support.worker import running_worker


@pytest.mark.worker
def test_a_task_is_delivered_to_a_real_worker_process():
    with running_worker():
        result = ping.delay()
        assert result.get(timeout=60) == "pong"
