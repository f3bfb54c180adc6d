"""The replay page (one session: the widget in playback beside its event timeline) and its frame.

The page is server-rendered with everything it needs inline (the events, the timeline figure),
so it draws without another round trip; static/replay/replay.js drives the widget's playback
frame over the postMessage protocol (docs/contracts.md) from one clock. docs/replay.md.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from collector.client import CollectorError
from core.formatting import format_clock, format_duration, format_score, plural
from core.measures import measure_rules
from dashboard.access import TeacherRequest, teacher_required
from projects.selectors import RunAttempt, RunSession
from replay import selectors, timeline
from replay.notes import note_data
from replay.sessiontime import SessionTime, gap_words, session_time
from replay.statements import statement_rows
from widgets.registry import get_widget
from widgets.words import describer, event_labels, item_start

log = logging.getLogger("pathlens.replay")

SPEEDS = (0.5, 1, 2, 4, 8)
IDLE_GAP_SECONDS = 5  # default threshold for skipping idle gaps while playing
# The site's policy, except that pages of this site may frame the playback frame.
FRAME_CSP: dict[str, Any] = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}


class BadMoment(ValueError):
    pass


def parse_at(raw: str | None) -> int | None:
    """The `?at=` of a link to a moment on the learner's clock (epoch ms, as events carry `t`)."""
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 15:
        raise BadMoment(raw)
    return int(raw)


def parse_moment(raw: str | None) -> float | None:
    """The `?t=` of a link to a moment: seconds of play time (since the session's first event,
    the gaps between its sittings cut: replay/sessiontime.py), or None."""
    if raw is None or raw.strip() == "":
        return None
    try:
        seconds = float(raw)
    except ValueError:
        raise BadMoment(raw) from None
    if not math.isfinite(seconds):
        raise BadMoment(raw)
    return seconds


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _explorer_link(session: RunSession | RunAttempt) -> str:
    query = urlencode({"run": session.run.number, "learner": session.learner_id})
    return reverse("projects:explore", args=[session.run.project_id]) + "?" + query


def _neighbour_link(project_id: int, session: RunSession | None) -> dict | None:
    if session is None:
        return None
    widget = get_widget(session.widget)
    return {
        "url": reverse("replay:session", args=[project_id, session.pk]),
        "title": widget.title if widget else session.widget,
        "start": _moment(session.start),
    }


def measures_of(session: RunSession, *, widget_scores: bool) -> dict[str, str]:
    """The session's measures as the platform defined them (the run's row), for its header.

    Read from the row, not recomputed, so the replay says what the explorer and the CSV say.
    """
    score, notes = "this widget gives no score", []
    if widget_scores:
        score = format_score(session.score, session.maximum)
        if session.score_percent is not None:
            notes.append(f"{session.score_percent:.0f}%")
        if session.items_total:
            notes.append(
                f"{session.items_attempted} of {plural(session.items_total, 'item')} tried"
            )
    return {
        "active": f"{format_duration(session.active)} active",
        "sittings": plural(session.sittings, "sitting"),
        # The span is for reference only: a resumed session's span includes the days between.
        "span": f"over {gap_words(session.duration)}",
        "idle_cap": format_duration(measure_rules().idle_cap_ms),
        "outcome": session.outcome_label or "Not known",
        "score": score,
        "score_note": ", ".join(notes),
    }


def _escape_json(text: str) -> str:
    # What json_script does, without its str.translate, which takes ~0.3 s on 10,000 events.
    return text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")


def _page_data(
    *,
    session: RunSession,
    events: list[Mapping[str, Any]],
    clock: SessionTime,
    start_ms: float,
    notes: list[dict],
) -> str:
    labels = event_labels(session.widget)
    figure = timeline.timeline_figure(events, clock, labels)
    describe = describer(session.widget)
    data = {
        "widget": session.widget,
        "session": session.session,
        "frame": reverse("replay:frame", args=[session.widget])
        if get_widget(session.widget)
        else None,
        # Only what the widget's reducer and the page read: lean, since 10,000 of them travel.
        "events": [{"t": e["t"], "type": e["type"], "data": e["data"]} for e in events],
        "figure": figure,
        # The teacher's words (widgets/words.py): a label per type, a sentence per event (in the
        # events' order), for the hover text, the "now" panel and what is announced.
        "labels": labels,
        "words": [describe(e) for e in events],
        "sittings": clock.as_data(),
        "notes": notes,  # the teacher's notes on this session (replay/notes.py)
        "initial": start_ms,
        "speeds": SPEEDS,
        "idle": IDLE_GAP_SECONDS,
    }
    return _escape_json(json.dumps(data, separators=(",", ":"), ensure_ascii=False))


