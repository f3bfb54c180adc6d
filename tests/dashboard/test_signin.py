"""Demo login, learner pick and sign-out, through the real views."""

from __future__ import annotations

import pytest
from django.test import Client

from dashboard.access import LEARNER_SESSION_KEY
from dashboard.models import User

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


def test_the_admin_sign_in_starts_a_clean_session_on_a_learners_browser(learner_client):
    admin = User.objects.create_superuser("root", "root@school.example", "right-pass-9f")
    learner_session = learner_client.cookies["sessionid"].value
    assert learner_client.get("/learn/").status_code == 200
    response = learner_client.post(
        "/admin/login/", {"username": "root", "password": "right-pass-9f", "next": "/admin/"}
    )
    assert response.status_code == 302
    assert learner_client.cookies["sessionid"].value != learner_session
    assert LEARNER_SESSION_KEY not in learner_client.session
    assert learner_client.session["_auth_user_id"] == str(admin.pk)
    assert learner_client.get("/learn/").status_code == 302  # no longer the learner
    assert learner_client.get("/admin/").status_code == 200


def test_a_wrong_admin_password_on_a_learners_browser_ends_the_learner_session(learner_client):
    User.objects.create_superuser("root", "root@school.example", "right-pass-9f")
    response = learner_client.post("/admin/login/", {"username": "root", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert LEARNER_SESSION_KEY not in learner_client.session
