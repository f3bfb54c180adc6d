"""The access tag every view carries, so the URL audit test knows who each URL was meant for.

Only `public` lives here (core's own /healthz needs it); the rules that need a signed-in person
(`teacher_required`, `learner_required`) are dashboard/access.py's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view as open to everyone, so the URL audit test knows it was meant to be."""
    view.pathlens_access = "public"  # type: ignore[attr-defined]
    return view
