"""Notes pinned to moments (replay/notes.py): added at a moment, listed in the page, changed,
deleted, kept on the school side, and invisible (404) to a teacher who may not see the session."""

from __future__ import annotations

import json

import pytest
from django.db import connections

from replay import selectors
from replay.models import MomentNote
from tests.replay.test_replay_page import page_data
from tests.support.replays import replay_url, stored

pytestmark = pytest.mark.django_db(databases="__all__")


def notes_url(session, note_id=None) -> str:
    return replay_url(session, "notes/" + (f"{note_id}/" if note_id else ""))


def add(client, session, at, text):
    return client.post(
        notes_url(session), json.dumps({"at": at, "text": text}), content_type="application/json"
    )


def test_it_adds_a_note_at_a_moment_and_lists_it_in_the_page(teacher_client, project, teacher):
    session = stored("ada-2")
    response = add(teacher_client, session, 4000, "  confused numerator and denominator here ")
    assert response.status_code == 201, response.content
    note = response.json()
    assert (note["at"], note["clock"], note["text"]) == (
        4000, "0:04.0", "confused numerator and denominator here",
    )  # fmt: skip
    assert note["author"] == "Alice"
    stored_note = MomentNote.objects.get()
    assert (stored_note.session, stored_note.author) == (session, teacher)

    page = page_data(teacher_client.get(replay_url(session)))
    assert [(n["at"], n["text"]) for n in page["notes"]] == [
        (4000, "confused numerator and denominator here")
    ]
    listed = teacher_client.get(notes_url(session)).json()["notes"]
    assert [n["id"] for n in listed] == [note["id"]]
    # Only on this session: another session's page has none.
    assert page_data(teacher_client.get(replay_url(stored("ada-1"))))["notes"] == []


def test_it_changes_and_deletes_a_note(teacher_client, project):
    session = stored("ada-2")
    note = add(teacher_client, session, 0, "first").json()
    changed = teacher_client.post(
        note["url"], json.dumps({"text": "second thoughts"}), content_type="application/json"
    )
    assert changed.status_code == 200
    assert changed.json()["text"] == "second thoughts"
    assert MomentNote.objects.get().text == "second thoughts"
    assert teacher_client.delete(note["url"]).status_code == 200
    assert not MomentNote.objects.exists()
    assert teacher_client.get(note["url"]).status_code == 404


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"at": 1000, "text": "   "}, "empty"),
        ({"at": 1000, "text": "x" * 501}, "up to 500 characters"),
        ({"text": "no moment"}, "at which moment"),
        ({"at": -5, "text": "before"}, "from 0"),
        ({"at": "NaN", "text": "nan"}, "from 0"),
        ([1, 2], "JSON object"),
    ],
)
def test_it_says_what_is_wrong_with_a_note_it_cannot_keep(teacher_client, project, body, says):
    response = teacher_client.post(
        notes_url(stored("ada-2")), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert says in response.json()["error"]
    assert not MomentNote.objects.exists()


def test_a_note_is_invisible_to_another_teacher(teacher_client, project, other_teacher, client):
    session = stored("ada-2")
    note = add(teacher_client, session, 4000, "mine").json()
    client.force_login(other_teacher)
    assert client.get(note["url"]).status_code == 404
    assert client.get(notes_url(session)).status_code == 404
    assert client.delete(note["url"]).status_code == 404
    changed = client.post(note["url"], {"text": "theirs"})
    assert changed.status_code == 404
    assert add(client, session, 0, "theirs").status_code == 404
    assert MomentNote.objects.get().text == "mine"
    assert list(selectors.notes_visible_to(other_teacher)) == []


def test_notes_stay_on_the_school_side_and_come_out_per_run(teacher_client, project):
    session = stored("ada-2")
    add(teacher_client, session, 4000, "on the school side")
    assert MomentNote.objects.using("default").count() == 1
    analytics = connections["analytics"].introspection.table_names()
    assert MomentNote._meta.db_table not in analytics
    (note,) = selectors.notes_for_run(session.run)
    assert (note.session.learner.display_name, note.text) == ("Ada Lovelace", "on the school side")


def test_a_learners_notes_come_out_for_their_profile_only_to_who_may_see_them(
    teacher_client, project, teacher, other_teacher
):
    session = stored("ada-2")
    add(teacher_client, session, 4000, "for the profile")
    add(teacher_client, stored("grace-1"), 0, "not Ada's")
    notes = selectors.notes_for_learner(user=teacher, learner=session.learner)
    assert [note.text for note in notes] == ["for the profile"]
    assert selectors.notes_for_learner(user=other_teacher, learner=session.learner) == []
