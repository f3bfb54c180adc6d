"""Celery tasks of the school side's accounts."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from dashboard import notifications

log = logging.getLogger("pathlens.access")


@shared_task(name="dashboard.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Periodic (celery beat): deletes expired sign-in sessions, which Django never does itself.

    Every sign-in, teacher or learner, leaves a row in the database session store, and without
    this the table only grows. What `manage.py clearsessions` does for the database store.
    """
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    if deleted:
        log.info("deleted %d expired sessions", deleted)
    return deleted


@shared_task(name="dashboard.email_run_done", max_retries=3, default_retry_delay=60, bind=True)
def email_run_done(self, run_id: int) -> bool:
    """Tells a project's owner that a run finished (if they asked); retried if mail fails."""
    try:
        return notifications.run_done_email(run_id=run_id)
    except OSError as error:  # the mail server is down or refused: try again later
        raise self.retry(exc=error) from error


@shared_task(name="dashboard.send_attention_digests")
def send_attention_digests() -> int:
    """Periodic (celery beat, hourly): each morning's "who needs attention" e-mails."""
    return notifications.attention_digests_send()
