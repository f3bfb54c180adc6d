"""The explorer page's data: everything `views.explore` renders, built from a run's data.

Pure: it reads a `selectors.RunData` (frames and lanes) and the cleaned query, touches no
database and no request, so the page's rows, paths and links are unit-tested without a client
(tests/projects/test_explorer.py). The view only fetches, validates and renders.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pandas as pd
from django.core.paginator import Paginator

from core.formatting import format_duration, format_score
from projects import charts, paths

if TYPE_CHECKING:
    from projects.selectors import RunData

LEARNERS_PER_PAGE = 50
DEFAULT_PATHS = 6  # how many struggling learners' paths a first visit shows


@dataclass(frozen=True)
class Filters:
    """What the view is narrowed to: days (in the school's time zone, inclusive), widgets,
    outcomes and a score range (percent, inclusive; sessions without a score drop out)."""

    since: date | None = None
    until: date | None = None
    widgets: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    score_min: int | None = None
    score_max: int | None = None

    @classmethod
    def from_cleaned(cls, cleaned: dict) -> Filters:
        return cls(
            since=cleaned.get("since"),
            until=cleaned.get("until"),
            widgets=tuple(cleaned.get("widget") or ()),
            outcomes=tuple(cleaned.get("outcome") or ()),
            score_min=cleaned.get("smin"),
            score_max=cleaned.get("smax"),
        )

    @property
    def active(self) -> bool:
        return self != Filters()

    def params(self) -> dict:
        """As query parameters (the names of forms.ExploreForm), defaults left out."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "widget": list(self.widgets),
            "outcome": list(self.outcomes),
            "smin": self.score_min,
            "smax": self.score_max,
        }

    def apply(self, data: RunData, time_zone: str) -> RunData:
        """`data` with only the sessions these filters keep, and only the chosen widgets' lanes.

        Learners and their row order stay as they were, so a learner keeps their height in every
        lane whatever is filtered."""
        if not self.active:
            return data
        frame = data.frame
        keep = pd.Series(True, index=frame.index)
        if self.since or self.until:
            zone = ZoneInfo(time_zone)
            start = pd.to_datetime(frame["start"], unit="ms", utc=True).dt.tz_convert(zone)
            day = start.dt.date
            if self.since:
                keep &= day >= self.since
            if self.until:
                keep &= day <= self.until
        if self.widgets:
            keep &= frame["widget"].isin(self.widgets)
        if self.outcomes:
            keep &= frame["outcome"].isin(self.outcomes)
        if self.score_min is not None or self.score_max is not None:
            pct = paths.score_percent(frame)
            keep &= pct.notna()
            if self.score_min is not None:
                keep &= pct >= self.score_min
            if self.score_max is not None:
                keep &= pct <= self.score_max
        lanes = [lane for lane in data.lanes if not self.widgets or lane.widget in self.widgets]
        attempts = self._attempts(data.attempts, time_zone)
        return replace(
            data,
            frame=frame[keep].reset_index(drop=True),
            lanes=lanes,
            attempts=attempts,
            activity_lanes=[
                a for a in data.activity_lanes if a.widget in set(attempts["activity"])
            ],
        )

    def _attempts(self, attempts: pd.DataFrame, time_zone: str) -> pd.DataFrame:
        """The attempts at other activities these filters keep: none when widgets are chosen
        (those activities are not widgets); a completed one counts as "completed", any other
        as "in progress"; the score range reads the best score."""
        if self.widgets or attempts.empty:
            return attempts.iloc[0:0]
        keep = pd.Series(True, index=attempts.index)
        if self.since or self.until:
            start = pd.to_datetime(attempts["start"], unit="ms", utc=True)
            day = start.dt.tz_convert(ZoneInfo(time_zone)).dt.date
            keep &= (day >= (self.since or date.min)) & (day <= (self.until or date.max))
        if self.outcomes:
            outcome = attempts["completed"].map({True: "completed", False: "in_progress"})
            keep &= outcome.isin(self.outcomes)
        if self.score_min is not None or self.score_max is not None:
            pct = paths.attempt_percent(attempts)
            keep &= pct.between(
                self.score_min or 0, 100 if self.score_max is None else self.score_max
            )
        return attempts[keep].reset_index(drop=True)


def default_learners(summary: pd.DataFrame, count: int = DEFAULT_PATHS) -> list[int]:
    """The paths a first visit shows: the learners who struggle most, by lowest mean score over
    the sessions shown (ties: more active time first, as they worked longer for it). Learners
    without any score are left out: nothing says they struggle."""
    scored = summary[summary["mean_score"].notna()]
    ranked = scored.sort_values(
        ["mean_score", "total_time", "sort_name"], ascending=[True, False, True], kind="stable"
    )
    return [int(pk) for pk in ranked.index[:count]]


@dataclass(frozen=True)
class LearnerRow:
    pk: int
    display_name: str
    real_id: str
    sessions: int
    total_time: str
    mean_score: float | None
    widgets: list[str]
    last_start: datetime
    chosen: bool
    colour: str | None


