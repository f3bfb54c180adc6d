"""Celery tasks of the school side's accounts."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

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
