"""The replay page's xAPI download: the session as statements, learners by opaque id only."""

from __future__ import annotations

import pytest

from tests.replay.conftest import replay_url, stored

pytestmark = [
    pytest.mark.django_db(databases=["default", "analytics"]),
    pytest.mark.usefixtures("eager_tasks"),
]


@pytest.mark.usefixtures("eager_tasks")
def test_the_replay_page_offers_the_session_as_an_xapi_download(teacher_client, project):
    session = stored("ada-2")
    page = teacher_client.get(replay_url(session)).content.decode()
    download = f"{replay_url(session)}statements.json"
    assert download in page
    response = teacher_client.get(download)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    statements = response.json()
    assert len(statements) == 13
    sessions = {value for s in statements for value in s["context"]["extensions"].values()}
    assert sessions == {"ada-2"}  # not a UUID: carried in the session extension
    assert "Ada" not in response.content.decode() and "S-2001" not in response.content.decode()


def test_another_teacher_gets_a_404_for_the_download(project, other_teacher, client):
    client.force_login(other_teacher)
    session = stored("ada-2")
    assert client.get(f"{replay_url(session)}statements.json").status_code == 404
