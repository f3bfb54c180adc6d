"""The learning measures' thresholds as this installation sets them (MEASURE_* settings).

The rules themselves are pure (widgets/measures.py); both the collector, which keeps each
session's measures, and the replay, which cuts its timeline into sittings, read them from here so
that they always agree.
"""

from __future__ import annotations

from django.conf import settings

from widgets.measures import MeasureRules


def measure_rules() -> MeasureRules:
    return MeasureRules(
        idle_cap_ms=settings.MEASURE_IDLE_CAP * 1000,
        sitting_gap_ms=settings.MEASURE_SITTING_GAP * 1000,
    )
