"""Celery tasks of the platform side: each takes an id, calls a service, owns failure handling."""

from __future__ import annotations

import logging

from celery import shared_task

from collector.datarequests import data_request_fail, data_request_process

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
