"""Notes a teacher pins to moments of a replay: list, add, change, delete (JSON, for replay.js).

Every read and write finds the session with the replay's own scoped getter and the note with
`selectors.note_for`, so a teacher who may not see the session or the note gets a 404, exactly
as for the replay page. Notes stay on the school side (replay/models.py). docs/replay.md, "Notes".
"""

from __future__ import annotations

import json
import math

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.formatting import format_clock
from dashboard.access import TeacherRequest, teacher_required
from replay import selectors
from replay.models import NOTE_MAX_LENGTH, MomentNote


class BadNote(ValueError):
    pass


def note_data(note: MomentNote, project_id: int) -> dict:
    return {
        "id": note.pk,
        "at": note.at_ms,
        "clock": format_clock(note.at_ms),
        "text": note.text,
        "author": note.author.get_full_name() or note.author.get_username(),
        "url": reverse("replay:note", args=[project_id, note.session_id, note.pk]),
    }


def _fields(request: HttpRequest, *, need_at: bool) -> dict:
    """The note's `text` (and `at`, play time in ms) from a JSON body or a form, checked."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise BadNote("The request body is not JSON.") from None
        if not isinstance(body, dict):
            raise BadNote("Send a JSON object with “text” (and “at” for a new note).")
    else:
        body = request.POST
    fields: dict = {}
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadNote("Write the note first: it is empty.")
    text = text.strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise BadNote(f"A note holds up to {NOTE_MAX_LENGTH} characters; this one has {len(text)}.")
    fields["text"] = text
    if need_at:
        try:
            at = float(body.get("at"))
        except (TypeError, ValueError):
            raise BadNote("Say at which moment: “at” is the play time in milliseconds.") from None
        if not math.isfinite(at) or at < 0:
            raise BadNote("The moment “at” must be a number of milliseconds from 0.")
        fields["at_ms"] = at
    return fields


def _bad(error: BadNote) -> JsonResponse:
    return JsonResponse({"error": str(error)}, status=400)


@require_http_methods(["GET", "POST"])
@teacher_required
def session_notes(request: TeacherRequest, project_id: int, run_session_id: int) -> JsonResponse:
    """GET: the notes on the session; POST: a new note at a moment (`at`, `text`)."""
    session = selectors.run_session_for(
        owner=request.user, project_id=project_id, run_session_id=run_session_id
    )
    if request.method == "POST":
        try:
            fields = _fields(request, need_at=True)
        except BadNote as error:
            return _bad(error)
        # author_id: request.user is a lazy object, which the database router cannot type.
        note = MomentNote.objects.create(session=session, author_id=request.user.pk, **fields)
        return JsonResponse(note_data(note, project_id), status=201)
    notes = selectors.notes_on(user=request.user, session=session)
    return JsonResponse({"notes": [note_data(note, project_id) for note in notes]})


@require_http_methods(["GET", "POST", "DELETE"])
@teacher_required
def session_note(
    request: TeacherRequest, project_id: int, run_session_id: int, note_id: int
) -> JsonResponse:
    """GET: one note; POST: change its text; DELETE: delete it. 404 for whoever may not see it."""
    session = selectors.run_session_for(
        owner=request.user, project_id=project_id, run_session_id=run_session_id
    )
    note = selectors.note_for(user=request.user, session=session, note_id=note_id)
    if request.method == "DELETE":
        note.delete()
        return JsonResponse({"deleted": note_id})
    if request.method == "POST":
        try:
            fields = _fields(request, need_at=False)
        except BadNote as error:
            return _bad(error)
        note.text = fields["text"]
        note.save(update_fields=["text", "updated"])
    return JsonResponse(note_data(note, project_id))
