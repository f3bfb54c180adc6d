"""Non-trivial reads of school-side data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from dashboard.models import LearnerIdentity, WidgetOpening
from widgets.registry import Widget, all_widgets


@dataclass(frozen=True)
class WidgetCard:
    widget: Widget
    opened: int
    last_opened: object


def learner_widget_cards(*, learner: LearnerIdentity) -> list[WidgetCard]:
    """The catalogue as one learner sees it: every widget with how often they opened it."""
    openings: dict[str, dict[str, Any]] = {
        row["widget"]: {"n": row["n"], "last": row["last"]}
        for row in WidgetOpening.objects.filter(learner=learner)
        .values("widget")
        .annotate(n=Count("id"), last=Max("opened_at"))
    }
    return [
        WidgetCard(
            widget=widget,
            opened=openings.get(widget.id, {}).get("n", 0),
            last_opened=openings.get(widget.id, {}).get("last"),
        )
        for widget in all_widgets()
    ]
