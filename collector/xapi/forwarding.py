"""Forwarding of a tenant's statements to another LRS (an LrsForwarding row, made in the admin).

At least once, in stored order: statements after the forwarding's cursor are POSTed in batches to
`<endpoint>statements` (xAPI 1.0.3, Basic auth), and the cursor moves past a batch only once the
other LRS answered 2xx. A batch whose answer was lost is sent again; its statement ids make that a
no-op there (an LRS answers a resent statement with the same content as if it were new). A 409
(the other LRS holds another statement under one of the ids) is answered by sending that batch's
statements one at a time, so that one conflict does not hold back the rest; a statement refused
with 409 on its own counts as delivered (no resend could change the answer) and is counted.

Any other failure (unreachable, timeout, 4xx/5xx) leaves the cursor where it is, records the
error, and sets the next attempt after an exponential backoff. Each run claims a forwarding by
moving its next attempt a lease ahead, so two runs (a slow one and the next beat's) never send
the same batch at once.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from collector.ingest import ALIAS
from collector.xapi.attachments import sendable_as_json
from collector.xapi.models import LrsForwarding, Statement

BATCH = 100
TIMEOUT = 30  # seconds, per request
# A run stops starting batches after this long; the lease outlasts it and one last request.
RUN_BUDGET = 120  # seconds
LEASE = timedelta(minutes=10)
BACKOFF_FIRST = timedelta(seconds=15)
BACKOFF_MAX = timedelta(hours=1)
# Set by the LRS that stores a statement: the other LRS sets its own.
NOT_SENT = ("stored", "authority")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure to report, not to follow: urllib would follow a POST's 302 as a
    GET, whose 200 would then pass for a delivery."""

    def redirect_request(self, *args, **kwargs) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirects)


class ForwardFailed(Exception):
    """The other LRS did not take a batch; the message is what an operator reads."""


def backoff(failures: int) -> timedelta:
    """How long to wait after the failures-th failed attempt in a row: 15 s, 30 s, 1 min, … 1 h."""
    return min(BACKOFF_FIRST * 2 ** min(failures - 1, 20), BACKOFF_MAX)


def forwardings_run(*, now: datetime | None = None) -> dict[str, int]:
    """Runs every enabled forwarding that is due; answers how many statements each outcome saw."""
    now = now or timezone.now()
    due = LrsForwarding.objects.using(ALIAS).filter(enabled=True)
    due = due.filter(Q(next_attempt__isnull=True) | Q(next_attempt__lte=now))
    totals = {"sent": 0, "failed": 0}
    for forwarding_id in due.values_list("id", flat=True):
        sent, failed = forwarding_run(forwarding_id=forwarding_id, now=now)
        totals["sent"] += sent
        totals["failed"] += int(failed)
    return totals


def _claim(forwarding_id: int, now: datetime) -> LrsForwarding | None:
    rows = LrsForwarding.objects.using(ALIAS).filter(id=forwarding_id, enabled=True)
    due = rows.filter(Q(next_attempt__isnull=True) | Q(next_attempt__lte=now))
    if not due.update(next_attempt=now + LEASE):
        return None  # not due, disabled, or claimed by another run
    return rows.first()


def forwarding_run(*, forwarding_id: int, now: datetime | None = None) -> tuple[int, bool]:
    """Sends what waits for one forwarding, if it is due: (statements delivered, whether an
    attempt failed)."""
    now = now or timezone.now()
    forwarding = _claim(forwarding_id, now)
    if forwarding is None:
        return 0, False
    rows = LrsForwarding.objects.using(ALIAS).filter(id=forwarding_id)
    started, sent = time.monotonic(), 0
    try:
        while time.monotonic() - started < RUN_BUDGET:
            batch = list(
                Statement.objects.using(ALIAS)
                .filter(tenant_id=forwarding.tenant_id, seq__gt=forwarding.cursor)
                .order_by("seq")
                .values_list("seq", "body")[:BATCH]
            )
            if not batch:
                break
            conflicts = _send(forwarding, [body for _, body in batch])
            forwarding.cursor = batch[-1][0]
            sent += len(batch)
            rows.update(
                cursor=forwarding.cursor, last_success=now, last_error="", failures=0,
                conflicts=forwarding.conflicts + conflicts,
            )  # fmt: skip
            forwarding.conflicts += conflicts
    except ForwardFailed as failure:
        failures = forwarding.failures + 1
        rows.update(
            last_error=str(failure), failures=failures, next_attempt=now + backoff(failures)
        )
        return sent, True
    rows.update(next_attempt=None)
    return sent, False


def _payload(bodies: list[str]) -> bytes:
    statements = []
    for body in bodies:
        statement = json.loads(body)
        for key in NOT_SENT:
            statement.pop(key, None)
        statements.append(sendable_as_json(statement))  # a signature's content stays here
    return json.dumps(statements, ensure_ascii=False, separators=(",", ":")).encode()


def _send(forwarding: LrsForwarding, bodies: list[str]) -> int:
    """Delivers the statements (or raises ForwardFailed); answers how many were conflicts."""
    status = _post(forwarding, _payload(bodies))
    if status != 409:
        return 0
    if len(bodies) == 1:
        return 1
    return sum(_send(forwarding, [body]) for body in bodies)


def statements_url(endpoint: str) -> str:
    return f"{endpoint.rstrip('/')}/statements"


def _post(forwarding: LrsForwarding, payload: bytes) -> int:
    """POSTs to the other LRS: its status if 2xx or 409; raises ForwardFailed otherwise (a
    redirect too: the endpoint should be set to where it leads)."""
    credential = base64.b64encode(f"{forwarding.username}:{forwarding.password}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 (an operator-set http(s) URL: URLField)
        statements_url(forwarding.endpoint),
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": "1.0.3",
            "Authorization": f"Basic {credential}",
        },
    )
    try:
        with OPENER.open(request, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as error:
        if error.code == 409:
            return 409
        detail = error.read(300).decode("utf-8", "replace").strip()
        raise ForwardFailed(f"The LRS answered {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ForwardFailed(f"Could not reach the LRS: {reason}") from None


def forwarding_lag(forwarding: LrsForwarding) -> tuple[int, datetime | None]:
    """How many statements wait to be forwarded, and when the oldest of them was stored."""
    waiting = Statement.objects.using(ALIAS).filter(
        tenant_id=forwarding.tenant_id, seq__gt=forwarding.cursor
    )
    oldest = waiting.order_by("seq").values_list("stored", flat=True).first()
    return waiting.count(), oldest
