"""Reads for the replay page: the session a teacher may see, its neighbours, its recorded events.

The stored session (`projects.RunSession`) is school-side and names the learner by identity; its
events live on the platform side, under the learner's opaque id, and are read through
`collector.client` with the opaque id that `dashboard.identities` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404

from collector.client import get_client
from dashboard.classes import class_ids_for
from dashboard.identities import opaque_id_of
from dashboard.models import User
from projects.selectors import RunAttempt, RunSession, projects_visible_to


def run_session_for(*, owner: User, project_id: int, run_session_id: int) -> RunSession:
    """The stored session, if it is in a project `owner` may open (their own, or the overview of
    a class they teach); 404 for anyone else."""
    session = (
        RunSession.objects.select_related("run__project", "learner")
        .filter(
            pk=run_session_id,
            run__project_id=project_id,
            run__project__in=projects_visible_to(user=owner),
        )
        .first()
    )
    if session is None:
        raise Http404("This session is not in this project's results (or its learner was deleted).")
    return session


@dataclass(frozen=True)
class Neighbours:
    previous: RunSession | None
    next: RunSession | None
    position: int  # 1-based, among the learner's sessions in this run
    total: int


def learner_neighbours(*, session: RunSession) -> Neighbours:
    """The same learner's sessions in the same run just before and after this one, by start."""
    same = RunSession.objects.filter(run_id=session.run_id, learner_id=session.learner_id)
    earlier = Q(start__lt=session.start) | Q(start=session.start, pk__lt=session.pk)
    later = Q(start__gt=session.start) | Q(start=session.start, pk__gt=session.pk)
    return Neighbours(
        previous=same.filter(earlier).order_by("-start", "-pk").first(),
        next=same.filter(later).order_by("start", "pk").first(),
        position=same.filter(earlier).count() + 1,
        total=same.count(),
    )


@dataclass(frozen=True)
class Recording:
    """What the platform holds of one learner's part in a session of one widget."""

    events: list[dict[str, Any]]  # in client-time order, ties in arrival order
    duplicates: int  # copies of an already stored event, dropped at ingest
    out_of_order: int  # events that arrived after a later one
    refused: int  # events refused for validity (kept in the collector's quarantine, not replayed)
    status: str  # started | resumed | completed


def session_recording(*, session: RunSession) -> Recording:
    """The session's events and ingest figures. Raises CollectorError (404: none are left)."""
    answer = get_client().session_events(
        learner=opaque_id_of(session.learner), session=session.session, widget=session.widget
    )
    stats = answer["sessions"][0] if answer["sessions"] else {}
    return Recording(
        events=answer["events"],
        duplicates=stats.get("duplicates", 0),
        out_of_order=stats.get("out_of_order", 0),
        refused=stats.get("refused", 0),
        status=stats.get("status", ""),
    )


def session_statements(*, session: RunSession) -> dict:
    """The session's events as xAPI statements, for another LRS (learners by opaque id only).
    Raises CollectorError (404: none are left)."""
    return get_client().session_statements(
        learner=opaque_id_of(session.learner), session=session.session, widget=session.widget
    )


def attempt_for(*, owner: User, project_id: int, attempt_id: int) -> RunAttempt:
    """The stored attempt at another activity, if it is in a project `owner` may open; 404 for
    anyone else (as `run_session_for`)."""
    attempt = (
        RunAttempt.objects.select_related("run__project", "learner")
        .filter(
            pk=attempt_id,
            run__project_id=project_id,
            run__project__in=projects_visible_to(user=owner),
        )
        .first()
    )
    if attempt is None:
        raise Http404("This attempt is not in this project's results (or its learner was deleted).")
    return attempt


def attempt_statements(*, attempt: RunAttempt) -> list[dict[str, Any]]:
    """The attempt's statements in time order, read from the platform by the learner's opaque
    id. Raises CollectorError (404: none are left)."""
    answer = get_client().attempt_statements(
        learner=opaque_id_of(attempt.learner),
        activity=attempt.activity,
        registration=attempt.registration,
    )
    return answer["statements"]


# --- Notes pinned to moments (replay/models.py) ---------------------------------------------------


def notes_visible_to(user: User):
    """The notes `user` may see, change and delete: the one access rule for notes.

    The teachers of the learner's classes (owner or co-teacher), and the owner of the project
    the session is in; nobody else (404). Every note read and write goes through here.
    """
    from replay.models import MomentNote

    return MomentNote.objects.filter(
        Q(session__learner__classes__in=class_ids_for(user=user))
        | Q(session__run__project__owner=user)
    ).distinct()


def notes_on(*, user: User, session: RunSession):
    """The notes on one session that `user` may see, in moment order."""
    return notes_visible_to(user).filter(session=session).select_related("author")


def note_for(*, user: User, session: RunSession, note_id: int):
    """One note on `session`, if `user` may see it; 404 otherwise (never says whether it exists)."""
    note = notes_on(user=user, session=session).filter(pk=note_id).first()
    if note is None:
        raise Http404("No such note on this session.")
    return note


def notes_for_run(run) -> list:
    """Every note on the sessions of a project run, for the project's CSV export: the session, the
    learner, the moment (play time in ms and as a clock), the note, who wrote it and when.

    The caller has already scoped `run` to a teacher who may see it (the export view's getter).
    """
    from replay.models import MomentNote

    return list(
        MomentNote.objects.filter(session__run=run)
        .select_related("session__learner", "author")
        .order_by("session__learner__display_name", "session__start", "at_ms", "pk")
    )


# --- Compare two sessions -------------------------------------------------------------------------

COMPARE_CHOICES = 40


def compare_candidates(*, session: RunSession) -> list[RunSession]:
    """Sessions to play beside `session`: the same widget in the same run, the same learner's
    other attempts first, then other learners' (by name, then start); at most COMPARE_CHOICES."""
    others = (
        RunSession.objects.filter(run_id=session.run_id, widget=session.widget)
        .exclude(pk=session.pk)
        .select_related("learner")
    )
    mine = list(others.filter(learner_id=session.learner_id).order_by("start", "pk"))
    theirs = list(
        others.exclude(learner_id=session.learner_id).order_by(
            "learner__display_name", "start", "pk"
        )[: max(0, COMPARE_CHOICES - len(mine))]
    )
    return (mine + theirs)[:COMPARE_CHOICES]


def notes_for_learner(*, user: User, learner) -> list:
    """The notes `user` may see on any session of `learner`, newest session first, for the
    learner's profile (dashboard): each with its session, run and project for the replay link
    (`replay:session` with `?t=<at_ms / 1000>`)."""
    return list(
        notes_visible_to(user)
        .filter(session__learner=learner)
        .select_related("session__run__project", "author")
        .order_by("-session__start", "at_ms", "pk")
    )
