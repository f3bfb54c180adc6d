"""Celery tasks of the platform side: each takes an id, calls a service, owns failure handling."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from collector.datarequests import (
    data_request_fail,
    data_request_process,
    data_requests_delete_finished,
    data_requests_sweep,
)
from collector.quarantine import quarantine_delete_old
from collector.summaries import sessions_summarise
from collector.webhooks.delivery import deliveries_run, webhooks_prune
from collector.xapi.forwarding import forwardings_run

log = logging.getLogger("pathlens.collector")


@shared_task(
    name="collector.process_data_request",
    bind=True,
    max_retries=3,
    default_retry_delay=5,
    acks_late=True,
)
def process_data_request(self, request_id: str) -> None:
    try:
        data_request_process(request_id=request_id)
    except Exception as error:
        if self.request.retries < self.max_retries:
            log.warning("data request %s failed (%s); retrying", request_id, type(error).__name__)
            raise self.retry(exc=error) from error
        log.exception("data request %s failed for good", request_id)
        data_request_fail(
            request_id=request_id,
            reason=f"Processing failed after {self.max_retries + 1} attempts: "
            f"{type(error).__name__}: {error}",
        )


# --- Periodic (celery beat, CELERY_BEAT_SCHEDULE in config/settings.py) -----------------------


@shared_task(name="collector.sweep_data_requests")
def sweep_data_requests() -> dict[str, int]:
    """Requeues data requests whose task was lost, and fails those that will never finish."""
    return data_requests_sweep()


@shared_task(name="collector.delete_old_data_requests")
def delete_old_data_requests() -> int:
    """Deletes finished data requests and their results after DATA_REQUEST_RETENTION_DAYS."""
    days = settings.DATA_REQUEST_RETENTION_DAYS
    return data_requests_delete_finished(finished_before=timezone.now() - timedelta(days=days))


@shared_task(name="collector.delete_old_quarantined_events")
def delete_old_quarantined_events() -> int:
    """Deletes quarantined events received more than QUARANTINE_RETENTION_DAYS ago."""
    days = settings.QUARANTINE_RETENTION_DAYS
    return quarantine_delete_old(received_before=timezone.now() - timedelta(days=days))


@shared_task(name="collector.summarise_sessions")
def summarise_sessions() -> int:
    """Brings the measures of sessions that received events up to date (collector/summaries.py)."""
    return sessions_summarise()


@shared_task(name="collector.forward_statements")
def forward_statements() -> dict[str, int]:
    """Sends new statements to the LRSs tenants forward to (collector/xapi/forwarding.py)."""
    return forwardings_run()


@shared_task(name="collector.deliver_webhooks")
def deliver_webhooks() -> dict[str, int]:
    """POSTs new session changes to the tenants' webhook subscriptions (collector/webhooks/)."""
    return deliveries_run()


@shared_task(name="collector.prune_webhooks")
def prune_webhooks() -> dict[str, int]:
    """Deletes delivered webhook changes and delivery log entries older than
    WEBHOOK_RETENTION_DAYS (collector/webhooks/delivery.py, webhooks_prune)."""
    days = settings.WEBHOOK_RETENTION_DAYS
    return webhooks_prune(before=timezone.now() - timedelta(days=days))