@dataclass(frozen=True)
class PathRow:
    pk: int
    widget: str
    start: datetime
    duration: str
    events: int
    score: float | None
    score_text: str
    label: str
    attempt: bool = False  # an attempt at another activity: it opens its statement timeline


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _score(value: float) -> float | None:
    return None if value != value else float(value)  # NaN → None


class ExplorerState:
    """The explorer's canonical query parameters, and links that change one of them."""

    DEFAULTS = {"lsort": "name", "wsort": "widget", "lpage": 1, "opens": False, "x": "time"}
    # What the chart's sessions (the figure URL) and the CSV of the view depend on.
    VIEW_KEYS = ("run", "opens", "since", "until", "widget", "outcome", "smin", "smax")

    def __init__(self, url: str, cleaned: dict, run_number: int) -> None:
        self.url = url
        self.filters = Filters.from_cleaned(cleaned)
        self.params = {
            "run": run_number,
            "opens": cleaned["opens"],
            **self.filters.params(),
            "x": cleaned.get("x") or "time",
            "picked": cleaned.get("picked", False),
            "learner": cleaned["learner"],
            "q": cleaned["q"],
            "lsort": cleaned["lsort"].param,
            "wsort": cleaned["wsort"].param,
            "lpage": cleaned["lpage"],
        }

    def link(self, **changes) -> str:
        query = self.query(**changes)
        return f"{self.url}?{query}" if query else self.url

    def view_query(self) -> str:
        """The query string of what the chart's sessions show: run, opens and the filters."""
        return self.query(keys=self.VIEW_KEYS)

    def query(self, *, keys: tuple[str, ...] | None = None, **changes) -> str:
        params = {**self.params, **changes}
        if keys is not None:
            params = {key: value for key, value in params.items() if key in keys}
        query = [
            (key, item)
            for key, value in params.items()
            for item in (value if isinstance(value, list) else [value])
            if item not in ("", None, False) and self.DEFAULTS.get(key) != item
        ]
        query = [(key, 1 if item is True else item) for key, item in query]
        return urlencode(query)


# (sort key, column label, numeric?) of each sortable column, in table order.
LEARNER_HEADERS = [
    ("name", "Learner", False),
    ("sessions", "Sessions", True),
    ("time", "Active time", True),
    ("score", "Mean score", True),
    ("widgets", "Widgets touched", False),
    ("last", "Last session", False),
]
WIDGET_HEADERS = [
    ("widget", "Widget", False),
    ("learners", "Learners", True),
    ("sessions", "Sessions", True),
    ("time", "Active time", True),
    ("duration", "Median active time", True),
    ("events", "Mean events", True),
    ("score", "Mean score", True),
]


def _headers(columns, sort: paths.Sort, link: Callable[[str], str]) -> list[dict]:
    def aria(key: str) -> str:
        if key != sort.key:
            return "none"
        return "descending" if sort.descending else "ascending"

    return [
        {
            "label": label,
            "numeric": numeric,
            "aria_sort": aria(key),
            "link": link(sort.toggled(key)),
        }
        for key, label, numeric in columns
    ]


def page_context(data: RunData, cleaned: dict, state: ExplorerState, *, time_zone: str) -> dict:
    """The explorer's template context for a run's `data` and the cleaned query: the learner
    table's page, the compared paths (cards and chart traces), the widget table and the links
    that change one parameter. Without a choice of paths, the struggling learners' are shown."""
    summary = paths.learner_summary(data.frame, data.labels)
    defaulted = not cleaned.get("picked") and not cleaned["learner"]
    if defaulted:
        cleaned = {**cleaned, "learner": default_learners(summary), "picked": True}
        state = ExplorerState(state.url, cleaned, state.params["run"])
    chosen: list[int] = cleaned["learner"]
    names = data.names()
    titles = {lane.widget: lane.title for lane in data.all_lanes}
    chosen_paths = paths.with_attempts(paths.paths_of(data.frame, chosen), data.attempts)
    path_data = charts.path_parts(
        chosen_paths, lanes=data.all_lanes, order=data.order, names=names, time_zone=time_zone
    )
    colours = {int(pk): colour for pk, colour in path_data["colours"].items()}
    shown = paths.sort_summary(
        paths.filter_learners(summary, cleaned["q"]), cleaned["lsort"], paths.LEARNER_SORTS
    )
    page = Paginator(shown, LEARNERS_PER_PAGE).get_page(cleaned["lpage"])
    learner_rows = _learner_rows(data, page, titles, chosen, colours)
    on_page = {row.pk for row in learner_rows}
    return {
        "state": state,
        "defaulted": defaulted and bool(chosen),
        "x": cleaned.get("x") or "time",
        "filters": state.filters,
        "view_query": state.view_query(),
        "totals": paths.totals(data.frame),
        "with_opens": cleaned["opens"],
        "opens_link": state.link(opens=not cleaned["opens"]),
        "lanes": data.lanes,
        "activity_lanes": data.activity_lanes,
        "query": cleaned["q"],
        "lsort": cleaned["lsort"],
        "wsort": cleaned["wsort"],
        "learner_page": page,
        "learner_rows": learner_rows,
        "learner_count": len(summary),
        "hidden_chosen": [pk for pk in chosen if pk not in on_page],
        "compared": [
            {
                "pk": pk,
                "name": names[pk],
                "real_id": data.labels.at[pk, "real_id"],
                "colour": colours[pk],
                "remove_link": state.link(learner=[c for c in chosen if c != pk]),
                "rows": path_rows(path, titles),
            }
            for pk, path in chosen_paths.items()
        ],
        "widget_rows": _widget_rows(data, titles, cleaned["wsort"]),
        "learner_headers": _headers(
            LEARNER_HEADERS, cleaned["lsort"], lambda key: state.link(lsort=key, lpage=1)
        ),
        "widget_headers": _headers(
            WIDGET_HEADERS, cleaned["wsort"], lambda key: state.link(wsort=key)
        ),
        "page_links": {
            "previous": state.link(lpage=page.previous_page_number())
            if page.has_previous()
            else None,
            "next": state.link(lpage=page.next_page_number()) if page.has_next() else None,
        },
        "path_json": json.dumps(path_data, separators=(",", ":")),
        "max_paths": charts.MAX_PATHS,
    }


