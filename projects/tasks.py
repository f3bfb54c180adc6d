"""Celery tasks of the projects app: each takes an id, calls a service, owns failure handling."""

from __future__ import annotations

import logging

from celery import shared_task

from projects.feeds import feeds_refresh_all
from projects.models import ProjectRun
from projects.services import run_fail, run_import, runs_refresh_processing

log = logging.getLogger("pathlens.projects")


@shared_task(
    name="projects.import_run",
    bind=True,
    max_retries=3,
    default_retry_delay=5,
    acks_late=True,
)
def import_run(self, run_id: int) -> None:
    try:
        run_import(run_id=run_id)
    except Exception as error:
        if self.request.retries < self.max_retries:
            log.warning("run %s import failed (%s); retrying", run_id, type(error).__name__)
            raise self.retry(exc=error) from error
        log.exception("run %s import failed for good", run_id)
        run = ProjectRun.objects.filter(pk=run_id).first()
        if run is not None:
            run_fail(
                run=run,
                reason=f"Importing the results failed after {self.max_retries + 1} attempts: "
                f"{type(error).__name__}: {error}",
            )


@shared_task(name="projects.refresh_processing_runs")
def refresh_processing_runs() -> dict[str, int]:
    """Periodic (celery beat): advances PROCESSING runs whose pages nobody has open."""
    return runs_refresh_processing()


@shared_task(name="projects.refresh_class_feeds")
def refresh_class_feeds() -> int:
    """Runs again every class's overview whose latest run is older than FEED_MAX_AGE."""
    return feeds_refresh_all()


@shared_task(name="projects.analyse_items", acks_late=True)
def analyse_items(run_id: int) -> None:
    """Works out a large run's item analysis (projects/items.py) into the cache."""
    from projects.items import run_items_load

    run = ProjectRun.objects.filter(pk=run_id, status="DONE").first()
    if run is None:
        log.info("run %s: no DONE run to analyse (deleted?)", run_id)
        return
    run_items_load(run=run)
