"""docs/deploy.md's recipe, run for real: the environment file with production settings, the
deploy checks, both migrations, collectstatic, then the three systemd units' commands (gunicorn
with config/gunicorn.conf.py, a Celery worker, Celery beat) as processes of their own.

It uses databases and a broker of its own, never the suite's: SQLite files and the filesystem
broker in a temporary folder by default; when DATABASE_URL, ANALYTICS_DATABASE_URL,
CELERY_BROKER_URL and CACHE_URL point at PostgreSQL and Redis (CI's second run), two new
databases on those servers, dropped afterwards, and that Redis, purged afterwards.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from psycopg import sql

from tests.deploy.test_deploy_files import env_file

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
SITE = "pathlens.school.example"
# What the suite's own settings put in os.environ must not leak into a production process.
KEPT = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}


def exec_start(unit: str) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / unit)
    command = shlex.split(parser["Service"]["ExecStart"])
    # The unit runs /opt/pathlens/.venv/bin/<tool>; here the tool is in this run's virtualenv.
    return [str(VENV_BIN / Path(command[0]).name), *command[1:]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_url(url: str, name: str) -> str:
    """`url` with its database name replaced by `name` (same server, same credentials)."""
    return re.sub(r"/[^/?]*(\?.*)?$", lambda m: f"/{name}{m.group(1) or ''}", url)


@pytest.fixture
def services(tmp_path) -> Iterator[dict[str, str]]:
    """Databases, broker and cache for the stack: the suite's servers, never its databases."""
    outer = os.environ
    chosen = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pathlens.sqlite3'}",
        "ANALYTICS_DATABASE_URL": f"sqlite:///{tmp_path / 'analytics.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "CACHE_URL": f"file://{tmp_path / 'cache'}",  # shared by the stack's processes
    }
    created: list[tuple[str, str]] = []
    suffix = secrets.token_hex(4)
    for alias in ("DATABASE_URL", "ANALYTICS_DATABASE_URL"):
        url = outer.get(alias, "")
        if url.startswith(("postgres://", "postgresql://")):
            name = f"pathlens_stack_{suffix}_{'analytics' if 'ANALYTICS' in alias else 'default'}"
            with psycopg.connect(server_url(url, "postgres"), autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            created.append((url, name))
            chosen[alias] = server_url(url, name)
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        if outer.get(name, "").startswith("redis"):
            chosen[name] = outer[name]
    try:
        yield chosen
    finally:
        for url, name in created:
            with psycopg.connect(server_url(url, "postgres"), autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.fixture
def production_env(tmp_path, services) -> dict[str, str]:
    data = tmp_path / "data"
    data.mkdir()
    return {
        **{name: value for name, value in os.environ.items() if name in KEPT},
        **env_file(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": SITE,
        "CSRF_TRUSTED_ORIGINS": f"https://{SITE}",
        "DATA_DIR": str(data),
        "STATIC_ROOT": str(tmp_path / "static"),
        **services,
        "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "1",  # the test machine has few cores, shared with others
        "BEAT_INTERVAL": "1",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout + result.stderr


class Stack:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str]) -> None:
        with open(self.logs / f"{name}.log", "w") as log:
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def json_lines(self, name: str) -> list[dict]:
        lines = []
        for line in self.log(name).splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def alive(self) -> None:
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} exited:\n{self.log(name)}"

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for name, process in self.processes.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                print(f"{name} did not stop on TERM:\n{self.log(name)}")


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One request as a proxy or a load balancer makes it: the site's Host, no redirects."""
    response = requests.get(
        url, headers={"Host": SITE, **headers}, allow_redirects=False, timeout=10
    )
    return response.status_code, dict(response.headers), response.content


def wait_for(check, *, timeout: float, what: str, stack: Stack):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.alive()
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"{what} within {timeout}s\n" + "\n".join(map(stack.log, stack.processes)))


@pytest.mark.worker
def test_the_documented_recipe_serves_the_site_with_a_worker_and_beat(tmp_path, production_env):
    env = production_env
    # Installation, as docs/deploy.md says it.
    manage(env, "check", "--deploy", "--fail-level", "WARNING")
    manage(env, "migrate", "--noinput")
    manage(env, "migrate", "--noinput", "--database", "analytics")
    manage(env, "collectstatic", "--noinput")
    assert "Teacher whitelist: 1 entries added." in manage(env, "seed_whitelist")
    manage(
        env | {"DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(16)},
        *("createsuperuser", "--noinput", "--username", "admin", "--email", "it@school.example"),
    )

    logs = tmp_path / "logs"
    logs.mkdir()
    stack = Stack(env, logs)
    try:
        stack.start("web", exec_start("pathlens-web.service"))
        stack.start("worker", exec_start("pathlens-worker.service"))
        stack.start("beat", exec_start("pathlens-beat.service"))
        base = f"http://{env['GUNICORN_BIND']}"

        # A load balancer's probe: plain HTTP to the internal address, the site's Host header.
        status, headers, body = wait_for(
            lambda: (answer := get(f"{base}/healthz"))[0] == 200 and answer,
            timeout=60,
            what="/healthz did not answer 200",
            stack=stack,
        )
        assert json.loads(body) == {"status": "ok"}
        request_id = headers["X-Request-ID"]

        # Through the TLS proxy: the sign-in page, and a static file it links to.
        status, headers, body = get(f"{base}/", **{"X-Forwarded-Proto": "https"})
        assert status == 200, body[:2000]
        stylesheet = re.search(rb'href="(/static/css/[^"]+\.[0-9a-f]{12}\.css)"', body)
        assert stylesheet, body[:2000]
        status, headers, css = get(
            base + stylesheet.group(1).decode(), **{"X-Forwarded-Proto": "https"}
        )
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert "immutable" in headers["Cache-Control"]
        assert css.strip()
        # Plain HTTP to the site is sent to HTTPS.
        status, headers, _ = get(f"{base}/")
        assert status == 301
        assert headers["Location"] == f"https://{SITE}/"

        # The access log is JSON, and its request id is the one the response carried.
        access = wait_for(
            lambda: [
                line
                for line in stack.json_lines("web")
                if line["logger"] == "gunicorn.access" and line.get("path") == "/healthz"
            ],
            timeout=10,
            what="no JSON access line for /healthz",
            stack=stack,
        )
        assert access[0]["status_code"] == 200
        assert access[0]["request_id"] == request_id
        assert access[0]["level"] == "INFO"

        # Beat sends the periodic tasks; the worker runs them, logging JSON too.
        def periodic_done() -> set[str]:
            done = {
                task
                for line in stack.json_lines("worker")
                for task in ("projects.refresh_processing_runs", "collector.sweep_data_requests")
                if line["message"].startswith(f"Task {task}[") and "succeeded" in line["message"]
            }
            return done if len(done) == 2 else set()

        wait_for(periodic_done, timeout=60, what="the periodic tasks did not run", stack=stack)
        assert any("Sending due task" in line["message"] for line in stack.json_lines("beat"))
        # Beat keeps its schedule in DATA_DIR, not in the (read-only) code folder.
        assert list(Path(env["DATA_DIR"]).glob("celerybeat-schedule*"))
        stack.alive()
    finally:
        stack.stop()
        if env["CELERY_BROKER_URL"].startswith("redis"):
            # Beat's tasks left in the shared Redis must not reach the suite's workers.
            subprocess.run(
                [str(VENV_BIN / "celery"), "-A", "config", "purge", "-f"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                timeout=60,
            )
