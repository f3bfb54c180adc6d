"""Celery beat's schedule file (config/beat.py): JSON, replaced whole, never a lock to fail.

Celery's default shelf (dbm.sqlite3 on Python 3.13) failed with "locking protocol" under load,
and two processes writing one shelf fail at once ("db type could not be determined").
"""

from __future__ import annotations

import json
import multiprocessing
from datetime import timedelta

from django.conf import settings

from config.beat import JsonFileScheduler, beat_state_read, beat_state_write
from config.celery import app


def scheduler(path) -> JsonFileScheduler:
    return JsonFileScheduler(app=app, schedule_filename=str(path))


def test_it_is_the_configured_scheduler_and_keeps_its_file_in_data_dir():
    assert app.conf.beat_scheduler == "config.beat:JsonFileScheduler"
    assert app.conf.beat_schedule_filename == str(settings.DATA_DIR / "celerybeat-schedule.json")


def test_it_remembers_when_each_entry_last_ran_across_a_restart(tmp_path):
    path = tmp_path / "celerybeat-schedule.json"
    first = scheduler(path)
    assert set(first.schedule) >= set(settings.CELERY_BEAT_SCHEDULE)
    hourly = first.schedule["attention-digests"]
    ran_at = hourly.default_now() - timedelta(minutes=50)
    hourly.last_run_at, hourly.total_run_count = ran_at, 7
    first.close()

    again = scheduler(path).schedule["attention-digests"]
    assert (again.last_run_at, again.total_run_count) == (ran_at, 7)
    # Due ten minutes from now, not an hour after the restart.
    due, next_in = again.is_due()
    assert not due
    assert 9 * 60 < next_in <= 10 * 60
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no lock, journal or temporary


def test_an_entry_the_schedule_no_longer_has_is_forgotten(tmp_path):
    path = tmp_path / "celerybeat-schedule.json"
    beat_state_write(
        path=path,
        entries={"gone": {"last_run_at": "2026-01-01T00:00:00+00:00", "total_run_count": 1}},
    )
    remembered = scheduler(path)
    assert "gone" not in remembered.schedule
    assert "gone" not in beat_state_read(path=path)


def test_an_unreadable_file_is_a_fresh_start_and_is_replaced(tmp_path):
    path = tmp_path / "celerybeat-schedule.json"
    path.write_bytes(b"SQLite format 3\x00\x10\x00\x01\x01")  # a shelf from before, say
    fresh = scheduler(path)
    assert all(entry.total_run_count == 0 for entry in fresh.schedule.values())
    assert set(json.loads(path.read_text())["entries"]) == set(fresh.schedule)


def test_a_bad_entry_starts_afresh_and_the_others_are_kept(tmp_path):
    path = tmp_path / "celerybeat-schedule.json"
    beat_state_write(
        path=path,
        entries={
            "summarise-sessions": {"last_run_at": "yesterday", "total_run_count": 3},
            "deliver-webhooks": {"last_run_at": "2026-01-01T00:00:00+00:00", "total_run_count": 2},
        },
    )
    schedule = scheduler(path).schedule
    assert schedule["summarise-sessions"].total_run_count == 0
    assert schedule["deliver-webhooks"].total_run_count == 2


def _write_many(path: str, writer: int) -> str:
    from pathlib import Path

    for count in range(200):
        beat_state_write(path=Path(path), entries={"e": {"writer": writer, "count": count}})
        assert beat_state_read(path=Path(path))["e"]["count"] >= 0
    return "ok"


def test_two_processes_writing_one_file_never_fail_nor_leave_half_a_file(tmp_path):
    path = tmp_path / "celerybeat-schedule.json"
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.starmap(_write_many, [(str(path), 1), (str(path), 2)]) == ["ok", "ok"]
    assert beat_state_read(path=path)["e"]["count"] == 199
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
