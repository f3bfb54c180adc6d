"""Learners sign in by class: the class (by its code or picked by name), then their own name.

A demo-grade mechanism (docs and the admin say so, not the children's pages): no password. An
anonymous visitor never sees a real id or an opaque id, and a search matches display names only.
"""

from __future__ import annotations

import pytest

from dashboard.access import LEARNER_SESSION_KEY
from tests.factories import LearnerIdentityFactory, SchoolClassFactory
from tests.support.signin import pick_url, sign_in_by_pick

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_b(learner):
    school_class = SchoolClassFactory(name="7B", year="Year 7")
    school_class.learners.add(learner)
    return school_class


def test_it_lists_the_classes_with_learners_and_takes_a_code(client, seven_b):
    SchoolClassFactory(name="Empty class")
    html = client.get("/signin/learner/").content.decode()
    assert "7B (Year 7)" in html
    assert f"/signin/learner/{seven_b.code}/" in html
    assert "Empty class" not in html
    assert "anyone who opens this page" not in html  # the operators' note is not for children


def test_a_code_leads_to_the_class_however_it_is_typed(client, seven_b):
    typed = f" {seven_b.code[:3].lower()}-{seven_b.code[3:]} "
    response = client.get("/signin/learner/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/signin/learner/{seven_b.code}/"


def test_an_unknown_code_says_what_to_do(client, seven_b):
    response = client.get("/signin/learner/", {"code": "ZZZZZZ"})
    assert response.status_code == 400
    assert "No class has the code “ZZZZZZ”. Check the board, or ask your teacher." in (
        response.content.decode()
    )
    assert client.get("/signin/learner/NOPE42/").status_code == 404


def test_a_class_lists_only_its_own_learners_by_display_name(client, seven_b, learner):
    outsider = LearnerIdentityFactory(display_name="Zed Other")
    html = client.get(f"/signin/learner/{seven_b.code}/").content.decode()
    assert learner.display_name in html
    assert outsider.display_name not in html
    assert learner.real_id not in html
    assert learner.opaque_id not in html


def test_colliding_names_are_numbered_never_shown_with_a_real_id(client, seven_b):
    twins = [LearnerIdentityFactory(real_id=f"S-9{n}", display_name="Sam Lee") for n in (1, 2)]
    seven_b.learners.add(*twins)
    html = client.get(f"/signin/learner/{seven_b.code}/").content.decode()
    assert "Sam Lee · 1" in html and "Sam Lee · 2" in html
    assert "S-91" not in html and "S-92" not in html


def test_a_search_matches_display_names_only(client, seven_b, learner):
    # Searching by a real id finds nobody and says nothing of it (`learner` is S-2001).
    by_real_id = client.get(f"/signin/learner/{seven_b.code}/", {"q": learner.real_id})
    assert learner.display_name not in by_real_id.content.decode().split("</h1>")[1]
    assert "No name in 7B matches" in by_real_id.content.decode()
    fragment = client.get(
        f"/signin/learner/{seven_b.code}/", {"q": "ada"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.content.decode()
    assert learner.display_name in fragment.content.decode()


def test_it_signs_a_learner_in_by_pick_and_rotates_the_session(client, learner, seven_b):
    client.get(pick_url(learner))
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    response = sign_in_by_pick(client, learner)
    assert response.status_code == 302
    assert response["Location"] == "/learn/"
    assert client.session[LEARNER_SESSION_KEY] == learner.pk
    assert client.cookies["sessionid"].value != before
    assert "Hi Ada Lovelace" in client.get("/learn/").content.decode()


def test_it_rotates_a_planted_session_key_at_learner_signin(client, learner, seven_b):
    client.get(pick_url(learner))
    session = client.session
    session["planted"] = True
    session.save()
    planted_key = session.session_key
    client.cookies["sessionid"] = planted_key
    sign_in_by_pick(client, learner)
    assert client.cookies["sessionid"].value != planted_key
    assert "planted" not in client.session


def test_it_ends_a_teacher_session_when_a_learner_signs_in_on_the_same_browser(
    teacher_client, learner, seven_b
):
    assert teacher_client.get("/teacher/").status_code == 200
    sign_in_by_pick(teacher_client, learner)
    assert teacher_client.get("/teacher/").status_code == 403


def test_a_learner_of_another_class_cannot_be_picked_here(client, seven_b):
    elsewhere = LearnerIdentityFactory(display_name="Elsewhere")
    SchoolClassFactory().learners.add(elsewhere)
    response = client.post(f"/signin/learner/{seven_b.code}/", {"learner": elsewhere.pk})
    assert response.status_code == 400
    assert "no longer on the list" in response.content.decode()
    assert LEARNER_SESSION_KEY not in client.session
    missing = client.post(f"/signin/learner/{seven_b.code}/", {})
    assert missing.status_code == 400
    assert "Pick your name" in missing.content.decode()


def test_it_turns_learner_pick_off(client, settings, learner, seven_b):
    settings.LEARNER_PICK_SIGNIN = False
    assert client.get("/signin/learner/").status_code == 404
    assert client.get(pick_url(learner)).status_code == 404
    assert sign_in_by_pick(client, learner).status_code == 404
    assert "I&#x27;m a learner" not in client.get("/").content.decode()
