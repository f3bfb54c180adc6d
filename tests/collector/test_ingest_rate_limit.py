"""The ingestion rate limit: 429 with Retry-After, nothing stored, and one count for all processes.

The count lives in Django's cache. With CACHE_URL=redis (production, and CI's second run) that is
the cache every web process shares, and the test below runs a second Python process against it.
The embedded set-up's default cache is per process (locmem), so there the test shares a file
cache between the two processes instead: the mechanism under test is the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client

from collector.models import Event, Session
from tests.collector.helpers import event, issue_token, now_ms, post_events
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

MOMENT = "2030-03-04 10:00:05+00:00"  # early in a minute: both processes count in one window
LIMIT = 4
ROOT = Path(__file__).resolve().parents[2]

SECOND_PROCESS = """
import json, os, sys
import django
from django.conf import settings
settings.CACHES = json.loads(os.environ["SHARED_CACHES"])
settings.DATABASES.update(json.loads(os.environ["SHARED_DATABASES"]))
django.setup()
import time_machine
from django.test import Client
with time_machine.travel(os.environ["MOMENT"], tick=False):
    client = Client()
    for _ in range(int(os.environ["BATCHES"])):
        response = client.post(
            "/api/v1/events", b'{"events": []}', content_type="application/json",
            headers={"Authorization": "Bearer " + os.environ["TOKEN"]},
        )
        print(response.status_code)
"""


@pytest.fixture
def shared_cache(settings, tmp_path):
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    settings.INGEST_RATE_LIMIT = LIMIT
    return settings.CACHES


def send_from_another_process(caches, token: str, batches: int) -> list[int]:
    databases = {
        alias: {
            key: str(value) if key == "NAME" else value
            for key, value in connections[alias].settings_dict.items()
            if key in {"ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS"}
        }
        for alias in ("default", "analytics")
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "INGEST_RATE_LIMIT": str(LIMIT),
        "SHARED_CACHES": json.dumps(caches),
        "SHARED_DATABASES": json.dumps(databases),
        "MOMENT": MOMENT,
        "TOKEN": token,
        "BATCHES": str(batches),
    }
    done = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [int(line) for line in done.stdout.split()]


def test_batches_past_the_limit_get_429_with_retry_after_and_store_nothing(
    client, settings, time_machine
):
    time_machine.move_to(MOMENT, tick=False)
    settings.INGEST_RATE_LIMIT = LIMIT
    token = issue_token(uuid.uuid4().hex)
    for _ in range(LIMIT):
        assert post_events(client, [event(t=now_ms())], token=token).status_code == 202
    stored = Event.objects.count(), Session.objects.count()

    # Another client (another browser tab, another connection) has the same budget.
    refused = post_events(Client(), [event(t=now_ms())], token=token)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "56"  # the rest of the minute, and a second for safety
    assert refused.json()["error"] == "Too many batches: at most 4 a minute per learner token."
    assert (Event.objects.count(), Session.objects.count()) == stored

    time_machine.move_to("2030-03-04 10:01:00+00:00", tick=False)
    assert post_events(client, [event(t=now_ms())], token=token).status_code == 202


def test_the_limit_holds_across_processes(client, shared_cache, time_machine):
    time_machine.move_to(MOMENT, tick=False)
    token = issue_token(uuid.uuid4().hex)

    # Another web process takes the whole minute's budget (empty batches are refused after
    # they are counted, so it stores nothing and needs no rows of ours).
    assert send_from_another_process(shared_cache, token, LIMIT) == [400] * LIMIT

    response = post_events(client, [event(t=now_ms())], token=token)
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) > 0
    assert not Event.objects.exists()
    # A token of another learner has a budget of its own.
    other = issue_token(uuid.uuid4().hex)
    assert post_events(client, [event(t=now_ms())], token=other).status_code == 202
