"""The projects app's session URL, which every session link of the explorer uses, is the replay."""

from __future__ import annotations

import pytest

from tests.replay.test_replay_page import page_data, text
from tests.support.db import BOTH_DATABASES
from tests.support.replays import replay_url, stored

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def test_the_project_session_url_shows_the_replay_of_that_session(teacher_client, project):
    session = stored("ada-2")
    response = teacher_client.get(f"/projects/{project.pk}/sessions/{session.pk}/?t=12")
    assert response.status_code == 200
    assert "Ada Lovelace in Fractions on a number line" in text(response)
    assert page_data(response)["initial"] == 12_000
    same = page_data(teacher_client.get(replay_url(session, "?t=12")))
    assert page_data(response)["events"] == same["events"]


def test_it_keeps_the_projects_scoping(project, other_teacher, client):
    session = stored("ada-2")
    client.force_login(other_teacher)
    assert client.get(f"/projects/{project.pk}/sessions/{session.pk}/").status_code == 404
