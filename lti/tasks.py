"""Celery tasks of LTI grade passback (lti/passback.py says how a score travels)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from collector.client import CollectorError
from lti import ags, passback

log = logging.getLogger("pathlens.lti")

MAX_RETRIES = 6


def retry_delay(retries: int) -> int:
    """Seconds before the next try: 5, 10, 20 … up to ten minutes."""
    return min(5 * 2**retries, 600)


@shared_task(name="lti.passback_sweep")
def passback_sweep() -> int:
    """Periodic (celery beat): hands each waiting passback to `send_passback`."""
    due = passback.passbacks_due()
    for passback_id in due:
        transaction.on_commit(lambda pk=passback_id: send_passback.delay(pk))
    return len(due)


@shared_task(name="lti.send_passback", bind=True, max_retries=MAX_RETRIES)
def send_passback(self, passback_id: int, claim: str = "") -> str:
    """One passback's next step; retried with back-off while the gradebook is unavailable."""
    claim = claim or passback.new_claim()
    if not passback.passback_claim(passback_id=passback_id, claim=claim):
        return passback.Step.BUSY
    try:
        step = passback.passback_step(passback_id=passback_id)
    except ags.GradebookRefused as error:
        log.warning("passback %s refused by the LMS: %s", passback_id, error)
        passback.passback_failed(passback_id=passback_id, reason=str(error), give_up=True)
        return "refused"
    except (ags.GradebookUnavailable, CollectorError, OSError) as error:
        give_up = self.request.retries >= self.max_retries
        passback.passback_failed(passback_id=passback_id, reason=str(error), give_up=give_up)
        if give_up:
            log.error("passback %s given up: %s", passback_id, error)
            return "given up"
        delay = retry_delay(self.request.retries)
        # The claim outlives the wait, so the sweep leaves the row to this retry.
        passback.passback_release(
            passback_id=passback_id, until=timezone.now() + timedelta(seconds=delay + 60)
        )
        log.info("passback %s: gradebook unavailable, retry in %s s", passback_id, delay)
        raise self.retry(
            kwargs={"passback_id": passback_id, "claim": claim}, countdown=delay, exc=error
        ) from error
    if step != passback.Step.SENT:
        passback.passback_release(passback_id=passback_id)
    return step