def _learner_rows(
    data: RunData, page, titles: dict[str, str], chosen: list[int], colours: dict[int, str]
) -> list[LearnerRow]:
    touched = paths.widgets_of(data.frame, [int(pk) for pk in page.object_list.index])
    return [
        LearnerRow(
            pk=int(pk),
            display_name=row.display_name,
            real_id=row.real_id,
            sessions=int(row.sessions),
            total_time=format_duration(row.total_time),
            mean_score=_score(row.mean_score),
            widgets=[titles.get(w, w) for w in touched[int(pk)]],
            last_start=_moment(row.last_start),
            chosen=int(pk) in chosen,
            colour=colours.get(int(pk)),
        )
        for pk, row in page.object_list.iterrows()
    ]


def path_rows(path: pd.DataFrame, titles: dict[str, str]) -> list[PathRow]:
    """One learner's sessions (and attempts at other activities), in order, as the path card
    lists them."""
    if "kind" not in path:
        return _session_rows(path, titles)
    is_attempt = (path["kind"] == "attempt").tolist()
    sessions = iter(_session_rows(path[[not flag for flag in is_attempt]], titles))
    attempts = iter(_attempt_rows(path[is_attempt], titles))
    return [next(attempts) if flag else next(sessions) for flag in is_attempt]


def _attempt_rows(path: pd.DataFrame, titles: dict[str, str]) -> list[PathRow]:
    return [
        PathRow(
            pk=int(row.id),
            widget=titles.get(row.widget, "Another activity"),
            start=_moment(row.start),
            duration=format_duration(row.active),
            events=int(row.events),
            score=_score(100 * row.score if row.maximum == row.maximum else float("nan")),
            score_text="",
            label=paths.attempt_label(row.active, row.events),
            attempt=True,
        )
        for row in path.itertuples()
    ]


def _session_rows(path: pd.DataFrame, titles: dict[str, str]) -> list[PathRow]:
    return [
        PathRow(
            pk=int(row.id),
            widget=titles.get(row.widget, row.widget),
            start=_moment(row.start),
            duration=format_duration(row.active),
            events=int(row.events),
            score=_score(100 * row.score / row.maximum if row.maximum else float("nan")),
            score_text=format_score(_score(row.score), _score(row.maximum)),
            label=paths.session_label(row.active, row.events, row.sittings),
        )
        for row in path.itertuples()
    ]


def _widget_rows(data: RunData, titles: dict[str, str], sort: paths.Sort) -> list[dict]:
    table = paths.sort_summary(paths.widget_summary(data.frame, titles), sort, paths.WIDGET_SORTS)
    return [
        {
            "title": row.title,
            "learners": int(row.learners),
            "sessions": int(row.sessions),
            "total_time": format_duration(row.total_time),
            "median_duration": format_duration(row.median_duration),
            "mean_events": float(row.mean_events),
            "mean_score": _score(row.mean_score),
        }
        for row in table.itertuples()
    ]


def export_rows(data: RunData):
    """The shown sessions as rows of the CSV export (views.EXPORT_HEADER), in learner then time
    order, like the whole run's export."""
    labels = data.labels
    frame = data.frame.join(labels[["display_name", "real_id"]], on="learner")
    frame = frame.assign(_key=frame["display_name"].str.casefold()).sort_values(
        ["_key", "real_id", "start", "widget"], kind="stable"
    )
    for row in frame.itertuples(index=False):
        yield (
            row.real_id, row.display_name, row.widget, row.session, int(row.start),
            int(row.active), int(row.sittings), int(row.duration), int(row.events),
            int(row.work_events), row.outcome, _score(row.score), _score(row.maximum),
        )  # fmt: skip
