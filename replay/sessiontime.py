"""The replay's time: a session's own clock, with the gaps between its sittings cut out.

A session that resumes days later is cut into sittings by the platform's rule
(`widgets.measures.sittings_of`, with this installation's thresholds from
`core.measures.measure_rules()`), so the replay agrees with the explorer and the collector. The
replay plays each sitting as it happened and replaces each gap between two sittings by a short
pause of `CUT_GAP_MS`, so a session of two 12-minute sittings two days apart plays, seeks and
links (`?t=`) as about 24 minutes, and a gap is shown for what it was ("2 days later").

Two times, both in milliseconds:
- **absolute** `t`: the client's clock, as the events and the widget's playback protocol have it;
- **play time**: from the session's first event, gaps cut: what the clock, the seek bar, the
  timeline's x axis and `?t=` links read.

Within sitting *k*, play = `at_k + (t − start_k)`; in the pause after a sitting the widget shows
the state at that sitting's last event. Pure: no Django, no settings. Its twin for the page is
`static/replay/sessiontime.js`; both are tested on tests/fixtures/replay_time.json.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from core.formatting import format_duration, plural
from widgets.measures import DEFAULT_RULES, MeasureRules, sittings_of

CUT_GAP_MS = 1000  # play time a cut gap takes: long enough to see the widget between sittings
DAY_MS = 24 * 3_600_000


def gap_words(ms: float) -> str:
    """How long a learner was away, for a person: "45 min 00 s", "5 h 10 min", "18 days"."""
    if ms >= DAY_MS:
        return plural(int(ms / DAY_MS + 0.5), "day")
    return format_duration(ms)


@dataclass(frozen=True)
class Part:
    """One sitting on the replay's time line."""

    number: int  # 1-based
    start_t: float  # absolute, first event
    end_t: float  # absolute, last event
    at: float  # play time of its first event
    events: int
    first_index: int  # its first event's index in the time-ordered events
    active_ms: int
    gap_before_ms: float | None  # absolute time since the previous sitting's last event

    @property
    def length(self) -> float:
        return self.end_t - self.start_t

    @property
    def end(self) -> float:
        """Play time of its last event."""
        return self.at + self.length

    @property
    def start_moment(self) -> datetime:
        return datetime.fromtimestamp(self.start_t / 1000, tz=UTC)

    @property
    def active(self) -> str:
        """Its active time, as every page writes it."""
        return format_duration(self.active_ms)

    @property
    def later(self) -> str:
        """ "2 days later" (empty for the first sitting)."""
        return "" if self.gap_before_ms is None else f"{gap_words(self.gap_before_ms)} later"


@dataclass(frozen=True)
class SessionTime:
    parts: tuple[Part, ...]
    cut_gap_ms: int = CUT_GAP_MS

    @property
    def length(self) -> float:
        """The session's play length: its sittings end to end, with a short pause between."""
        return self.parts[-1].end if self.parts else 0.0

    @property
    def span_ms(self) -> float:
        """First event to last on the client's clock, gaps included (for reference only)."""
        return self.parts[-1].end_t - self.parts[0].start_t if self.parts else 0.0

    @property
    def start_t(self) -> float:
        return self.parts[0].start_t if self.parts else 0.0

    def part_at(self, play: float) -> Part:
        """The sitting being played at `play`, or the one just finished during a cut gap."""
        index = bisect.bisect_right([part.at for part in self.parts], play) - 1
        return self.parts[max(0, index)]

    def in_gap(self, play: float) -> bool:
        """True while `play` is in the pause that stands for the gap after a sitting."""
        if not self.parts:
            return False
        part = self.part_at(play)
        return part is not self.parts[-1] and play > part.end

    def play(self, t: float) -> float:
        """Play time of absolute time `t` (a moment in a gap is the end of the sitting before)."""
        if not self.parts:
            return 0.0
        index = bisect.bisect_right([part.start_t for part in self.parts], t) - 1
        part = self.parts[max(0, index)]
        return part.at + min(max(t - part.start_t, 0.0), part.length)

    def absolute(self, play: float) -> float:
        """Absolute time shown at play time `play`: what the widget is told (`pathlens:seek`)."""
        if not self.parts:
            return 0.0
        part = self.part_at(play)
        return part.start_t + min(max(play - part.at, 0.0), part.length)

    def plays(self, times: Sequence[float] | np.ndarray) -> np.ndarray:
        """Play times of many absolute times at once (the timeline's marks)."""
        values = np.asarray(times, dtype=np.float64)
        if not self.parts:
            return np.zeros(len(values))
        starts = np.array([part.start_t for part in self.parts])
        ats = np.array([part.at for part in self.parts])
        lengths = np.array([part.length for part in self.parts])
        index = np.maximum(np.searchsorted(starts, values, side="right") - 1, 0)
        return ats[index] + np.clip(values - starts[index], 0.0, lengths[index])

    def cuts(self) -> list[tuple[float, float, Part]]:
        """Each cut gap as (play from, play to, the sitting after it)."""
        return [(before.end, after.at, after) for before, after in itertools.pairwise(self.parts)]

    def as_data(self) -> list[dict]:
        """The sittings for the page script (static/replay/sessiontime.js reads these)."""
        return [
            {
                "number": part.number,
                "start": part.start_t,
                "end": part.end_t,
                "at": part.at,
                "events": part.events,
                "firstIndex": part.first_index,
                "later": part.later,
            }
            for part in self.parts
        ]


def session_time(
    times: Sequence[float], rules: MeasureRules = DEFAULT_RULES, *, cut_gap_ms: int = CUT_GAP_MS
) -> SessionTime:
    """The replay's time of a session, from its event times in play order (ascending)."""
    parts: list[Part] = []
    at = 0.0
    previous_end: float | None = None
    for number, sitting in enumerate(sittings_of(times, rules), start=1):
        if previous_end is not None:
            at += cut_gap_ms
        parts.append(
            Part(
                number=number,
                start_t=sitting.start_t,
                end_t=sitting.end_t,
                at=at,
                events=sitting.events,
                first_index=sitting.first_index,
                active_ms=sitting.active_ms,
                gap_before_ms=None if previous_end is None else sitting.start_t - previous_end,
            )
        )
        at += sitting.end_t - sitting.start_t
        previous_end = sitting.end_t
    return SessionTime(tuple(parts), cut_gap_ms)
