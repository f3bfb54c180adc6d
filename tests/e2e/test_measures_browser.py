"""One session's active time reads the same in the explorer, on its path label and in its replay.

A session of two 12-minute sittings two days apart (its span is over 48 hours; its active time
about ten minutes). The teacher sees it in the explorer's hover text, labels the path on the
chart, reads the path card, then opens the replay: every place says the same active time, which
the platform measured once (widgets/measures.py), and none says hours.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from core.formatting import format_duration
from tests.collector.helpers import now_ms
from tests.factories import LearnerIdentityFactory
from tests.support.replays import DAY, class_project, replay_url, resumed_session, send, stored

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

# The hover text plotly would show for the learner's one session mark (the page's own
# hovertext, written by static/js/format.js from the figure's customdata).
HOVER_TEXT = """() => {
  const chart = document.getElementById("path-chart");
  const trace = chart._fullData.find((t) => t.meta && t.meta.kind === "sessions");
  return trace.hovertext[0];
}"""


@pytest.fixture
def resumed(client, teacher, django_capture_on_commit_callbacks):
    ada = LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")
    send(client, ada, resumed_session("resumed", now_ms() - 3 * DAY))
    teacher_client = Client()
    teacher_client.force_login(teacher)
    class_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    return stored("resumed")


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_explorer_a_path_label_and_the_replay_agree_on_active_time(
    page, live_server, teacher, resumed
):
    active = format_duration(resumed.active)
    assert resumed.sittings == 2 and "h" not in active  # minutes, though the span is 2 days
    sign_in(page, live_server, teacher)
    project = resumed.run.project_id

    page.goto(f"/projects/{project}/explore/?learner={resumed.learner_id}")
    chart = page.locator("#path-chart")
    expect(chart).to_have_attribute("data-state", "drawn")
    hover = page.evaluate(HOVER_TEXT)
    assert hover.startswith(f"{active} active · 2 sittings · ")

    card = page.locator(".path-card")
    expect(card).to_contain_text(f"{active} active · 2 sittings")
    page.get_by_role("button", name="Label on chart").click()
    label = chart.locator(".annotation-text", has_text="active").first
    expect(label).to_have_text(re.compile(rf"^{re.escape(active)} active · 2 sittings · "))

    page.goto(replay_url(resumed))
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    expect(page.locator(".replay-measures")).to_contain_text(f"{active} active")
    expect(page.locator(".replay-measures")).to_contain_text("2 sittings")
