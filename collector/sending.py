"""Sending what waits to a receiver outside, at least once, with backoff: the bookkeeping that
webhook delivery (collector/webhooks/delivery.py) and LRS forwarding (collector/xapi/forwarding.py)
share, so that both retry, back off and report alike.

A *target* is a row that says where to send (a WebhookSubscription, an LrsForwarding) and carries
the bookkeeping columns `enabled`, `next_attempt`, `failures`, `last_error` and `last_success`.
What waits for it is its own business (pending rows, sent in order by the caller's
`send_batch`); this module decides when a target is due, makes sure one run at a time sends to
it, and records how each run went:

- **Due**: enabled, and its next attempt is unset or past.
- **Claimed**: a run moves the next attempt a lease ahead in one conditional UPDATE, so two runs
  (a slow one and the next beat's) never send the same batch at once; the lease outlasts a run's
  budget and one last request.
- **A failure** (SendFailed) stops the run, records the error and sets the next attempt after an
  exponential backoff; **a success** clears both, and a run that ends without failing leaves
  the target due at the next beat.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from config.routers import ANALYTICS_ALIAS as ALIAS

# A run stops starting batches after this long; the lease outlasts it and one last request.
RUN_BUDGET = 120  # seconds
LEASE = timedelta(minutes=10)
BACKOFF_FIRST = timedelta(seconds=15)
BACKOFF_MAX = timedelta(hours=1)


class SendFailed(Exception):
    """The receiver did not take a batch; the message is what an operator reads, `status` its
    HTTP answer if there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure to report, not to follow: urllib would follow a POST's 302 as a
    GET, whose 200 would then pass for a delivery."""

    def redirect_request(self, *args, **kwargs) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirects)


def backoff(failures: int) -> timedelta:
    """How long to wait after the failures-th failed attempt in a row: 15 s, 30 s, 1 min, … 1 h."""
    return min(BACKOFF_FIRST * 2 ** min(failures - 1, 20), BACKOFF_MAX)


def post(request: urllib.request.Request, *, timeout: float, receiver: str) -> int:
    """Sends the request: the receiver's status if 2xx; raises SendFailed otherwise (a redirect
    too: the URL should be set to where it leads), naming the `receiver` ("LRS", "receiver")."""
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        detail = error.read(300).decode("utf-8", "replace").strip()
        message = f"The {receiver} answered {error.code}: {detail}".rstrip(": ")
        raise SendFailed(message, status=error.code) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise SendFailed(f"Could not reach the {receiver}: {reason}") from None


def _due(targets: QuerySet, now: datetime) -> QuerySet:
    return targets.filter(enabled=True).filter(
        Q(next_attempt__isnull=True) | Q(next_attempt__lte=now)
    )


def targets_run(
    model: type[Model], *, now: datetime | None, run: Callable[[int, datetime], tuple[int, bool]]
) -> dict[str, int]:
    """Runs every due target of the model (`run(target_id, now)`, answering what target_run
    does); answers how many items were sent and how many targets failed."""
    now = now or timezone.now()
    totals = {"sent": 0, "failed": 0}
    for target_id in _due(model._default_manager.using(ALIAS), now).values_list("id", flat=True):
        sent, failed = run(target_id, now)
        totals["sent"] += sent
        totals["failed"] += int(failed)
    return totals


def _claim(model: type[Model], target_id: int, now: datetime) -> Any | None:
    rows = model._default_manager.using(ALIAS).filter(id=target_id)
    if not _due(rows, now).update(next_attempt=now + LEASE):
        return None  # not due, disabled, or claimed by another run
    return rows.first()


def target_run(
    model: type[Model],
    *,
    target_id: int,
    now: datetime | None,
    send_batch: Callable[[Any], int],
) -> tuple[int, bool]:
    """Sends what waits for one target, if it is due, batch after batch until `send_batch`
    answers 0 (nothing left), raises SendFailed, or the run's budget is spent: (items sent,
    whether an attempt failed). `send_batch(target)` sends the next batch and stops it waiting
    once the receiver took it; it answers how many items it sent."""
    now = now or timezone.now()
    target = _claim(model, target_id, now)
    if target is None:
        return 0, False
    rows = model._default_manager.using(ALIAS).filter(id=target_id)
    started, sent = time.monotonic(), 0
    try:
        while time.monotonic() - started < RUN_BUDGET:
            count = send_batch(target)
            if not count:
                break
            sent += count
            rows.update(last_success=now, last_error="", failures=0)
            target.failures = 0  # a later failure in this run is the first in a row
    except SendFailed as failure:
        failures = target.failures + 1
        rows.update(
            last_error=str(failure), failures=failures, next_attempt=now + backoff(failures)
        )
        return sent, True
    rows.update(next_attempt=None)
    return sent, False
