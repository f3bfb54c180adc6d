"""The environment readers, the database router, and Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_url
from config.routers import AnalyticsRouter

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_reads_common_words_and_refuses_others(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "")
    assert env_bool("FLAG", True) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG", False)


def test_env_int_refuses_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 0) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("N", 0)
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env_int("N", 0, minimum=0)


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("L", " a@x.org, ,@y.org ,")
    assert env_list("L") == ["a@x.org", "@y.org"]
    monkeypatch.delenv("L")
    assert env_list("L", ["d"]) == ["d"]


def test_env_url_refuses_an_unknown_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://db/x")
    with pytest.raises(ImproperlyConfigured, match="scheme 'mysql'"):
        env_url("DATABASE_URL", "sqlite:///x", schemes={"sqlite", "postgres"})


def test_the_router_keeps_collector_models_in_the_analytics_database():
    router = AnalyticsRouter()
    assert router.allow_migrate("analytics", "collector") is True
    assert router.allow_migrate("default", "collector") is False
    assert router.allow_migrate("analytics", "dashboard") is False
    assert router.allow_migrate("analytics", "auth") is False
    assert router.allow_migrate("default", "dashboard") is True


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    # Settings the test run itself needs must not leak into a production-like check.
    for name in (
        "DEBUG",
        "DEMO_LOGIN",
        "LEARNER_PICK_SIGNIN",
        "SECURE_SSL_REDIRECT",
        "SECURE_COOKIES",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        if name not in env:
            clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "p" * 20 + "-production-like-secret-with-plenty-of-entropy-8f3k2j",
    "ALLOWED_HOSTS": "pathlens.school.example",
    "CACHE_URL": "redis://127.0.0.1:6379/14",  # read, not connected to, by `check`
}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_rate_limits_are_counted_per_process(tmp_path):
    env = {**PRODUCTION_ENV, "CACHE_URL": "locmem://", "DATA_DIR": str(tmp_path)}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "pathlens.W001" in result.stderr + result.stdout
    assert "rate limits" in result.stderr + result.stdout


def test_a_file_cache_is_shared_by_the_processes_of_one_machine(tmp_path):
    env = {**PRODUCTION_ENV, "CACHE_URL": f"file://{tmp_path / 'cache'}", "DATA_DIR": str(tmp_path)}
    assert run_manage("check", "--deploy", "--fail-level", "WARNING", env=env).returncode == 0
    write = "from django.core.cache import cache; cache.set('shared', 41); print('ok')"
    read = "from django.core.cache import cache; print(cache.incr('shared'))"
    assert run_manage("shell", "-c", write, env=env).stdout.strip().endswith("ok")
    assert run_manage("shell", "-c", read, env=env).stdout.strip().splitlines()[-1] == "42"


def test_a_relative_file_cache_is_refused(tmp_path):
    env = {**PRODUCTION_ENV, "CACHE_URL": "file://cache", "DATA_DIR": str(tmp_path)}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "needs an absolute folder" in result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    env = {**PRODUCTION_ENV, "SECRET_KEY": "", "DATA_DIR": str(tmp_path)}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_refuses_a_malformed_setting_at_start_up(tmp_path):
    env = {**PRODUCTION_ENV, "DEMO_LOGIN": "sometimes", "DATA_DIR": str(tmp_path)}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DEMO_LOGIN='sometimes' is not a boolean" in result.stderr


def test_demo_login_is_off_by_default_when_debug_is_off(tmp_path):
    env = {**PRODUCTION_ENV, "DATA_DIR": str(tmp_path)}
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEMO_LOGIN)", env=env
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr
    env_debug = {"DEBUG": "true", "DATA_DIR": str(tmp_path)}
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEMO_LOGIN)", env=env_debug
    )
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr


def test_learner_pick_signin_is_off_by_default_when_debug_is_off(tmp_path):
    show = "from django.conf import settings; print(settings.LEARNER_PICK_SIGNIN)"
    env = {**PRODUCTION_ENV, "DATA_DIR": str(tmp_path)}
    result = run_manage("shell", "-c", show, env=env)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr
    # `make run` (DEBUG on) keeps the learner list for classrooms trying it out.
    result = run_manage("shell", "-c", show, env={"DEBUG": "true", "DATA_DIR": str(tmp_path)})
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr


def test_check_deploy_warns_when_learner_pick_signin_is_on(tmp_path):
    env = {**PRODUCTION_ENV, "LEARNER_PICK_SIGNIN": "true", "DATA_DIR": str(tmp_path)}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    output = result.stderr + result.stdout
    assert "pathlens.W002" in output
    assert "LEARNER_PICK_SIGNIN" in output
    assert "pathlens.W001" not in output
