"""Reads of projects, runs and their stored results.

A DONE run's stored sessions never change (a deleted learner's rows go, and the explorer
leaves out learners it has no label for anyway), so the explorer keeps the frames of the runs it
showed last in memory, and the encoded overview figure (and its gzip) in the cache, keyed by a
digest of everything it depends on.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from dashboard.classes import class_ids_for
from dashboard.models import LearnerIdentity, User
from projects import charts, items, paths
from projects.charts import Lane
from projects.models import Project, ProjectRun, RunAttempt, RunSession, RunStatus
from widgets.registry import all_widgets, get_widget


def projects_visible_to(*, user: User) -> QuerySet[Project]:
    """Every project this teacher may open: their own, and the overviews of the classes they
    teach (owned or shared). The one scoped getter behind project, explorer and replay pages."""
    return Project.objects.filter(
        Q(owner_id=user.pk) | Q(is_class_feed=True, school_class__in=class_ids_for(user=user))
    )


def projects_for(*, owner: User) -> QuerySet[Project]:
    """The teacher's projects, newest first, with learner count and latest run id (class
    overviews are not listed: the home page shows them)."""
    latest = ProjectRun.objects.filter(project=OuterRef("pk")).order_by("-number").values("pk")
    return (
        Project.objects.filter(owner=owner, is_class_feed=False)
        .annotate(learner_count=Count("learners", distinct=True))
        .annotate(latest_run_id=Subquery(latest[:1]))
        .order_by("-created_at", "-id")
    )


def attach_latest_runs(projects: list[Project]) -> list[Project]:
    """Sets `latest_run` on each project of a page (annotated by `projects_for`), in one query."""
    runs = ProjectRun.objects.in_bulk([p.latest_run_id for p in projects if p.latest_run_id])
    for project in projects:
        project.latest_run = runs.get(project.latest_run_id)
    return projects


def latest_run(*, project: Project) -> ProjectRun | None:
    return project.runs.order_by("-number").first()


def latest_done_run(*, project: Project) -> ProjectRun | None:
    return project.runs.filter(status=RunStatus.DONE).order_by("-number").first()


def lanes_for(*, project: Project) -> list[Lane]:
    """The project's widgets as chart lanes, in the registry's order (unknown ids last)."""
    order = {widget.id: index for index, widget in enumerate(all_widgets())}
    widgets = sorted(project.widgets, key=lambda w: (order.get(w, len(order)), w))
    return [Lane(w, widget.title if (widget := get_widget(w)) else w) for w in widgets]


def _run_key(run: ProjectRun) -> str:
    """A run as caches know it: its id and when it finished (ids alone may come back after a
    database is reset or restored)."""
    return f"{run.pk}:{run.finished_at.timestamp() if run.finished_at else 'open'}"


FRAMES_KEPT = 6  # runs whose frames stay in each process's memory (~2 MB per 30,000 sessions)
_frames: OrderedDict[str, pd.DataFrame] = OrderedDict()
_frames_lock = threading.Lock()


def run_frame(*, run: ProjectRun) -> pd.DataFrame:
    """Every stored session of a DONE run, as the session frame of projects/paths.py."""
    key = _run_key(run)
    with _frames_lock:
        if key in _frames:
            _frames.move_to_end(key)
            return _frames[key]
    query = RunSession.objects.filter(run=run).values_list(*paths.SESSION_COLUMNS).query
    sql, params = query.sql_with_params()
    # A plain cursor: the ORM's per-row work costs more than the query for 30,000 rows.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        frame = paths.sessions_frame(cursor.fetchall())
    if run.is_done:
        with _frames_lock:
            _frames[key] = frame
            while len(_frames) > FRAMES_KEPT:
                _frames.popitem(last=False)
    return frame


def project_labels(*, project: Project) -> pd.DataFrame:
    """The project's learners (those not deleted since): display name and real id by id."""
    rows = LearnerIdentity.objects.filter(projects=project).values_list(
        "pk", "display_name", "real_id"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["learner", "display_name", "real_id"])
    return frame.astype({"learner": "int64"}).set_index("learner")


@dataclass(frozen=True)
class RunData:
    """What the explorer reads of one run: its sessions, learner labels, lanes, row order, and
    its learners' attempts at other activities (xAPI content) with a lane per activity."""

    frame: pd.DataFrame
    labels: pd.DataFrame
    lanes: list[Lane]
    order: list[int]
    attempts: pd.DataFrame = field(default_factory=lambda: paths.attempts_frame([]))
    activity_lanes: list[Lane] = field(default_factory=list)

    @property
    def all_lanes(self) -> list[Lane]:
        """The widgets' lanes, then the other activities' (only those with an attempt)."""
        return [*self.lanes, *self.activity_lanes]

    def names(self) -> dict[int, str]:
        return dict(zip(self.labels.index, self.labels["display_name"], strict=True))

    @property
    def opens(self) -> int:
        """How many sessions were opened without any work."""
        return paths.opens_without_work(self.frame)


def run_data(*, project: Project, run: ProjectRun, with_opens: bool = False) -> RunData:
    """What the explorer shows of a run; opens without work left out unless `with_opens`."""
    data = _run_data(project=project, run=run)
    if with_opens:
        return data
    return replace(data, frame=paths.with_work(data.frame))


