"""How Pathlens writes durations, counts and scores for people: one definition for Python.

`static/js/format.js` is its twin for the browser, with the same integer arithmetic, and both are
tested against the same cases (tests/fixtures/formatting.json), so a time reads the same in a
table, a chart label, a CSV export and the replay.
"""

from __future__ import annotations

import math

DASH = "—"


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def whole_seconds(ms: float) -> int:
    """Milliseconds to whole seconds, halves rounded up (as Math.floor(x + 0.5) in JS)."""
    return max(0, math.floor(ms / 1000 + 0.5))


def format_duration(ms: float | None) -> str:
    """A duration as a teacher reads it: "45 s", "5 min 40 s", "1 h 05 min" ("—" if unknown).

    Minutes and hours are whole ones reached (never rounded up), so a total never reads more
    than the seconds it is made of.
    """
    if ms is None or _is_missing(ms):
        return DASH
    seconds = whole_seconds(ms)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min {seconds % 60:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def format_clock(ms: float) -> str:
    """A moment in a replay, from the session's start: "2:05.3", or "1:02:05.3" past an hour."""
    tenths = max(0, math.floor(ms / 100))
    seconds, tenth = divmod(tenths, 10)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minute:02d}:{second:02d}.{tenth}"
    return f"{minutes}:{second:02d}.{tenth}"


def format_number(value: float) -> str:
    """A whole number with thousands separators: 12,345."""
    return f"{round(value):,}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 event", "2 events", "1,204 events"; `many` for irregular plurals."""
    return f"{format_number(count)} {word if count == 1 else (many or word + 's')}"


def format_percent(percent: float) -> str:
    """ "80 %", the number and its sign never on two lines (a no-break space between them)."""
    return f"{round(percent)}\u00a0%"


def format_score(score: float | None, maximum: float | None) -> str:
    """ "3 of 9", or "No answer given" when nothing was attempted."""
    if _is_missing(score) or _is_missing(maximum):
        return "No answer given"
    return f"{score:g} of {maximum:g}"
