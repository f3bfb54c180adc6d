"""The learner's catalogue and widget pages: session choice and the page's configuration."""

from __future__ import annotations

import json
import re

import pytest

from collector.tokens import learner_token_check
from dashboard.models import WidgetOpening
from tests.collector.helpers import event, now_ms, post_events
from tests.factories import LearnerIdentityFactory
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def widget_config(response) -> dict:
    match = re.search(
        r'<script id="widget-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page has no #widget-config"
    return json.loads(match.group(1))


def test_it_shows_the_catalogue_with_each_widget(learner_client):
    html = learner_client.get("/learn/").content.decode()
    for title in ("Balance lever lab", "Fractions on a number line", "Chernoff faces tutorial"):
        assert title in html
    assert 'href="/learn/BLL002/"' in html
    assert "Not started yet" in html


def test_it_opens_a_widget_with_a_token_for_the_learners_opaque_id_only(learner_client, learner):
    response = learner_client.get("/learn/TEI001/")
    assert response.status_code == 200
    config = widget_config(response)
    assert config["widget"] == "TEI001"
    assert config["mode"] == "record"
    assert config["endpoint"] == "/api/v1/events"
    assert re.fullmatch(r"[0-9a-f]{32}", config["session"])
    assert learner_token_check(config["token"]).learner == learner.opaque_id
    html = response.content.decode()
    assert learner.real_id not in config["token"]
    assert learner.real_id not in json.dumps(config)
    assert 'src="/static/widgets/TEI001/main.js"' in html


def test_it_never_puts_another_learners_opaque_id_on_the_page(learner_client):
    others = LearnerIdentityFactory.create_batch(3)
    html = learner_client.get("/learn/BLL002/").content.decode()
    for other in others:
        assert other.opaque_id not in html


def test_a_per_open_widget_starts_a_new_session_each_time(learner_client):
    first = widget_config(learner_client.get("/learn/TEI001/"))["session"]
    second = widget_config(learner_client.get("/learn/TEI001/"))["session"]
    assert first != second
    assert WidgetOpening.objects.filter(widget="TEI001").count() == 2


def test_a_resume_widget_continues_the_session_with_its_history(client, learner_client, learner):
    first = widget_config(learner_client.get("/learn/BLL002/"))
    assert first["history"] == []
    recorded = [event(session=first["session"], t=now_ms() + i) for i in range(3)]
    post_events(client, recorded, token=first["token"])

    again = widget_config(learner_client.get("/learn/BLL002/"))
    assert again["session"] == first["session"]
    assert [e["id"] for e in again["history"]] == [e["id"] for e in recorded]
    assert set(again["history"][0]) == {"id", "type", "t", "data"}


def test_the_catalogue_shows_progress_after_opening(learner_client):
    learner_client.get("/learn/BLL002/")
    html = learner_client.get("/learn/").content.decode()
    assert "Opened 1 time" in html
    assert "Continue" in html


def test_an_unknown_widget_is_a_404(learner_client):
    assert learner_client.get("/learn/NOPE/").status_code == 404


def test_widget_pages_are_for_signed_in_learners_only(client, teacher_client):
    for visitor in (client, teacher_client):
        response = visitor.get("/learn/BLL002/")
        assert response.status_code == 302
        assert response["Location"] == "/signin/learner/"
