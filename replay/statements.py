"""An attempt at another activity (xAPI content that is not one of our widgets), as a teacher
reads it: its statements in time order, each in words. There is no widget to play it back, so
this timeline is its replay.

Pure: statements in (as the platform answers them), rows out; no request, no ORM. Words only: a
verb is its display name or the last word of its id, never the IRI; the object is named by the
attempt's activity name (every statement of an attempt is about that one activity); no id of a
statement, registration or learner is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.formatting import format_clock, format_percent

RESPONSE_MAX = 120  # characters of a learner's response shown


@dataclass(frozen=True)
class StatementRow:
    offset: str  # since the attempt's first statement, as "1:05"
    time: datetime
    verb: str  # "completed", "answered"
    result: str  # "score 80 %, passed, answer “B”", or ""


def _english(names: Any) -> str:
    if not isinstance(names, Mapping) or not names:
        return ""
    english = [value for key, value in names.items() if str(key).lower().split("-")[0] == "en"]
    chosen = (english or list(names.values()))[0]
    return chosen.strip() if isinstance(chosen, str) else ""


def verb_words(verb: Mapping[str, Any]) -> str:
    """The verb's display name (English if given), else the last word of its id, spaced:
    `http://adlnet.gov/expapi/verbs/completed` → "completed"."""
    shown = _english(verb.get("display"))
    if shown:
        return shown[:80]
    tail = str(verb.get("id", "")).split("?")[0].split("#")[-1].rstrip("/").rsplit("/", 1)[-1]
    words = re.sub(r"[-_]+", " ", tail.rsplit(":", 1)[-1]).strip()
    return words[:80] or "did something"


def _score_words(score: Mapping[str, Any]) -> str:
    scaled, raw, most = score.get("scaled"), score.get("raw"), score.get("max")
    if isinstance(scaled, int | float) and not isinstance(scaled, bool):
        return f"score {format_percent(100 * scaled)}"
    if isinstance(raw, int | float) and isinstance(most, int | float) and most:
        return f"score {raw:g} of {most:g}"
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return f"score {raw:g}"
    return ""


def result_words(result: Mapping[str, Any] | None) -> str:
    """What the statement's result says, in words: score, passed or not, completed, response."""
    result = result or {}
    parts = [_score_words(result.get("score") or {})]
    if result.get("success") is True:
        parts.append("passed")
    elif result.get("success") is False:
        parts.append("not passed")
    if result.get("completion") is True:
        parts.append("completed")
    response = result.get("response")
    if isinstance(response, str) and response.strip():
        text = " ".join(response.split())
        shown = text if len(text) <= RESPONSE_MAX else text[: RESPONSE_MAX - 1] + "…"
        parts.append(f"answer “{shown}”")
    return ", ".join(part for part in parts if part)


def _ms(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp).timestamp() * 1000)


def statement_rows(statements: Iterable[Mapping[str, Any]]) -> list[StatementRow]:
    """The statements as rows, in time order, each at its offset from the first."""
    timed = sorted(((_ms(s["timestamp"]), i, s) for i, s in enumerate(statements)))
    first = timed[0][0] if timed else 0
    return [
        StatementRow(
            offset=format_clock(ms - first),
            time=datetime.fromtimestamp(ms / 1000, tz=UTC),
            verb=verb_words(statement.get("verb") or {}),
            result=result_words(statement.get("result")),
        )
        for ms, _, statement in timed
    ]
