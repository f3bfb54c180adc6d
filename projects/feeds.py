"""Class overviews: each class's own project, run again every few minutes for the home page.

The home page reads the school side's own copy of the data, never the collector's tables: a
class's overview is an ordinary project (every learner of the class, every widget, no time
window) flagged `is_class_feed`, so it is submitted, processed, imported and replayed exactly as a
teacher's projects are. Celery beat refreshes every class's overview every FEED_INTERVAL
(`projects.refresh_class_feeds`); a teacher can ask for a refresh at once. Because the collector
keeps each session's measures, a refresh of a class of 30 reads a few hundred session rows and
no event. Runs of an overview older than the last FEED_RUNS_KEPT are deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dashboard.models import SchoolClass
from projects.models import Project, ProjectRun, RunStatus
from projects.services import RunRefused, run_submit
from widgets.registry import all_widgets

log = logging.getLogger("pathlens.projects")

FEED_MAX_AGE = timedelta(minutes=5)  # a refresh is due once the latest run is this old
FEED_RUNS_KEPT = 3


def feed_for(*, school_class: SchoolClass) -> Project:
    """The class's overview project, created on first use, with the class's learners now."""
    with transaction.atomic():
        feed = (
            Project.objects.select_for_update()
            .filter(school_class=school_class, is_class_feed=True)
            .first()
        )
        if feed is None:
            feed = Project.objects.create(
                owner_id=school_class.owner_id,
                name=f"{school_class.name} · class overview",
                school_class=school_class,
                is_class_feed=True,
                widgets=[widget.id for widget in all_widgets()],
            )
        feed.learners.set(school_class.learners.all())
    return feed


def feed_refresh(*, school_class: SchoolClass, force: bool = False) -> ProjectRun | None:
    """Submits a new run of the class's overview when one is due (or `force`); returns it.

    Not due: a run is processing, or the latest finished less than FEED_MAX_AGE ago. A class
    without learners has nothing to ask for.
    """
    if not school_class.learners.exists():
        return None
    feed = feed_for(school_class=school_class)
    latest = feed.runs.order_by("-number").first()
    if latest is not None and latest.is_processing and not latest.is_stale:
        return None
    if (
        not force
        and latest is not None
        and latest.is_done
        and latest.finished_at is not None
        and timezone.now() - latest.finished_at < FEED_MAX_AGE
    ):
        return None
    try:
        run = run_submit(project=feed)
    except RunRefused as refused:
        log.info("class %s overview not refreshed: %s", school_class.pk, refused)
        return None
    _forget_old_runs(feed)
    return run


def _forget_old_runs(feed: Project) -> None:
    keep = list(feed.runs.order_by("-number").values_list("pk", flat=True)[:FEED_RUNS_KEPT])
    feed.runs.exclude(pk__in=keep).exclude(status=RunStatus.PROCESSING).delete()


def feeds_refresh_all() -> int:
    """Refreshes every class's overview that is due (celery beat); returns how many were run."""
    submitted = 0
    for school_class in SchoolClass.objects.order_by("pk"):
        try:
            submitted += feed_refresh(school_class=school_class) is not None
        except Exception:
            # One class's trouble must not keep the others stale; the next round tries again.
            log.exception("class %s overview refresh failed", school_class.pk)
    return submitted


@dataclass(frozen=True)
class FeedState:
    feed: Project | None
    run: ProjectRun | None  # the latest DONE run, what the page shows
    refreshing: bool  # a newer run is processing


def feed_state(*, school_class: SchoolClass) -> FeedState:
    feed = Project.objects.filter(school_class=school_class, is_class_feed=True).first()
    if feed is None:
        return FeedState(None, None, False)
    runs = list(feed.runs.order_by("-number")[:FEED_RUNS_KEPT])
    done = next((run for run in runs if run.is_done), None)
    refreshing = bool(runs) and runs[0].is_processing
    return FeedState(feed, done, refreshing)
