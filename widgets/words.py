"""Plain words for a widget's events, for teachers: a label per event type and a one-line
description built from an event's data ("Placed 5/3 at 1⅔ — wrong place").

Pure content, like the registry: each widget module holds its own `EVENT_LABELS` and
`describe(event)`; this module only looks them up by widget id. The replay uses them for its
timeline rows, hover text, "now" panel and event table (the raw type stays in a details view);
tests/widgets/test_words.py fails when an event type of a widget has no label.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from widgets import bll002, chernoff_tutorial, tei001
from widgets.base import LIFECYCLE_LABELS, Event

_MODULES = {module.WIDGET.id: module for module in (bll002, tei001, chernoff_tutorial)}


def event_labels(widget_id: str) -> dict[str, str]:
    """Every event type of the widget (the platform's lifecycle types too) → its label."""
    module = _MODULES.get(widget_id)
    own: Mapping[str, str] = getattr(module, "EVENT_LABELS", {}) if module else {}
    return {**LIFECYCLE_LABELS, **own}


def label_of(widget_id: str, event_type: str) -> str:
    """The type's label; an unknown type (an uninstalled widget's) is shown as it was recorded."""
    return event_labels(widget_id).get(event_type, event_type)


def describer(widget_id: str) -> Callable[[Event], str]:
    """The widget's `describe(event)`, or one that gives the type's label."""
    labels = event_labels(widget_id)
    module = _MODULES.get(widget_id)
    own = getattr(module, "describe", None) if module else None

    def describe(event: Event) -> str:
        kind = event.get("type")
        if own is not None and kind not in LIFECYCLE_LABELS:
            return own(event)
        return labels.get(str(kind), str(kind))

    return describe


def item_start(widget_id: str) -> tuple[str, str, str] | None:
    """(event type that starts an item, its data key naming the item, what a teacher calls an
    item), or None for a widget without items."""
    return getattr(_MODULES.get(widget_id), "ITEM_START", None)
