"""Who needs attention, and why: explicit rules over the platform's measures.

Pure: session rows in (as the class overview's run stored them: RunSession values), flags out;
no request, no ORM, no settings. Each rule has its threshold here, says why in words a teacher
uses, and points at the moment it happened (`at_ms`: the learner's clock, epoch ms), so the page
can link to the replay there. docs/projects.md lists the rules; tests/dashboard/test_attention.py
checks each on hand-made sessions.

A session row has: `id`, `learner`, `widget`, `start` (epoch ms), `duration` (span, ms),
`active` (ms), `work_events`, `outcome`, `score`, `maximum` (over attempted items; None: no answer
given) and `items` (per item: `item`, `tries`, `hints`, `solved_on`, `gave_up`, `tries_at`,
`hints_at`). Opens without work never raise a flag.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from core.formatting import format_percent, plural

WRONG_TRIES = 3  # wrong tries on one item
MANY_HINTS = 2  # hints asked for on one item
SCORE_GAP = 25  # percentage points below the class median of learners' mean scores
SCORE_MIN_LEARNERS = 4  # learners with a score before a median means anything
QUIET_DAYS = 7  # no work for this long while the class worked
RECENT_DAYS = 7  # tries, hints and unfinished attempts count from sessions this recent
DAY_MS = 86_400_000

# How serious each rule is: flags are listed most serious first.
SEVERITY = {"wrong_tries": 0, "abandoned": 1, "low_score": 2, "many_hints": 3, "quiet": 4}

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Flag:
    learner: int
    rule: str
    words: str  # why, for the teacher, in one sentence
    session: int | None = None  # the stored session to replay
    at_ms: int | None = None  # the moment in it (learner's clock), when known
    others: int = 0  # more times the same rule held for this learner (the latest is shown)

    @property
    def severity(self) -> int:
        return SEVERITY[self.rule]


def _worked(rows: Iterable[Row]) -> list[Row]:
    return [row for row in rows if row["work_events"] > 0]


def _wrong_tries(item: Mapping[str, Any]) -> int:
    return item["tries"] - (1 if item.get("solved_on") else 0)


def flags_for(
    rows: Iterable[Row],
    *,
    roster: Iterable[int],
    now_ms: int,
    widget_title: Callable[[str], str],
    item_label: Callable[[str, str], str],
    tz: tzinfo = UTC,
) -> list[Flag]:
    """Every flag of the learners of `roster`, most serious first, then by learner."""
    roster = set(roster)
    rows = [row for row in _worked(rows) if row["learner"] in roster]
    day = _day_in(tz)
    recent_since = now_ms - RECENT_DAYS * DAY_MS
    found: list[Flag] = []
    for row in rows:
        if row["start"] + row["duration"] < recent_since:
            continue
        title = widget_title(row["widget"])
        for item in row.get("items") or []:
            label = item_label(row["widget"], item["item"])
            wrong = _wrong_tries(item)
            if wrong >= WRONG_TRIES:
                tries_at = item.get("tries_at") or []
                found.append(
                    Flag(
                        row["learner"],
                        "wrong_tries",
                        f"{wrong} wrong tries on {label} of {title}"
                        + (
                            f", solved on try {item['solved_on']}."
                            if item.get("solved_on")
                            else "."
                        ),
                        row["id"],
                        tries_at[WRONG_TRIES - 1] if len(tries_at) >= WRONG_TRIES else None,
                    )
                )
            if item.get("hints", 0) >= MANY_HINTS:
                hints_at = item.get("hints_at") or []
                found.append(
                    Flag(
                        row["learner"],
                        "many_hints",
                        f"Asked for {item['hints']} hints on {label} of {title}.",
                        row["id"],
                        hints_at[MANY_HINTS - 1] if len(hints_at) >= MANY_HINTS else None,
                    )
                )
        if row["outcome"] == "abandoned":
            found.append(
                Flag(
                    row["learner"],
                    "abandoned",
                    f"Left {title} unfinished on {day(row['start'])}.",
                    row["id"],
                    row["start"] + row["duration"],
                )
            )
    found = _latest_of_each(found)
    found += _low_scores(rows)
    found += _quiet(rows, roster=roster, now_ms=now_ms, day=day)
    return sorted(found, key=lambda flag: (flag.severity, flag.learner, flag.at_ms or 0))


def _latest_of_each(flags: list[Flag]) -> list[Flag]:
    """One flag per learner and rule: the latest, saying how many more times it held."""
    groups: dict[tuple[int, str], list[Flag]] = {}
    for flag in flags:
        groups.setdefault((flag.learner, flag.rule), []).append(flag)
    latest = []
    for group in groups.values():
        last = max(group, key=lambda flag: flag.at_ms or 0)
        others = len(group) - 1
        words = last.words
        if others:
            words = f"{words[:-1]} (and {plural(others, 'more time')} this week)."
        latest.append(Flag(last.learner, last.rule, words, last.session, last.at_ms, others))
    return latest


def _percent(row: Row) -> float | None:
    if row["score"] is None or not row["maximum"]:
        return None
    return 100.0 * row["score"] / row["maximum"]


def _low_scores(rows: list[Row]) -> list[Flag]:
    by_learner: dict[int, list[Row]] = {}
    for row in rows:
        if _percent(row) is not None:
            by_learner.setdefault(row["learner"], []).append(row)
    if len(by_learner) < SCORE_MIN_LEARNERS:
        return []
    means = {
        learner: statistics.fmean(p for row in scored if (p := _percent(row)) is not None)
        for learner, scored in by_learner.items()
    }
    median = statistics.median(means.values())
    flags = []
    for learner, mean in means.items():
        if mean < median - SCORE_GAP:
            lowest = min(by_learner[learner], key=lambda row: (_percent(row), row["start"]))
            flags.append(
                Flag(
                    learner,
                    "low_score",
                    f"Mean score {format_percent(mean)}, well below the class's "
                    f"{format_percent(median)}.",
                    lowest["id"],
                    lowest["start"],
                )
            )
    return flags


def _quiet(
    rows: list[Row], *, roster: set[int], now_ms: int, day: Callable[[int], str]
) -> list[Flag]:
    """Learners with no work in the last QUIET_DAYS while others in the class worked then, who
    still have an activity of the class to finish (one who finished them all is not behind)."""
    since = now_ms - QUIET_DAYS * DAY_MS
    last: dict[int, int] = {}
    finished: dict[int, set[str]] = {}
    for row in rows:
        last[row["learner"]] = max(last.get(row["learner"], 0), row["start"] + row["duration"])
        if row["outcome"] == "completed":
            finished.setdefault(row["learner"], set()).add(row["widget"])
    activities = {row["widget"] for row in rows}
    if not any(end >= since for end in last.values()):
        return []  # the whole class is away (a holiday): nobody stands out
    class_last = max(last.values())
    flags = []
    for learner in sorted(roster):
        end = last.get(learner)
        if end is None:
            words = (
                f"Has not worked in any activity yet; the class last worked on {day(class_last)}."
            )
        elif end < since and finished.get(learner, set()) < activities:
            words = f"No work since {day(end)}; the class last worked on {day(class_last)}."
        else:
            continue
        flags.append(Flag(learner, "quiet", words))
    return flags


def _day_in(tz: tzinfo) -> Callable[[int], str]:
    def day(ms: int) -> str:
        moment = datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone(tz)
        return f"{moment.day} {moment:%b}"

    return day
