"""Reads for the teacher's home page: each class's overview, from its stored overview run.

The widgets' figures come from the school side's own copy (projects/feeds.py: the class's
overview run), never from the collector's tables; `updated` says how fresh they are. Other
activities (content that reports in xAPI, not one of our widgets) are read from the collector
when the page is drawn (`other_activities`): they are few rows per learner, with no events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from collector.client import CollectorError, get_client
from core.formatting import format_duration
from core.measures import measure_rules
from dashboard.attention import DAY_MS, RECENT_DAYS, flags_for
from dashboard.models import SchoolClass
from dashboard.overview import GridRow, flag_links, progress_grid
from projects import feeds, services
from projects.selectors import ProjectRun, RunSession
from widgets.registry import all_widgets, get_widget

ROW_FIELDS = ["id", "learner", "widget", "start", "duration", "active", "work_events", "outcome",
              "score", "maximum", "items"]  # fmt: skip
# Without `items`: their JSON is two thirds of the page's work (benchmarks/home.py), and the
# flags read them only for sessions of the last RECENT_DAYS.
GRID_FIELDS = [name for name in ROW_FIELDS if name != "items"]
FLAGS_SHOWN = 12


@dataclass(frozen=True)
class ClassOverview:
    school_class: SchoolClass
    learner_count: int
    run: ProjectRun | None
    refreshing: bool
    widgets: list[tuple[str, str]]  # id, title
    grid: list[GridRow]
    flags: list  # (Flag, url, learner name)
    more_flags: int
    others: list[tuple[str, str]] = field(default_factory=list)  # other activities: id, name
    others_problem: str = ""  # why other activities could not be read, to show instead

    @property
    def updated(self) -> datetime | None:
        return self.run.finished_at if self.run else None

    @property
    def idle_cap_text(self) -> str:
        """The longest pause counted as active time (the widgets' idle cap), in words."""
        return format_duration(measure_rules().idle_cap_ms)

    @property
    def waiting(self) -> bool:
        """Nothing to show yet, but something is on its way."""
        return self.run is None and self.refreshing


def item_label(widget_id: str, item: str) -> str:
    widget = get_widget(widget_id)
    return widget.item_label(item) if widget else f"item {item}"


def widget_title(widget_id: str) -> str:
    widget = get_widget(widget_id)
    return widget.title if widget else widget_id


def _rows(run: ProjectRun | None, *, since_ms: int) -> list[dict]:
    """The run's session rows; `items` only on the sessions with work that ended since
    `since_ms` (the only ones a flag reads them on), an empty list on the others."""
    if run is None:
        return []
    rows = list(RunSession.objects.filter(run=run).values(*GRID_FIELDS))
    recent = [
        row["id"]
        for row in rows
        if row["work_events"] > 0 and row["start"] + row["duration"] >= since_ms
    ]
    items = dict(RunSession.objects.filter(pk__in=recent).values_list("pk", "items"))
    for row in rows:
        row["items"] = items.get(row["id"], [])
    return rows


def other_activities(
    roster: list[tuple[int, str]],
) -> tuple[list[tuple[str, str]], dict[tuple[int, str], dict], str]:
    """The other activities the roster's learners (pk, opaque id) have statements about, by
    name, each (activity id, name); the measures by (learner pk, activity id); and a problem
    to show instead when the platform cannot be reached."""
    learners = {opaque: pk for pk, opaque in roster}
    try:
        found = get_client().other_activities(list(learners)) if learners else []
    except CollectorError as error:
        return [], {}, f"Other activities cannot be read right now ({error.status})."
    measures: dict[tuple[int, str], dict] = {}
    names: dict[str, tuple[int, str]] = {}  # activity → (last time, its latest name)
    for row in found:
        pk = learners.get(row["learner"])
        if pk is None:
            continue
        measures[(pk, row["activity"])] = row
        names[row["activity"]] = max(
            names.get(row["activity"], (-1, "")), (row["last_time"], row["name"])
        )
    columns = sorted(
        ((activity, name) for activity, (_, name) in names.items()),
        key=lambda item: (item[1].casefold(), item[0]),
    )
    return columns, measures, ""


def class_overview(
    *, school_class: SchoolClass, sort: str = "name", state: feeds.FeedState | None = None
) -> ClassOverview:
    state = state or feeds.feed_state(school_class=school_class)
    if state.refreshing and state.feed is not None:  # refreshing: the feed has a processing run
        latest = state.feed.runs.order_by("-number").first()
        if latest is not None:
            services.run_refresh(run=latest)  # as a project page's polling moves its run along
        state = feeds.feed_state(school_class=school_class)
    roster = list(school_class.learners.order_by("display_name").values_list("pk", "display_name"))
    widgets = [(widget.id, widget.title) for widget in all_widgets()]
    now_ms = int(timezone.now().timestamp() * 1000)
    rows = _rows(state.run, since_ms=now_ms - RECENT_DAYS * DAY_MS)
    flags = flags_for(
        rows,
        roster=[pk for pk, _ in roster],
        now_ms=now_ms,
        widget_title=widget_title,
        item_label=item_label,
        tz=timezone.get_current_timezone(),
    )
    names = dict(roster)
    project = state.feed.pk if state.feed else 0

    def session_url(session: int, at_ms: int | None) -> str:
        url = reverse("projects:session", args=[project, session])
        return f"{url}?{urlencode({'at': at_ms})}" if at_ms else url

    def profile_url(learner: int) -> str:
        return reverse("dashboard:learners_edit", args=[learner])

    linked = flag_links(flags, session_url=session_url, profile_url=profile_url)
    others, other_measures, others_problem = other_activities(
        list(school_class.learners.values_list("pk", "opaque_id"))
    )
    return ClassOverview(
        school_class=school_class,
        learner_count=len(roster),
        run=state.run,
        refreshing=state.refreshing,
        widgets=widgets,
        grid=progress_grid(
            rows,
            roster=roster,
            widgets=[w for w, _ in widgets],
            flags=flags,
            sort=sort,
            others=[activity for activity, _ in others],
            other_measures=other_measures,
        ),
        flags=[(flag, url, names.get(flag.learner, "")) for flag, url in linked[:FLAGS_SHOWN]],
        more_flags=max(0, len(linked) - FLAGS_SHOWN),
        others=others,
        others_problem=others_problem,
    )


@dataclass(frozen=True)
class LiveRow:
    learner: int
    name: str
    widget: str
    events: int
    seconds_ago: int

    @property
    def ago(self) -> str:
        return (
            "just now"
            if self.seconds_ago < 10
            else f"{format_duration(self.seconds_ago * 1000)} ago"
        )


def live_now(*, school_class: SchoolClass) -> tuple[list[LiveRow], str]:
    """The class's learners with a session in progress (an event in the last 2 minutes), latest
    first, one row per learner; and a problem to show instead when the platform is unreachable."""
    roster = list(school_class.learners.values_list("opaque_id", "pk", "display_name"))
    learners = {opaque: pk for opaque, pk, _ in roster}
    names = {pk: name for _, pk, name in roster}
    try:
        sessions = get_client().live_sessions(list(learners))
    except CollectorError as error:
        return [], f"The analytics platform cannot be reached right now ({error.status})."
    now = timezone.now().timestamp() * 1000
    rows: dict[int, LiveRow] = {}
    for session in sessions:  # newest first: the first of each learner is what they are on
        pk = learners.get(session["learner"])
        if pk is None or pk in rows:
            continue
        rows[pk] = LiveRow(
            learner=pk,
            name=names[pk],
            widget=widget_title(session["widget"]),
            events=session["events"],
            seconds_ago=max(0, int((now - session["last_time"]) / 1000)),
        )
    return list(rows.values()), ""
