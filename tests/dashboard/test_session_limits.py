"""Teacher session timeouts and sign-in rate limits."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory
from tests.support.signin import sign_in_by_pick

pytestmark = pytest.mark.django_db


def test_it_signs_a_teacher_out_after_the_idle_timeout(teacher_client, settings, time_machine):
    time_machine.move_to("2026-03-02 08:00:00+00:00", tick=False)
    settings.TEACHER_IDLE_TIMEOUT = 3600
    assert teacher_client.get("/teacher/").status_code == 200
    time_machine.move_to("2026-03-02 08:50:00+00:00", tick=False)
    assert teacher_client.get("/teacher/").status_code == 200  # activity resets the idle clock
    time_machine.move_to("2026-03-02 09:45:00+00:00", tick=False)
    assert teacher_client.get("/teacher/").status_code == 200
    time_machine.move_to("2026-03-02 10:46:00+00:00", tick=False)
    response = teacher_client.get("/teacher/")
    assert response.status_code == 302
    assert "_auth_user_id" not in teacher_client.session
    assert "signed out to keep" in teacher_client.get("/").content.decode()


def test_it_signs_a_teacher_out_after_the_absolute_timeout(teacher_client, settings, time_machine):
    time_machine.move_to("2026-03-02 08:00:00+00:00", tick=False)
    settings.TEACHER_ABSOLUTE_TIMEOUT = 4 * 3600
    for hour in range(8, 12):
        time_machine.move_to(f"2026-03-02 {hour:02d}:00:00+00:00", tick=False)
        assert teacher_client.get("/teacher/").status_code == 200
    time_machine.move_to("2026-03-02 12:01:00+00:00", tick=False)
    assert teacher_client.get("/teacher/").status_code == 302


def test_it_answers_too_many_sign_in_attempts_with_429_and_retry_after(settings, learner):
    settings.SIGNIN_RATE_LIMIT = 3
    # The counts live in the cache, on Redis across runs: an earlier run within the window
    # must not have spent this address's budget already.
    cache.clear()
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert sign_in_by_pick(client, learner).status_code == 302
    response = sign_in_by_pick(client, learner)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 301
    assert "Too many sign-in attempts" in response.content.decode()
    assert client.post("/signin/demo/").status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post("/signin/demo/").status_code == 302


def test_looking_at_the_signin_pages_is_not_an_attempt(settings):
    settings.SIGNIN_RATE_LIMIT = 1
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        assert client.get("/signin/learner/").status_code == 200


def test_it_rate_limits_wrong_passwords_at_the_admin_login_like_any_sign_in(settings, learner):
    settings.SIGNIN_RATE_LIMIT = 3
    cache.clear()
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="203.0.113.10")
    assert client.get("/admin/login/").status_code == 200  # looking is not an attempt
    wrong = {"username": "root", "password": "wrong", "next": "/admin/"}
    for _ in range(2):
        assert client.post("/admin/login/", wrong).status_code == 200
    # One budget for every way in: a learner pick spends it too.
    assert sign_in_by_pick(client, learner).status_code == 302
    response = client.post("/admin/login/", wrong)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 301
    assert "Too many sign-in attempts" in response.content.decode()
    other = Client(REMOTE_ADDR="203.0.113.11")
    assert other.post("/admin/login/", wrong).status_code == 200
