"""Writes: creating a project, submitting a run, following its status, importing its results.

A run is one `scores` data request on the platform, with the project's parameters (its rows
carry each session's timing and measures as well as its score). The school side translates
learners to opaque ids (dashboard/identities.py) just before submitting and translates them back
when importing; the platform never sees a real id and the explorer never shows an opaque one.

Status follows the platform's: `run_refresh` (called by the status view that the pages poll)
asks the collector about the run's request. When it is DONE, the first check to notice claims the
import with a conditional UPDATE and enqueues `projects.import_run` after commit; the task
fetches the results, frames them with pandas and stores one row per session (with COPY on
PostgreSQL). A FAILED request fails the run with the platform's reason; retrying submits a new
request. With nobody watching, celery beat makes the same checks (`runs_refresh_processing`).

Runs submitted before a run became one request have two, `sessions` and `scores`: they are
followed and imported as before (both DONE, then `paths.merge_results`). `ProjectRun` keeps both
columns; a new run stores its one request's id in both (`ProjectRun.request_ids`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pandas as pd
from django.db import connections, router, transaction
from django.db.models import Max
from django.utils import timezone

from collector.client import Collector, CollectorError, DataRequestInfo, get_client
from dashboard.identities import identities_by_opaque, opaque_ids_for
from dashboard.models import LearnerIdentity, SchoolClass, User
from projects import paths
from projects.models import Project, ProjectRun, RunAttempt, RunSession, RunStatus

log = logging.getLogger("pathlens.projects")

# An import claimed this long ago and not finished was lost (worker killed): claim it again.
IMPORT_LOST_AFTER = timedelta(minutes=10)
IMPORT_BATCH = 2000
# Runs one periodic refresh checks at most, oldest first.
REFRESH_BATCH = 200


class RunRefused(Exception):
    """A run cannot be submitted now; the message says why, for the teacher."""


def project_create(
    *,
    owner: User,
    name: str,
    learners: list[LearnerIdentity] | list[int],
    widgets: list[str],
    time_from: datetime | None,
    time_to: datetime | None,
    school_class: SchoolClass | None = None,
) -> Project:
    """Saves the project and submits its first run (which may fail and can then be retried)."""
    with transaction.atomic():
        # owner_id: request.user is a lazy object, which the database router cannot inspect.
        project = Project.objects.create(
            owner_id=owner.pk,
            name=name,
            widgets=widgets,
            time_from=time_from,
            time_to=time_to,
            school_class=school_class,
        )
        project.learners.set(learners)
    run_submit(project=project)
    log.info("project %s created with %d learners", project.pk, len(learners))
    return project


def run_can_start(*, project: Project) -> tuple[bool, str]:
    """Whether a new run may start now, and if not, why (shown to the teacher)."""
    latest = project.runs.order_by("-number").first()
    if latest and latest.is_processing and not latest.is_stale:
        return False, "This project is still processing. Wait until it is done, then run it again."
    if not project.learners.exists():
        return False, (
            "Every learner of this project has been deleted since it was made, so there is "
            "nothing to ask for. Create a new project instead."
        )
    return True, ""


def run_submit(*, project: Project) -> ProjectRun:
    """Submits a new run of the project: one `scores` request with the project's parameters."""
    allowed, why = run_can_start(project=project)
    if not allowed:
        raise RunRefused(why)
    with transaction.atomic():
        # A run still marked PROCESSING here is stale (run_can_start said so): close it.
        project.runs.filter(status=RunStatus.PROCESSING).update(
            status=RunStatus.FAILED,
            reason="Abandoned: it was still processing after a long time, and a new run started.",
            finished_at=timezone.now(),
        )
        number = (project.runs.aggregate(n=Max("number"))["n"] or 0) + 1
        learner_pks = list(project.learners.values_list("pk", flat=True))
        run = ProjectRun.objects.create(
            project=project,
            number=number,
            progress=0,
            parameters={
                "learners": len(learner_pks),
                "widgets": list(project.widgets),
                "from": project.time_from.isoformat() if project.time_from else None,
                "to": project.time_to.isoformat() if project.time_to else None,
            },
        )
    opaque = opaque_ids_for(learner_pks)
    client = get_client()
    try:
        created = client.create_data_request(
            kind="scores",
            learners=opaque,
            widgets=list(project.widgets),
            time_from=project.time_from,
            time_to=project.time_to,
        )
        # Both columns, so that code reading either (and a rolled-back deploy) finds the request.
        run.sessions_request_id = run.scores_request_id = created.id
        run.save(update_fields=["sessions_request_id", "scores_request_id"])
    except CollectorError as error:
        log.warning("project %s run %s refused by the collector: %s", project.pk, number, error)
        run_fail(run=run, reason=_platform_said(error, "submitting the request"))
        run.refresh_from_db()
    return run


