"""Non-trivial reads of school-side data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from dashboard.models import LearnerIdentity, WidgetOpening
from widgets.registry import Widget, all_widgets


@dataclass(frozen=True)
class LearnerChoice:
    pk: int
    label: str


def learner_search(*, query: str = "") -> QuerySet[LearnerIdentity]:
    learners = LearnerIdentity.objects.all()
    if query:
        learners = learners.filter(Q(display_name__icontains=query) | Q(real_id__icontains=query))
    return learners.order_by("display_name", "real_id_key")


def learner_choices(*, learners: Iterable[LearnerIdentity]) -> list[LearnerChoice]:
    """Labels for the sign-in list: the display name, plus the real id where names collide."""
    learners = list(learners)
    names = {learner.display_name for learner in learners}
    shared_names = set(
        LearnerIdentity.objects.filter(display_name__in=names)
        .values("display_name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("display_name", flat=True)
    )
    return [
        LearnerChoice(
            pk=learner.pk,
            label=(
                f"{learner.display_name} ({learner.real_id})"
                if learner.display_name in shared_names
                else learner.display_name
            ),
        )
        for learner in learners
    ]


@dataclass(frozen=True)
class WidgetCard:
    widget: Widget
    opened: int
    last_opened: object


def learner_widget_cards(*, learner: LearnerIdentity) -> list[WidgetCard]:
    """The catalogue as one learner sees it: every widget with how often they opened it."""
    openings = {
        row["widget"]: row
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
