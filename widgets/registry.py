"""The widget registry: what each widget is, which events it may send, and how it is scored.

Pure content shared by both sides; this package imports no other app. Each widget lives in a
module of its own (widgets/bll002.py, …) that defines `WIDGET`; adding a widget means one such
module, one line below, and one folder under static/widgets/ (docs/widgets.md).
"""

from __future__ import annotations

from widgets import bll002, chernoff_tutorial, tei001
from widgets.base import (
    EMPTY_DATA_SCHEMA,
    LIFECYCLE_EVENT_TYPES,
    Event,
    Score,
    ScoringRule,
    SessionMode,
    Widget,
)

__all__ = [
    "EMPTY_DATA_SCHEMA",
    "LIFECYCLE_EVENT_TYPES",
    "Event",
    "Score",
    "ScoringRule",
    "SessionMode",
    "Widget",
    "all_widgets",
    "get_widget",
]


WIDGETS: dict[str, Widget] = {
    widget.id: widget for widget in (bll002.WIDGET, tei001.WIDGET, chernoff_tutorial.WIDGET)
}


def all_widgets() -> list[Widget]:
    return list(WIDGETS.values())


def get_widget(widget_id: str) -> Widget | None:
    return WIDGETS.get(widget_id)