def _platform_said(error: CollectorError, doing: str) -> str:
    if error.status >= 500:
        return f"The analytics platform could not be reached while {doing}: {error.message}"
    return f"The analytics platform refused {doing} ({error.status}): {error.message}"


def run_fail(*, run: ProjectRun, reason: str) -> bool:
    """Marks a PROCESSING run FAILED; False if it had already finished one way or the other."""
    failed = bool(
        ProjectRun.objects.filter(pk=run.pk, status=RunStatus.PROCESSING).update(
            status=RunStatus.FAILED, reason=reason[:2000], finished_at=timezone.now()
        )
    )
    if failed and not Project.objects.filter(pk=run.project_id, is_class_feed=True).exists():
        run_id = run.pk
        transaction.on_commit(lambda: _tell_owner(run_id))
    return failed


def run_refresh(*, run: ProjectRun) -> ProjectRun:
    """Brings a PROCESSING run up to date with the platform; returns it reloaded.

    Sets `run.platform_problem` (not stored) when the platform cannot be reached right now: the
    run stays PROCESSING and the next check tries again.
    """
    run.platform_problem = ""
    if not run.is_processing:
        return run
    if run.is_importing:
        started = run.import_started_at  # set: the run is importing
        if started is not None and timezone.now() - started > IMPORT_LOST_AFTER:
            _claim_import(run, lost_before=timezone.now() - IMPORT_LOST_AFTER)
        return _reloaded(run)
    client = get_client()
    infos: dict[str, DataRequestInfo] = {}
    try:
        for request_id in run.request_ids:
            info = client.get_data_request(request_id)
            infos[info.kind] = info
    except CollectorError as error:
        if error.status == 404:
            run_fail(
                run=run,
                reason="The analytics platform no longer knows this run's requests "
                "(its data may have been reset). Run the project again.",
            )
            return _reloaded(run)
        log.warning("run %s: status check failed: %s", run.pk, error)
        run.platform_problem = _platform_said(error, "checking the status")
        return run
    failed = [(kind, info) for kind, info in infos.items() if info.status == "FAILED"]
    if failed:
        kind, info = failed[0]
        run_fail(
            run=run,
            reason=f"The platform could not compute the {kind}: "
            f"{info.reason or 'no reason was given.'}",
        )
    elif infos and all(info.status == "DONE" for info in infos.values()):
        _claim_import(run)
    else:
        progress = sum(info.progress for info in infos.values()) // len(infos)
        ProjectRun.objects.filter(pk=run.pk, status=RunStatus.PROCESSING).update(progress=progress)
    return _reloaded(run)


def runs_refresh_processing(*, limit: int = REFRESH_BATCH) -> dict[str, int]:
    """Brings every PROCESSING run up to date, oldest first, as if someone had its page open.

    Without this, a run whose teacher closed the page would wait for the next visit to be
    imported. `run_refresh` only ever moves a run forward with conditional UPDATEs, so this is
    safe beside page polls and beside another worker doing the same. Returns how many runs were
    checked and how many of them are now DONE, FAILED or importing.
    """
    counts = {"checked": 0, "done": 0, "failed": 0, "importing": 0, "unreachable": 0}
    runs = ProjectRun.objects.filter(status=RunStatus.PROCESSING).order_by("submitted_at", "pk")
    for run in runs[:limit]:
        try:
            run = run_refresh(run=run)
        except Exception:
            # One bad run must not keep the others waiting; the next sweep tries it again.
            log.exception("run %s: periodic refresh failed", run.pk)
            continue
        counts["checked"] += 1
        if run.platform_problem:
            counts["unreachable"] += 1
        elif run.is_done:
            counts["done"] += 1
        elif run.is_failed:
            counts["failed"] += 1
        elif run.is_importing:
            counts["importing"] += 1
    if counts["checked"]:
        log.info("processing runs refreshed: %s", counts)
    return counts


