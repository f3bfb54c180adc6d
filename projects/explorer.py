"""The explorer page's data: everything `views.explore` renders, built from a run's data.

Pure: it reads a `selectors.RunData` (frames and lanes) and the cleaned query, touches no
database and no request, so the page's rows, paths and links are unit-tested without a client
(tests/projects/test_explorer.py). The view only fetches, validates and renders.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pandas as pd
from django.core.paginator import Paginator

from core.formatting import format_duration, format_score
from projects import charts, paths

if TYPE_CHECKING:
    from projects.selectors import RunData

LEARNERS_PER_PAGE = 50


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


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _score(value: float) -> float | None:
    return None if value != value else float(value)  # NaN → None


class ExplorerState:
    """The explorer's canonical query parameters, and links that change one of them."""

    DEFAULTS = {"lsort": "name", "wsort": "widget", "lpage": 1, "opens": False}

    def __init__(self, url: str, cleaned: dict, run_number: int) -> None:
        self.url = url
        self.params = {
            "run": run_number,
            "learner": cleaned["learner"],
            "q": cleaned["q"],
            "lsort": cleaned["lsort"].param,
            "wsort": cleaned["wsort"].param,
            "lpage": cleaned["lpage"],
            "opens": cleaned["opens"],
        }

    def link(self, **changes) -> str:
        params = {**self.params, **changes}
        query = [
            (key, item)
            for key, value in params.items()
            for item in (value if isinstance(value, list) else [value])
            if item not in ("", None, False) and self.DEFAULTS.get(key) != item
        ]
        query = [(key, 1 if item is True else item) for key, item in query]
        return f"{self.url}?{urlencode(query)}" if query else self.url


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
    that change one parameter."""
    chosen: list[int] = cleaned["learner"]
    names = data.names()
    titles = {lane.widget: lane.title for lane in data.lanes}
    chosen_paths = paths.paths_of(data.frame, chosen)
    path_data = charts.path_parts(
        chosen_paths, lanes=data.lanes, order=data.order, names=names, time_zone=time_zone
    )
    colours = {int(pk): colour for pk, colour in path_data["colours"].items()}
    summary = paths.learner_summary(data.frame, data.labels)
    shown = paths.sort_summary(
        paths.filter_learners(summary, cleaned["q"]), cleaned["lsort"], paths.LEARNER_SORTS
    )
    page = Paginator(shown, LEARNERS_PER_PAGE).get_page(cleaned["lpage"])
    learner_rows = _learner_rows(data, page, titles, chosen, colours)
    on_page = {row.pk for row in learner_rows}
    return {
        "state": state,
        "totals": paths.totals(data.frame),
        "with_opens": cleaned["opens"],
        "opens_link": state.link(opens=not cleaned["opens"]),
        "lanes": data.lanes,
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
    """One learner's sessions, in order, as the path card lists them."""
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
