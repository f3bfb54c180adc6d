"""Subscriptions' cursors are change ids, so a tenant's changes must commit in id order: a change
that committed after the deliverer moved past its id would never be sent. On PostgreSQL the outbox
takes a per-tenant lock until commit (SQLite serialises every writer anyway)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction

from collector.tenants import tenant_default, tenant_get_or_create
from collector.webhooks.kinds import STARTED
from collector.webhooks.models import WebhookChange
from collector.webhooks.outbox import NewChange, changes_write
from tests.support.db import BOTH_DATABASES


def _waiting_for_the_outbox_lock() -> int:
    with connections["analytics"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


def _write_in_thread(change: NewChange, inside: threading.Event, release: threading.Event):
    def write() -> None:
        try:
            with transaction.atomic(using="analytics"):
                changes_write([change])
                inside.set()
                release.wait(60)
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_a_second_writer_of_the_tenant_waits_for_the_first_to_commit():
    if connections["analytics"].vendor != "postgresql":
        pytest.skip("SQLite serialises writers: nothing to wait for here")
    ours, other = tenant_default().pk, tenant_get_or_create(name="district").pk
    first_in, second_in, release = threading.Event(), threading.Event(), threading.Event()
    first = _write_in_thread(NewChange(ours, STARTED, "a", "w", "s1", {}), first_in, release)
    assert first_in.wait(60)
    second = _write_in_thread(NewChange(ours, STARTED, "b", "w", "s2", {}), second_in, release)
    # Another tenant's writer is not held up.
    with transaction.atomic(using="analytics"):
        changes_write([NewChange(other, STARTED, "c", "w", "s3", {})])
    deadline = time.monotonic() + 60
    while not _waiting_for_the_outbox_lock():  # the second writer queues behind the first
        assert time.monotonic() < deadline, "the second writer never waited"
        time.sleep(0.05)
    assert not second_in.is_set()
    release.set()
    first.join(60)
    second.join(60)
    learners = WebhookChange.objects.filter(tenant_id=ours).order_by("id")
    assert list(learners.values_list("learner", flat=True)) == ["a", "b"]