def _session_context(session: RunSession, project_id: int) -> dict:
    """What every answer about a session shows: the learner, the widget, the measures, the way
    to the neighbouring sessions."""
    widget = get_widget(session.widget)
    neighbours = selectors.learner_neighbours(session=session)
    widget_scores = widget is None or widget.assess is not None
    return {
        "project": session.run.project,
        "session": session,
        "learner": session.learner,
        "widget": widget,
        "widget_title": widget.title if widget else session.widget,
        "start": _moment(session.start),
        "measures": measures_of(session, widget_scores=widget_scores),
        "explorer_link": _explorer_link(session),
        "neighbours": neighbours,
        "previous": _neighbour_link(project_id, neighbours.previous),
        "next": _neighbour_link(project_id, neighbours.next),
    }


def _start_of(clock: SessionTime, moment: float | None, at: int | None) -> tuple[float, str | None]:
    """Where the replay starts (ms of play time) for `?t=` seconds or `?at=` a learner's clock
    time, and the notice to show when that moment is not in the session."""
    length = clock.length
    cut = " with the gaps between its sittings cut" if len(clock.parts) > 1 else ""
    if at is not None and clock.parts:
        # A moment on the learner's clock (a flag on the home page): its place in play time.
        moment = clock.play(min(max(at, clock.start_t), clock.start_t + clock.span_ms)) / 1000
    if moment is None:
        return 0.0, None
    if 0 <= moment * 1000 <= length:
        return moment * 1000, None
    notice = (
        f"This session lasts {format_clock(length)}{cut}, so it has no moment at "
        f"{moment:g} s. The replay starts at the beginning."
    )
    return 0.0, notice


@require_GET
@teacher_required
@gzip_page
def session_replay(request: TeacherRequest, project_id: int, run_session_id: int) -> HttpResponse:
    session = selectors.run_session_for(
        owner=request.user, project_id=project_id, run_session_id=run_session_id
    )
    context = _session_context(session, project_id)
    try:
        moment = parse_moment(request.GET.get("t"))
        at = parse_at(request.GET.get("at"))
    except BadMoment as bad:
        context["bad_moment"] = str(bad)[:40]
        return render(request, "replay/bad_moment.html", context, status=400)

    try:
        recording = selectors.session_recording(session=session)
    except CollectorError as error:
        log.warning("replay of run session %s: collector answered %s", session.pk, error.status)
        context["gone"] = error.status == 404
        return render(
            request, "replay/unavailable.html", context, status=404 if error.status == 404 else 503
        )

    events = timeline.sort_events(recording.events)
    # Cut into sittings by the rule and thresholds the collector uses, so that the replay's
    # sittings are the explorer's (the events may include some the run did not count yet).
    clock = session_time([event["t"] for event in events], measure_rules())
    length = clock.length
    start_ms, notice = _start_of(clock, moment, at)
    start_part = clock.part_at(start_ms) if clock.parts else None
    return render(
        request,
        "replay/session.html",
        {
            **context,
            "recording": recording,
            "event_count": len(events),
            "clock": clock,
            "cuts": clock.cuts(),
            "length_ms": length,
            "length_clock": format_clock(length),
            "start_ms": start_ms,
            "start_seconds": f"{start_ms / 1000:g}",
            "start_part": start_part,
            "rows": timeline.rows_of(
                events,
                clock.plays([event["t"] for event in events]),
                event_labels(session.widget),
            ),
            "notice": notice,
            "start_clock": format_clock(start_ms),
            "page_data": _page_data(
                session=session,
                events=events,
                clock=clock,
                start_ms=start_ms,
                notes=[
                    note_data(note, project_id)
                    for note in selectors.notes_on(user=request.user, session=session)
                ],
            ),
            "speeds": SPEEDS,
            "idle": IDLE_GAP_SECONDS,
            "compare_choices": compare_choices(project_id, session),
        },
    )


@require_GET
@teacher_required
def attempt_replay(request: TeacherRequest, project_id: int, attempt_id: int) -> HttpResponse:
    """An attempt at another activity (xAPI content): its statements in words, in time order.
    There is no widget to play back, so this timeline is its replay."""
    attempt = selectors.attempt_for(
        owner=request.user, project_id=project_id, attempt_id=attempt_id
    )
    context = {
        "project": attempt.run.project,
        "attempt": attempt,
        "learner": attempt.learner,
        "start": _moment(attempt.start),
        "active": f"{format_duration(attempt.active)} active",
        "outcome": "Passed"
        if attempt.passed
        else "Completed"
        if attempt.completed
        else "Not completed",
        "explorer_link": _explorer_link(attempt),
    }
    try:
        statements = selectors.attempt_statements(attempt=attempt)
    except CollectorError as error:
        log.warning("timeline of run attempt %s: collector answered %s", attempt.pk, error.status)
        context["gone"] = error.status == 404
        status = 404 if error.status == 404 else 503
        return render(request, "replay/attempt_unavailable.html", context, status=status)
    context["rows"] = statement_rows(statements)
    return render(request, "replay/attempt.html", context)


