"""Celery beat's memory between starts, kept in a small JSON file (CELERY_BEAT_SCHEDULER).

Celery's default scheduler keeps it in a `shelve`, which on Python 3.13 is an SQLite database in
WAL mode (dbm.sqlite3). In `make run` on a busy machine that shelf failed with SQLite's
"locking protocol" error and stopped beat. What beat has to remember is small: when each entry
last ran, and how many times. This scheduler keeps that as JSON, written whole to a temporary
file beside it and renamed over it (os.replace), so it takes no lock, two beats given the same
file cannot corrupt it (the last writer wins), and a crash leaves the old file or the new one,
never half of one. A file it cannot read is a fresh start, as a corrupt shelf is for Celery.

The entries themselves always come from CELERY_BEAT_SCHEDULE; the file only adds their history,
for the entries the schedule still has.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

from celery.beat import Scheduler

logger = logging.getLogger(__name__)


def beat_state_read(*, path: Path) -> dict[str, dict]:
    """{entry name: {"last_run_at": ISO 8601, "total_run_count": n}}; {} when unreadable."""
    try:
        state = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        logger.warning("beat: starting afresh, %s is unreadable: %s", path, error)
        return {}
    entries = state.get("entries") if isinstance(state, dict) else None
    return entries if isinstance(entries, dict) else {}


def beat_state_write(*, path: Path, entries: dict[str, dict]) -> None:
    """Replaces the file at once: a reader sees the old state or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            json.dump({"entries": entries}, out, indent=1, sort_keys=True)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class JsonFileScheduler(Scheduler):
    """celery.beat.PersistentScheduler's behaviour, with a JSON file instead of a shelf."""

    def __init__(self, *args, schedule_filename: str | None = None, **kwargs) -> None:
        self.schedule_path = Path(schedule_filename or "celerybeat-schedule.json")
        super().__init__(*args, **kwargs)

    def setup_schedule(self) -> None:
        super().setup_schedule()
        for name, remembered in beat_state_read(path=self.schedule_path).items():
            entry = self.schedule.get(name)
            if entry is None or not isinstance(remembered, dict):
                continue
            try:
                entry.last_run_at = datetime.fromisoformat(remembered["last_run_at"])
                entry.total_run_count = int(remembered["total_run_count"])
            except (KeyError, TypeError, ValueError):
                continue  # that entry starts afresh, as a new one would
        self.sync()

    def sync(self) -> None:
        beat_state_write(
            path=self.schedule_path,
            entries={
                name: {
                    "last_run_at": entry.last_run_at.isoformat(),
                    "total_run_count": entry.total_run_count,
                }
                for name, entry in self.schedule.items()
            },
        )

    @property
    def info(self) -> str:
        return f"    . db -> {self.schedule_path}"
