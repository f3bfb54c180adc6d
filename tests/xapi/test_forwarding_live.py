"""Forwarding to another LRS end to end: the other LRS is a second Pathlens (gunicorn, its own
DATA_DIR and databases, its own API key), down for a while in the middle. Every statement arrives
there exactly once. And celery beat, in a real worker, runs the forwarding by itself."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from collector.models import LrsForwarding
from collector.tenants import tenant_default
from collector.xapi.forwarding import forwarding_lag, forwardings_run
from tests.support.web import _free_port, running_web
from tests.support.worker import ROOT, running_worker
from tests.xapi.helpers import basic, post, statement
from tests.xapi.test_forwarding import other_lrs

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


def _other_instance() -> tuple[dict[str, str], Path]:
    """The environment of a second Pathlens with migrated databases of its own (SQLite files in a
    DATA_DIR of its own) and the same SITE_URL, so that it takes our learners' accounts."""
    home = Path(settings.DATA_DIR) / f"other-lrs-{os.getpid()}-{time.monotonic_ns()}"
    home.mkdir(parents=True)
    env = {
        "DATA_DIR": str(home),
        "DATABASE_URL": f"sqlite:///{home / 'default.sqlite3'}",
        "ANALYTICS_DATABASE_URL": f"sqlite:///{home / 'analytics.sqlite3'}",
        "SITE_URL": settings.SITE_URL,
    }
    run_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env}
    for database in ("default", "analytics"):
        manage = [sys.executable, "manage.py", "migrate", "--noinput", "--database", database]
        subprocess.run(manage, cwd=ROOT, env=run_env, check=True, capture_output=True)
    return env, home / "analytics.sqlite3"


def _other_key(env: dict[str, str]) -> tuple[str, str]:
    """An API key of the other instance, as Basic's (user, password)."""
    made = subprocess.run(
        [sys.executable, "manage.py", "create_api_key", "forwarder", "--tenant", "default"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env},
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    key = made.stdout.splitlines()[1].strip()
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    return f"{prefix}_{key_id}", secret


def _arrived(database: Path) -> list[str]:
    """The ids of the statements the other instance holds, one per row."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT statement_id FROM collector_statement").fetchall()
    return [str(uuid.UUID(row[0])) for row in rows]


def _store(client, count: int) -> list[str]:
    sent = [statement() for _ in range(count)]
    assert post(client, sent, basic()).status_code == 200
    return [item["id"] for item in sent]


def test_every_statement_arrives_once_across_an_outage_of_the_other_lrs(client):
    env, database = _other_instance()
    user, secret = _other_key(env)
    port = _free_port()
    before = _store(client, 3)
    with running_web(env, port=port) as url:
        target = LrsForwarding.objects.create(
            tenant=tenant_default(), endpoint=f"{url}/xapi/", username=user, password=secret
        )
        assert forwardings_run() == {"sent": 3, "failed": 0}
    # The other LRS is down: attempts fail, the statements wait, each wait is twice the last.
    during = _store(client, 4)
    now = timezone.now()
    for attempt, wait in enumerate((15, 30, 60), start=1):
        assert forwardings_run(now=now) == {"sent": 0, "failed": 1}
        target.refresh_from_db()
        assert target.failures == attempt and target.next_attempt == now + timedelta(seconds=wait)
        assert target.last_error.startswith("Could not reach the LRS")
        assert forwarding_lag(target)[0] == 4
        now = target.next_attempt
    with running_web(env, port=port):
        after = _store(client, 2)
        assert forwardings_run(now=now) == {"sent": 6, "failed": 0}
        # A resend of what it already holds (a lost answer) is a no-op there.
        LrsForwarding.objects.filter(id=target.id).update(send_after=0)
        assert forwardings_run(now=now) == {"sent": 9, "failed": 0}
    target.refresh_from_db()
    assert (target.failures, target.last_error, target.conflicts) == (0, "", 0)
    assert forwarding_lag(target) == (0, None)
    # Exactly once: every id, and no row twice.
    assert sorted(_arrived(database)) == sorted(before + during + after)


@pytest.mark.django_db(transaction=True, databases=["default", "analytics"])
def test_celery_beat_forwards_new_statements_by_itself(client):
    with other_lrs() as lrs:
        LrsForwarding.objects.create(
            tenant=tenant_default(), endpoint=lrs.url, username="plk_other", password="s3cret"
        )
        ids = _store(client, 3)
        with running_worker(beat=True, env={"BEAT_INTERVAL": "1"}), lrs.arrived:
            assert lrs.arrived.wait_for(lambda: lrs.requests, timeout=120), "not forwarded"
    # One batch, with all of them in the order stored.
    (_, body), = lrs.requests  # fmt: skip
    assert [item["id"] for item in body] == ids