@require_GET
@teacher_required
def session_statements(
    request: TeacherRequest, project_id: int, run_session_id: int
) -> HttpResponse:
    """The session as xAPI statements: a JSON download for a district's LRS. Learners appear
    by their opaque id only, as the platform knows them."""
    session = selectors.run_session_for(
        owner=request.user, project_id=project_id, run_session_id=run_session_id
    )
    try:
        statements = selectors.session_statements(session=session)["statements"]
    except CollectorError as error:
        log.warning(
            "xAPI export of run session %s: collector answered %s", session.pk, error.status
        )
        raise Http404("This session's events are no longer kept.") from None
    response = JsonResponse(statements, safe=False, json_dumps_params={"indent": 1})
    filename = f"pathlens-session-{session.pk}-xapi.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pane(request: HttpRequest, session: RunSession, project_id: int) -> dict:
    """One side of the compare view: who, when, the events and the figure, as the page has them."""
    recording = selectors.session_recording(session=session)
    events = timeline.sort_events(recording.events)
    clock = session_time([event["t"] for event in events], measure_rules())
    labels = event_labels(session.widget)
    describe = describer(session.widget)
    return {
        "id": session.pk,
        "title": f"{session.learner.display_name}, {_moment(session.start):%-d %b %Y, %H:%M}",
        "url": reverse("replay:session", args=[project_id, session.pk]),
        "events": [{"t": e["t"], "type": e["type"], "data": e["data"]} for e in events],
        "figure": timeline.timeline_figure(events, clock, labels),
        "sittings": clock.as_data(),
        "labels": labels,
        "words": [describe(e) for e in events],
        "length": clock.length,
    }


@require_GET
@teacher_required
@gzip_page
def compare(
    request: TeacherRequest, project_id: int, first_id: int, second_id: int
) -> HttpResponse:
    """Two sessions of one widget side by side, on one clock (time since each one's start, the
    gaps between sittings cut), with one control bar and both timelines. docs/replay.md."""
    first = selectors.run_session_for(
        owner=request.user, project_id=project_id, run_session_id=first_id
    )
    second = selectors.run_session_for(
        owner=request.user, project_id=project_id, run_session_id=second_id
    )
    widget = get_widget(first.widget)
    context = {
        "project": first.run.project,
        "first": first,
        "second": second,
        "widget": widget,
        "widget_title": widget.title if widget else first.widget,
        "back": reverse("replay:session", args=[project_id, first.pk]),
    }
    problem = None
    if first.pk == second.pk:
        problem = "That is the same session twice: pick another session to compare it with."
    elif first.widget != second.widget:
        problem = (
            "These two sessions are of different widgets, so they cannot play side by side: "
            "pick two sessions of the same widget."
        )
    if problem:
        return render(
            request, "replay/compare_bad.html", {**context, "problem": problem}, status=400
        )
    try:
        panes = [_pane(request, first, project_id), _pane(request, second, project_id)]
    except CollectorError as error:
        log.warning("compare of run sessions %s, %s: collector answered %s", first_id, second_id,
                    error.status)  # fmt: skip
        gone = error.status == 404
        problem = (
            "The analytics platform no longer has the events of one of these sessions."
            if gone
            else "The analytics platform is not answering just now: try again in a minute."
        )
        return render(
            request,
            "replay/compare_bad.html",
            {**context, "problem": problem},
            status=404 if gone else 503,
        )
    data = {
        "widget": first.widget,
        "frame": reverse("replay:frame", args=[first.widget]) if widget else None,
        "panes": panes,
        "speeds": SPEEDS,
        # Lining up by item: [event type, data key, what a teacher calls one] (widgets/words.py).
        "itemStart": item_start(first.widget),
    }
    page_data = _escape_json(json.dumps(data, separators=(",", ":"), ensure_ascii=False))
    length = max(pane["length"] for pane in panes)
    return render(
        request,
        "replay/compare.html",
        {
            **context,
            "panes": panes,
            "length_ms": length,
            "length_clock": format_clock(length),
            "speeds": SPEEDS,
            "item_noun": (item_start(first.widget) or (None, None, ""))[2],
            "page_data": page_data,
        },
    )


def compare_choices(project_id: int, session: RunSession) -> list[dict]:
    """The sessions the replay page offers to compare with, with their compare links."""
    return [
        {
            "url": reverse("replay:compare", args=[project_id, session.pk, other.pk]),
            "learner": other.learner.display_name,
            "same_learner": other.learner_id == session.learner_id,
            "start": _moment(other.start),
            "active": format_duration(other.active),
        }
        for other in selectors.compare_candidates(session=session)
    ]


@require_GET
@teacher_required
@xframe_options_sameorigin
@csp_override(FRAME_CSP)
def playback_frame(request: TeacherRequest, widget_id: str) -> HttpResponse:
    """The widget alone, in playback mode: the replay page embeds it and posts it the events.

    Frameable by pages of this site only (the rest of the site says DENY). It holds no learner
    token and loads no logger: playback never sends events (docs/contracts.md).
    """
    widget = get_widget(widget_id)
    if widget is None:
        raise Http404("No such widget.")
    config = {
        "widget": widget.id,
        "session": "playback",
        "mode": "playback",
        "endpoint": "",
        "token": "",
    }
    return render(request, "replay/frame.html", {"widget": widget, "config": config})