def _reloaded(run: ProjectRun) -> ProjectRun:
    run.refresh_from_db()
    run.platform_problem = getattr(run, "platform_problem", "")
    return run


def _claim_import(run: ProjectRun, *, lost_before: datetime | None = None) -> bool:
    """Claims the import for this check alone (a conditional UPDATE) and enqueues it."""
    from projects.tasks import import_run

    unclaimed = ProjectRun.objects.filter(pk=run.pk, status=RunStatus.PROCESSING)
    if lost_before is None:
        unclaimed = unclaimed.filter(import_started_at__isnull=True)
    else:
        unclaimed = unclaimed.filter(import_started_at__lt=lost_before)
    with transaction.atomic():
        claimed = unclaimed.update(import_started_at=timezone.now(), progress=None)
        if claimed:
            transaction.on_commit(lambda: import_run.delay(run.pk))
    return bool(claimed)


def run_import(*, run_id: int) -> None:
    """Fetches and stores a run's results, then marks it DONE (once, however called)."""
    run = ProjectRun.objects.filter(pk=run_id).first()
    if run is None:
        log.warning("run %s is gone (its project was deleted); nothing to import", run_id)
        return
    if not run.is_processing:
        return  # a redelivered task: imported or failed already
    client = get_client()
    results = _fetch_results(client, run)
    attempts = _fetch_attempts(client, run)
    opaque = {*results["learner"].unique().tolist(), *(a["learner"] for a in attempts)}
    learner_of = identities_by_opaque(sorted(opaque))
    results["learner_pk"] = results["learner"].map(learner_of)
    known = results[results["learner_pk"].notna()]
    skipped = len(results) - len(known)
    with transaction.atomic():
        # The lock, with the status check under it, makes the import exactly-once.
        locked = ProjectRun.objects.select_for_update().filter(pk=run_id).first()
        if locked is None or not locked.is_processing:
            return
        RunSession.objects.filter(run=locked).delete()
        _store_sessions(locked, known)
        RunAttempt.objects.filter(run=locked).delete()
        _store_attempts(locked, attempts, learner_of)
        worked = known[known["work_events"] > 0]
        figures = paths.totals(worked.assign(learner=worked["learner_pk"]))
        locked.status = RunStatus.DONE
        locked.progress = 100
        locked.finished_at = timezone.now()
        locked.session_count = figures["sessions"]
        locked.learner_count = figures["learners"]
        locked.event_count = figures["events"]
        locked.widget_count = figures["widgets"]
        locked.skipped_count = skipped
        locked.opens_count = len(known) - len(worked)
        locked.measured = True
        locked.save()
        if not locked.project.is_class_feed:
            transaction.on_commit(lambda: _tell_owner(run_id))
    log.info("run %s imported: %d sessions (%d skipped)", run_id, len(known), skipped)


def _fetch_results(client: Collector, run: ProjectRun) -> pd.DataFrame:
    """The run's results, one row per session (`paths.results_frame`'s columns)."""
    ids = run.request_ids
    if len(ids) == 1:
        table = client.results_table(ids[0])
        return paths.results_frame(table.columns, table.rows)
    # A run from before one request per run: its `sessions` and `scores` sets, joined.
    sessions, scores = (client.results_table(request_id) for request_id in ids)
    return paths.merge_results(
        pd.DataFrame.from_records(sessions.rows, columns=sessions.columns),
        pd.DataFrame.from_records(scores.rows, columns=scores.columns),
    )


def _fetch_attempts(client: Collector, run: ProjectRun) -> list[dict]:
    """The run's attempts at other activities (xAPI content that is not a widget); none for a
    run from before one request per run, or from a platform that does not offer them yet."""
    ids = run.request_ids
    if len(ids) != 1:
        return []
    try:
        return client.other_attempts(ids[0])
    except CollectorError as error:
        if error.status != 404:
            raise
        return []


def _store_attempts(run: ProjectRun, attempts: list[dict], learner_of: dict) -> None:
    """One RunAttempt per attempt of a learner the school still knows (the others are left out,
    as their sessions are)."""
    RunAttempt.objects.bulk_create(
        (
            RunAttempt(
                run=run,
                learner_id=learner_of[attempt["learner"]],
                active=attempt["active_ms"],
                **{name: attempt[name] for name in ATTEMPT_COLUMNS},
            )
            for attempt in attempts
            if learner_of.get(attempt["learner"]) is not None
        ),
        batch_size=IMPORT_BATCH,
    )