def _run_data(*, project: Project, run: ProjectRun) -> RunData:
    labels = project_labels(project=project)
    frame = run_frame(run=run)
    # A learner deleted since is gone from both (cascade); this guards the moment in between.
    frame = frame[frame["learner"].isin(labels.index)]
    labels = labels.loc[labels.index.isin(frame["learner"].unique())]
    # A learner's attempts are drawn on their row, which a learner with no session lacks.
    attempts = run_attempts(run=run)
    if len(attempts):
        attempts = attempts[attempts["learner"].isin(labels.index)].reset_index(drop=True)
    return RunData(
        frame=frame,
        labels=labels,
        lanes=lanes_for(project=project),
        order=paths.learner_order(labels, frame),
        attempts=attempts,
        activity_lanes=activity_lanes(attempts),
    )


_attempts: OrderedDict[str, pd.DataFrame] = OrderedDict()  # as _frames, for the attempts


def run_attempts(*, run: ProjectRun) -> pd.DataFrame:
    """The run's attempts at other activities, as the attempts frame of projects/paths.py; kept
    with the frames, as they never change either."""
    key = _run_key(run)
    with _frames_lock:
        if key in _attempts:
            _attempts.move_to_end(key)
            return _attempts[key]
    rows = RunAttempt.objects.filter(run=run).order_by("start", "id")
    frame = paths.attempts_frame(rows.values_list(*paths.ATTEMPT_COLUMNS))
    if run.is_done:
        with _frames_lock:
            _attempts[key] = frame
            while len(_attempts) > FRAMES_KEPT:
                _attempts.popitem(last=False)
    return frame


def activity_lanes(attempts: pd.DataFrame) -> list[Lane]:
    """One lane per other activity, by name; each named as its latest attempt names it."""
    if attempts.empty:
        return []
    names = attempts.groupby("activity", sort=False)["name"].last()
    ordered = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
    return [Lane(activity, name) for activity, name in ordered]


def attempt_for(*, project: Project, attempt_id: int) -> RunAttempt | None:
    return (
        RunAttempt.objects.select_related("run", "learner")
        .filter(pk=attempt_id, run__project=project)
        .first()
    )


OVERVIEW_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Overview:
    """The explorer's base figure for one run as it looks now: its version, and its bytes."""

    digest: str
    labels: list[str]

    @property
    def cache_key(self) -> str:
        return f"projects:overview:v5:{self.digest}"


def overview_version(*, run: ProjectRun, data: RunData, time_zone: str, view: str) -> Overview:
    """What the figure depends on, hashed: the run, its learners' labels, lanes, time zone and
    the view's query (opens, filters).

    Cheap (no figure is built), so the page can link to the figure's versioned URL and the
    browser can keep the figure for as long as that version lasts.
    """
    labels = [
        charts.escape_label(f"{name} · {real_id}")
        for name, real_id in data.labels.loc[data.order, ["display_name", "real_id"]].itertuples(
            index=False
        )
    ]
    parts = [
        _run_key(run),
        labels,
        data.order,
        [lane.widget for lane in data.all_lanes],
        len(data.attempts),
        time_zone,
        view,
    ]
    digest = hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]
    return Overview(digest=digest, labels=labels)


def overview_bytes(
    *, run: ProjectRun, data: RunData, overview: Overview, time_zone: str, urls: dict[str, str]
) -> tuple[bytes, bytes]:
    """The encoded figure and its gzip, from the cache when this version was built before;
    `urls` has `sessionUrl` and `attemptUrl`, each the address of id 0 (the browser puts the
    mark's in)."""
    cached = cache.get(overview.cache_key)
    if cached is None:
        figure = charts.overview_figure(
            data.frame,
            lanes=data.lanes,
            order=data.order,
            time_zone=time_zone,
            attempts=data.attempts,
            activity_lanes=data.activity_lanes,
        )
        encoded = json.dumps(
            {**figure, "labels": overview.labels, **urls},
            separators=(",", ":"),
        ).encode()
        cached = (encoded, gzip.compress(encoded, compresslevel=6, mtime=0))
        cache.set(overview.cache_key, cached, OVERVIEW_CACHE_SECONDS)
    return cached


def items_context(*, run, project) -> dict:
    """What `projects/_items.html` renders: the analysis (None while a task works it out).

    Shared by the item analysis page and the class page (dashboard.class_views)."""
    analysis = items.run_items(run=run) if run is not None else None
    if analysis is not None:
        analysis = items.with_names(analysis, items.learner_names(analysis))
    return {
        "items_run": run,
        "items_project": project,
        "items": analysis,
        "item_words": {"first": items.FIRST_TRY, "later": items.LATER, "gave_up": items.GAVE_UP},
    }


def session_for(*, project: Project, session_id: int) -> RunSession | None:
    return (
        RunSession.objects.select_related("run", "learner")
        .filter(pk=session_id, run__project=project)
        .first()
    )


def export_rows(*, run: ProjectRun):
    """The rows of the CSV export, in learner then time order."""
    return (
        RunSession.objects.filter(run=run)
        .order_by("learner__display_name", "learner__real_id_key", "start", "widget")
        .values_list(
            "learner__real_id",
            "learner__display_name",
            "widget",
            "session",
            "start",
            "active",
            "sittings",
            "duration",
            "events",
            "work_events",
            "outcome",
            "score",
            "maximum",
        )
        .iterator(chunk_size=5000)
    )
