"""Demo login, learner pick and sign-out, through the real views."""

from __future__ import annotations

import pytest
from django.test import Client

from dashboard.access import LEARNER_SESSION_KEY
from dashboard.models import User
from tests.factories import LearnerIdentityFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_signin_page_with_all_three_ways_in(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in with Google" in html
    assert "Try the demo as a teacher" in html
    assert "I&#x27;m a learner" in html or "I'm a learner" in html


def test_it_signs_in_the_demo_teacher(client):
    response = client.post("/signin/demo/")
    assert response.status_code == 302
    assert response["Location"] == "/teacher/"
    home = client.get("/teacher/")
    assert home.status_code == 200
    assert "Hello, Demo" in home.content.decode()
    assert User.objects.get(username="demo-teacher").is_demo


def test_it_refuses_demo_login_when_it_is_off(client, settings):
    settings.DEMO_LOGIN = False
    assert "Try the demo" not in client.get("/").content.decode()
    response = client.post("/signin/demo/")
    assert response.status_code == 404
    assert "not available" in response.content.decode()
    assert not User.objects.filter(username="demo-teacher").exists()


def test_it_ends_the_demo_teachers_access_when_demo_login_is_turned_off(client, settings):
    client.post("/signin/demo/")
    settings.DEMO_LOGIN = False
    response = client.get("/teacher/")
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=") or response["Location"].startswith("/")


def test_it_never_hands_a_real_account_to_the_demo_button(client):
    User.objects.create(username="demo-teacher", email="real@school.example")
    response = client.post("/signin/demo/")
    assert response.status_code == 409
    assert "_auth_user_id" not in client.session


def test_demo_login_is_post_only(client):
    assert client.get("/signin/demo/").status_code == 405


def test_it_lists_learners_by_display_name_and_disambiguates_collisions(client):
    LearnerIdentityFactory(real_id="S-1", display_name="Sam Lee")
    LearnerIdentityFactory(real_id="S-2", display_name="Sam Lee")
    LearnerIdentityFactory(real_id="S-3", display_name="Ada Byron")
    html = client.get("/signin/learner/").content.decode()
    assert "Sam Lee (S-1)" in html
    assert "Sam Lee (S-2)" in html
    assert "Ada Byron" in html
    assert "Ada Byron (S-3)" not in html
    assert "anyone who opens this page can pick any name" in html


def test_it_never_puts_opaque_ids_on_the_learner_list(client, learner):
    html = client.get("/signin/learner/").content.decode()
    assert learner.display_name in html
    assert learner.opaque_id not in html


def test_it_searches_the_learner_list_with_and_without_htmx(client):
    LearnerIdentityFactory(display_name="Grace Hopper")
    LearnerIdentityFactory(display_name="Alan Turing")
    page = client.get("/signin/learner/?q=grace")
    assert "Grace Hopper" in page.content.decode()
    assert "Alan Turing" not in page.content.decode()
    assert "<html" in page.content.decode()

    fragment = client.get("/signin/learner/?q=grace", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "Grace Hopper" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert 'id="learner-choices"' in fragment.content.decode()


def test_it_says_so_when_no_learner_matches(client, learner):
    html = client.get("/signin/learner/?q=zzzz").content.decode()
    assert "No name matches" in html


def test_it_paginates_a_long_learner_list(client):
    for n in range(65):
        LearnerIdentityFactory(display_name=f"Learner {n:03d}")
    first = client.get("/signin/learner/").content.decode()
    assert "Page 1 of 2" in first
    second = client.get("/signin/learner/?page=2").content.decode()
    assert "Learner 064" in second


def test_it_rejects_a_malformed_page_number(client):
    response = client.get("/signin/learner/?page=abc")
    assert response.status_code == 400
    assert "Enter a whole number" in response.content.decode()


def test_it_signs_a_learner_in_by_pick_and_rotates_the_session(client, learner):
    client.get("/signin/learner/")
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    response = client.post("/signin/learner/", {"learner": learner.pk})
    assert response.status_code == 302
    assert response["Location"] == "/learn/"
    assert client.session[LEARNER_SESSION_KEY] == learner.pk
    assert client.cookies["sessionid"].value != before
    home = client.get("/learn/")
    assert home.status_code == 200
    assert "Hi Ada Lovelace" in home.content.decode()


def test_it_rotates_a_planted_session_key_at_learner_signin(client, learner):
    client.get("/signin/learner/")
    session = client.session
    session["planted"] = True
    session.save()
    planted_key = session.session_key
    client.cookies["sessionid"] = planted_key
    client.post("/signin/learner/", {"learner": learner.pk})
    assert client.cookies["sessionid"].value != planted_key
    assert "planted" not in client.session


def test_it_ends_a_teacher_session_when_a_learner_signs_in_on_the_same_browser(
    teacher_client, learner
):
    assert teacher_client.get("/teacher/").status_code == 200
    teacher_client.post("/signin/learner/", {"learner": learner.pk})
    assert teacher_client.get("/teacher/").status_code == 403


def test_it_answers_an_unknown_learner_pick_with_a_clear_400(client, learner):
    response = client.post("/signin/learner/", {"learner": 999999})
    assert response.status_code == 400
    assert "no longer on the list" in response.content.decode()
    assert LEARNER_SESSION_KEY not in client.session

    missing = client.post("/signin/learner/", {})
    assert missing.status_code == 400
    assert "Pick your name" in missing.content.decode()


def test_it_turns_learner_pick_off(client, settings, learner):
    settings.LEARNER_PICK_SIGNIN = False
    assert client.get("/signin/learner/").status_code == 404
    assert client.post("/signin/learner/", {"learner": learner.pk}).status_code == 404
    assert "I&#x27;m a learner" not in client.get("/").content.decode()


def test_it_signs_a_learner_out_when_their_identity_is_deleted(learner_client, learner):
    learner.delete()
    response = learner_client.get("/learn/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/learner/"


def test_it_signs_out_teachers_and_learners(teacher_client, learner_client):
    for client in (teacher_client, learner_client):
        response = client.post("/signout/")
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert "_auth_user_id" not in client.session
        assert LEARNER_SESSION_KEY not in client.session
    assert teacher_client.get("/teacher/").status_code == 302
    assert learner_client.get("/learn/").status_code == 302


def test_signout_is_post_only_and_csrf_protected(teacher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    assert client.get("/signout/").status_code == 405
    assert client.post("/signout/").status_code == 403
    assert client.get("/teacher/").status_code == 200


def test_it_redirects_a_signed_in_teacher_from_the_signin_page(teacher_client):
    response = teacher_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/teacher/"


def test_it_redirects_a_signed_in_learner_from_the_signin_page(learner_client):
    response = learner_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/learn/"