ATTEMPT_COLUMNS = ["activity", "name", "registration", "start", "end", "statements", "completed",
    "passed", "score"]  # fmt: skip


def _tell_owner(run_id: int) -> None:
    from dashboard.tasks import email_run_done  # dashboard's tasks read projects: import late

    email_run_done.delay(run_id)


# The RunSession columns `_session_values` gives, in its order.
SESSION_COPY_COLUMNS = [
    "run_id", "learner_id", "widget", "session", "start", "duration", "events", "active",
    "sittings", "work_events", "outcome", "score", "maximum", "full_maximum", "items_attempted",
    "items_total", "items",
]  # fmt: skip


def _session_values(run: ProjectRun, frame: pd.DataFrame) -> list[tuple]:
    """One tuple per session in `SESSION_COPY_COLUMNS` order: plain Python values, None for NaN,
    `items` as JSON text."""

    def ints(column: str) -> list[int]:
        return frame[column].fillna(0).astype("int64").tolist()

    def floats(column: str) -> list[float | None]:
        values = frame[column].astype("float64")
        return values.astype(object).where(values.notna(), None).tolist()

    # JSON text as the client gives it; a list (or nothing) from frames built otherwise.
    items = [
        value if isinstance(value, str) else json.dumps(value if isinstance(value, list) else [])
        for value in frame["items"]
    ]
    columns = [
        [run.pk] * len(frame),
        ints("learner_pk"),
        frame["widget"].tolist(),
        frame["session"].tolist(),
        ints("start"),
        ints("duration"),
        ints("events"),
        ints("active_ms"),
        ints("sittings"),
        ints("work_events"),
        frame["outcome"].tolist(),
        floats("score"),
        floats("maximum"),
        floats("full_maximum"),
        ints("items_attempted"),
        ints("items_total"),
        items,
    ]
    return list(zip(*columns, strict=True))


def _run_session(row: tuple) -> RunSession:
    values = dict(zip(SESSION_COPY_COLUMNS, row, strict=True))
    values["items"] = json.loads(values["items"])  # JSON text, for the model's JSONField
    return RunSession(**values)


def _store_sessions(run: ProjectRun, frame: pd.DataFrame) -> None:
    """Writes the run's RunSession rows: COPY on PostgreSQL, bulk_create elsewhere.

    Building 30,000 model objects and bulk_create-ing them took 6.4–25 s of a 1,000,000-event
    run; a COPY of the same rows 1.0–2.6 s (benchmarks/README.md).
    """
    rows = _session_values(run, frame)
    alias = router.db_for_write(RunSession)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        RunSession.objects.using(alias).bulk_create(
            (_run_session(row) for row in rows), batch_size=IMPORT_BATCH
        )
        return
    copy_sql = f"COPY {RunSession._meta.db_table} ({', '.join(SESSION_COPY_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row(row)


def project_delete(*, project: Project) -> None:
    """Deletes the project, its runs and their stored results (the platform keeps its events)."""
    project_id = project.pk
    project.delete()
    log.info("project %s deleted", project_id)


def run_statements(*, run: ProjectRun) -> DataRequestInfo | None:
    """The platform's `statements` request of a DONE run: the run's learners' work in its widgets
    and window (up to the run's submission, so that it is the run's, not today's) and their other
    activities, as xAPI statements. Asked for on first use and again if the platform failed it
    or no longer has it; None when there is nothing to ask for (no learner left, or a window that
    begins after the run). Raises CollectorError."""
    client = get_client()
    if run.statements_request_id:
        try:
            known = client.get_data_request(run.statements_request_id)
        except CollectorError as error:
            if error.status != 404:  # deleted after the retention period: asked for again
                raise
        else:
            if known.status != "FAILED":
                return known
    project = run.project
    end = min(moment for moment in (project.time_to, run.submitted_at) if moment is not None)
    opaque = opaque_ids_for(list(project.learners.values_list("pk", flat=True)))
    if not opaque or (project.time_from is not None and project.time_from >= end):
        return None
    created = client.create_data_request(
        kind="statements",
        learners=opaque,
        widgets=list(project.widgets),
        time_from=project.time_from,
        time_to=end,
    )
    run.statements_request_id = created.id
    run.save(update_fields=["statements_request_id"])
    return created
