"""The bookkeeping webhook delivery and LRS forwarding share (collector/sending.py); each one's
own tests (test_webhooks.py, tests/xapi/test_forwarding.py) go through it end to end."""

from __future__ import annotations

from datetime import timedelta

from collector.sending import backoff


def test_backoff_doubles_from_15_seconds_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [15, 30, 60, 120]
    assert backoff(9) == backoff(30) == backoff(500) == timedelta(hours=1)
