"""Schemathesis, a generic API fuzzer, against a live server of the app, with every check on.

It reads /api/v1/openapi.json, generates requests the document calls valid (which the server must
accept) and invalid (which it must refuse), and checks every answer against the document: status
codes, content types, headers, bodies, authentication. A red run means the document and the
server disagree; the report names the operation and gives a curl line to reproduce it.

Bounded for a 2-core machine: a fixed seed and a few examples per operation (no time budget inside
schemathesis, which would make the number of requests depend on the machine's speed), so the same
requests on every run; the whole test takes about a minute and a half. Its settings, and the hooks
for the two rules JSON Schema cannot state, are in tests/support/schemathesis.toml.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collector.apikeys import api_key_create
from collector.tenants import tenant_default
from collector.tokens import learner_token_issue
from config.celery import app as celery_app
from tests.collector.helpers import OPAQUE
from tests.support.db import BOTH_DATABASES
from tests.support.worker import ROOT

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES, transaction=True)

SEED = 20261206
MAX_EXAMPLES = 15
TIME_BUDGET = 240  # seconds, per run: a safety net; a run takes about a minute on 2 cores


def _schemathesis(live_server, credential: str, *filters: str, report: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file", str(ROOT / "tests" / "support" / "schemathesis.toml"),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks", "all",
        "--seed", str(SEED),
        "--max-examples", str(MAX_EXAMPLES),
        "--workers", "1",
        "--header", f"Authorization: Bearer {credential}",
        "--report", "junit",
        "--report-junit-path", str(report),
        *filters,
    ]  # fmt: skip
    # Run in a temporary folder, where schemathesis keeps its cache; the hooks import from ROOT.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIME_BUDGET, cwd=report.parent, env=env
    )
    report.with_suffix(".txt").write_text(done.stdout + done.stderr)
    # Long request bodies make the report unreadable in an assertion: lines cut at 300 characters.
    lines = [line[:300] for line in (done.stdout + done.stderr).splitlines()]
    assert done.returncode == 0, "\n".join(lines[-400:])


@pytest.fixture
def tasks_inline():
    """Data requests processed inline, in the server: the stateful phase then reads the results
    of DONE requests, and no task is left in the broker for the workers of later tests."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_schemathesis_finds_nothing_the_document_and_the_server_disagree_on(
    live_server, settings, tmp_path, tasks_inline
):
    assert shutil.which("st", path=str(Path(sys.executable).parent)), "pip install schemathesis"
    settings.INGEST_RATE_LIMIT = 1_000_000  # the fuzzer sends far faster than any learner
    _, key = api_key_create(name="schemathesis", tenant=tenant_default())
    token = learner_token_issue(tenant_id=tenant_default().pk, learner=OPAQUE)
    _schemathesis(live_server, token, "--include-path", "/events", report=tmp_path / "events.xml")
    # The xAPI, RAGE, Segment and MetaCX-style operations have their own fuzzing and live tests
    # (tests/xapi/, tests/rage/, tests/segment/, tests/metacx/).
    _schemathesis(
        live_server, key, "--exclude-path", "/events", "--exclude-tag", "xapi",
        "--exclude-tag", "rage", "--exclude-tag", "segment",
        "--exclude-tag", "metacx",
        report=tmp_path / "read.xml",
    )  # fmt: skip
