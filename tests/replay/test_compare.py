"""The compare view (replay:compare): two sessions of one widget on one page, scoped like the
replay; offered from the replay page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.replays import replay_url, stored

pytestmark = pytest.mark.django_db(databases="__all__")


def compare_url(first, second) -> str:
    return reverse("replay:compare", args=[first.run.project_id, first.pk, second.pk])


def test_it_shows_both_sessions_with_their_events_and_timelines(teacher_client, project):
    ada, grace = stored("ada-2"), stored("grace-1")
    response = teacher_client.get(compare_url(ada, grace))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Compare · Ada Lovelace and Grace Hopper in Fractions on a number line" in html
    assert html.count('class="card compare-pane"') == 2
    assert "ada-2" not in html.split("<script")[0]  # no session ids in what a teacher reads


def test_the_replay_page_offers_the_learners_other_attempts_and_other_learners(
    teacher_client, project
):
    ada = stored("ada-2")
    html = teacher_client.get(replay_url(ada)).content.decode()
    for other in ("ada-1", "ada-3", "grace-1"):
        assert compare_url(ada, stored(other)) in html
    assert "Ada Lovelace's other attempt" in html


def test_it_refuses_the_same_session_twice_and_says_why(teacher_client, project):
    ada = stored("ada-2")
    response = teacher_client.get(compare_url(ada, ada))
    assert response.status_code == 400
    assert "same session twice" in response.content.decode()


def test_a_teacher_who_may_not_see_either_session_gets_a_404(project, other_teacher, client):
    client.force_login(other_teacher)
    assert client.get(compare_url(stored("ada-2"), stored("grace-1"))).status_code == 404
