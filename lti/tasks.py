"""Celery tasks of LTI grade passback (lti/passback.py says how a score travels).

The periodic sweep takes each waiting passback's next step itself: most steps are a quick look
("not completed yet"), and one task per waiting passback per minute would flood a small broker.
A passback whose gradebook could not take its score goes to `send_passback`, which retries
with back-off, holding the row's claim so that no sweep sends it beside the retry.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from collector.client import CollectorError
from lti import ags, passback

log = logging.getLogger("pathlens.lti")

MAX_RETRIES = 6


class _Unavailable(Exception):
    """The gradebook (or the collector) could not take the step now; the claim is kept."""


def retry_delay(retries: int) -> int:
    """Seconds before the next try: 5, 10, 20 … up to ten minutes."""
    return min(5 * 2**retries, 600)


def _attempt(passback_id: int, claim: str) -> str:
    """One claimed step of one passback."""
    if not passback.passback_claim(passback_id=passback_id, claim=claim):
        return passback.Step.BUSY
    try:
        step = passback.passback_step(passback_id=passback_id)
    except ags.GradebookRefused as error:
        log.warning("passback %s refused by the LMS: %s", passback_id, error)
        passback.passback_failed(passback_id=passback_id, reason=str(error), give_up=True)
        return "refused"
    except (ags.GradebookUnavailable, CollectorError, OSError) as error:
        raise _Unavailable(str(error)) from error
    if step != passback.Step.SENT:
        passback.passback_release(passback_id=passback_id)
    return step


def _hold_for_retry(passback_id: int, reason: str, delay: int) -> None:
    passback.passback_failed(passback_id=passback_id, reason=reason, give_up=False)
    # The claim outlives the wait, so the sweep leaves the row to the retry.
    until = timezone.now() + timedelta(seconds=delay + 60)
    passback.passback_release(passback_id=passback_id, until=until)
    log.info("passback %s: gradebook unavailable, retry in %s s", passback_id, delay)


@shared_task(name="lti.passback_sweep")
def passback_sweep() -> int:
    """Periodic (celery beat): the next step of every waiting passback; returns how many."""
    due = passback.passbacks_due()
    for passback_id in due:
        claim = passback.new_claim()
        try:
            _attempt(passback_id, claim)
        except _Unavailable as error:
            _hold_for_retry(passback_id, str(error), retry_delay(0))
            send_passback.apply_async(
                kwargs={"passback_id": passback_id, "claim": claim}, countdown=retry_delay(0)
            )
        except Exception:  # one broken row must not stop the others; its claim lapses
            log.exception("passback %s failed unexpectedly", passback_id)
    return len(due)


@shared_task(name="lti.send_passback", bind=True, max_retries=MAX_RETRIES)
def send_passback(self, passback_id: int, claim: str = "") -> str:
    """One passback's next step; retried with back-off while the gradebook is unavailable."""
    claim = claim or passback.new_claim()
    try:
        return _attempt(passback_id, claim)
    except _Unavailable as error:
        if self.request.retries >= self.max_retries:
            log.error("passback %s given up: %s", passback_id, error)
            passback.passback_failed(passback_id=passback_id, reason=str(error), give_up=True)
            return "given up"
        delay = retry_delay(self.request.retries + 1)
        _hold_for_retry(passback_id, str(error), delay)
        raise self.retry(
            kwargs={"passback_id": passback_id, "claim": claim}, countdown=delay, exc=error
        ) from error
