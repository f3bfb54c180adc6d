"""A transaction that commits late: its rows take their ids (or seqs) first, and are seen only
after rows with higher ids were read and sent. What an at-least-once sender must not skip
(collector/webhooks/models.py, WebhookPending; collector/xapi/models.py, StatementPending)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from django.db import connections, transaction
from django.db.models import Model

from config.routers import ANALYTICS_ALIAS as ALIAS


@contextlib.contextmanager
def committed_late(write: Callable[[], object], *models: type[Model]) -> Iterator[None]:
    """Runs `write` in a transaction of its own, whose rows in `models` (every table it writes
    to that a sender reads) have their ids from now on but are seen only as the block ends.

    On PostgreSQL for real: `write` runs in a thread whose transaction stays open until the
    block ends. SQLite lets one writer in at a time, so that no transaction there commits after
    one that began later; on it the rows `write` made are taken away as it returns and put back,
    with the same ids, as the block ends, which is all a reader of those tables can tell of a
    late commit. Either way a sender that kept a cursor over ids would skip them."""
    if connections[ALIAS].vendor == "postgresql":
        with _held_open(write):
            yield
        return
    with _taken_away(write, models):
        yield


@contextlib.contextmanager
def _held_open(write: Callable[[], object]) -> Iterator[None]:
    written, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic(using=ALIAS):
                write()
                written.set()
                assert release.wait(60), "the block never ended"
        except BaseException as failure:  # handed to the test's thread
            failures.append(failure)
            written.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(60), "the late transaction did not write"
    if failures:
        raise failures[0]
    try:
        yield
    finally:
        release.set()
        thread.join(60)
    if failures:
        raise failures[0]


def _last_id(model: type[Model]) -> int:
    rows = model._default_manager.using(ALIAS).order_by("-pk")
    return rows.values_list("pk", flat=True).first() or 0


@contextlib.contextmanager
def _taken_away(write: Callable[[], object], models: tuple[type[Model], ...]) -> Iterator[None]:
    before = {model: _last_id(model) for model in models}
    with transaction.atomic(using=ALIAS):
        write()
    made = {
        model: list(model._default_manager.using(ALIAS).filter(pk__gt=before[model]))
        for model in models
    }
    assert any(made.values()), "the late transaction wrote nothing to the tables given"
    for model, rows in made.items():
        model._default_manager.using(ALIAS).filter(pk__in=[row.pk for row in rows]).delete()
    yield
    for model, rows in made.items():
        model._default_manager.using(ALIAS).bulk_create(rows)  # with their ids
