"""A teacher's whole way through a project, in a real browser with a real Celery worker.

Creates a project with the learner picker, watches its status turn DONE without reloading,
compares two learners' paths in the explorer, clicks a path to label its sessions, and follows
a label to that session's page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from projects.models import RunSession
from tests.collector.helpers import now_ms
from tests.factories import LearnerIdentityFactory
from tests.support.projects import MIN, record
from tests.support.worker import running_worker
from widgets.registry import get_widget

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

# Pixel position of one of a learner's path points, from plotly's own axes.
PATH_POINT = """([learner, index]) => {
  const chart = document.getElementById("path-chart");
  const trace = chart._fullData.find(
    (t) => t.meta && t.meta.kind === "path" && t.meta.learner === learner
  );
  const xa = chart._fullLayout.xaxis, ya = chart._fullLayout.yaxis;
  const box = chart.querySelector(".nsewdrag").getBoundingClientRect();
  return {
    x: box.left + xa.l2p(xa.d2l(trace.x[index])),
    y: box.top + ya.l2p(trace.y[index]),
  };
}"""


@pytest.fixture
def classroom(client):
    """Three learners with sessions (S-300x) and one who is not in the project."""
    base = now_ms() - 3 * 3_600_000
    ada = LearnerIdentityFactory(real_id="S-3001", display_name="Ada Lovelace")
    grace = LearnerIdentityFactory(real_id="S-3002", display_name="Grace Hopper")
    alan = LearnerIdentityFactory(real_id="S-3003", display_name="Alan Turing")
    LearnerIdentityFactory(real_id="T-9999", display_name="Zed Zebra")
    record(client, ada, "BLL002", "ada-1", base, 3)
    record(client, ada, "TEI001", "ada-2", base + 40 * MIN, 5)
    record(client, ada, "BLL002", "ada-3", base + 90 * MIN, 2)
    record(client, grace, "TEI001", "grace-1", base + 10 * MIN, 4)
    record(client, grace, "BLL002", "grace-2", base + 70 * MIN, 6)
    record(client, alan, "TEI001", "alan-1", base + 20 * MIN, 2)
    return {"ada": ada, "grace": grace, "alan": alan}


def test_a_teacher_creates_a_project_and_follows_a_path_label_to_a_session(page, classroom):
    ada = classroom["ada"]
    page.goto("/")
    page.get_by_role("button", name="Try the demo as a teacher").click()
    page.wait_for_url("**/teacher/")
    page.get_by_role("link", name="Projects").click()
    page.get_by_role("link", name="Create your first project").click()

    page.get_by_label("Name").fill("Fractions 7B")
    page.get_by_placeholder("Search by name or real id").fill("S-300")
    expect(page.get_by_text("Zed Zebra")).to_be_hidden()
    page.get_by_role("button", name="Add all shown").click()
    expect(page.get_by_text("3 of 4 chosen")).to_be_visible()

    with running_worker():
        page.get_by_role("button", name="Create and submit").click()
        page.wait_for_url("**/projects/*/")
        page.evaluate("window.pathlensNotReloaded = true")
        status = page.locator("#main [data-status]").first
        expect(status).to_have_attribute("data-status", "DONE", timeout=90_000)
        assert page.evaluate("window.pathlensNotReloaded") is True
        expect(status).to_contain_text("6 sessions")
    expect(page.locator("#run-history")).to_contain_text("Done")

    status.get_by_role("link", name="Explore").click()
    chart = page.locator("#path-chart")
    # Plotly draws on the CPU (no GPU here); on a loaded machine that outlasts expect's 5 s.
    expect(chart).to_have_attribute("data-state", "drawn", timeout=30_000)

    for name in ("Ada Lovelace", "Grace Hopper"):
        page.get_by_label(f"Show the path of {name}").check()
        expect(page.locator(".path-card", has_text=name)).to_be_visible()
    page.wait_for_function(
        "() => document.getElementById('path-chart').data.filter("
        "(t) => t.meta && t.meta.kind === 'path').length === 2"
    )
    assert "learner=" in page.url  # the choice is in the address, so it can be shared

    chart.scroll_into_view_if_needed()
    point = page.evaluate(PATH_POINT, [ada.pk, 1])
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])
    # Labels read active time (projects/paths.py: session_label); ada-2 is her 5-event session.
    label = page.locator(".annotation", has_text="active · 5 events").locator(".annotation-text-g")
    expect(label).to_be_visible()
    expect(page.get_by_role("button", name="Label on chart").first).to_have_attribute(
        "aria-pressed", "true"
    )

    label.click()
    page.wait_for_url("**/sessions/*/")
    session = RunSession.objects.get(session="ada-2")
    assert page.url.endswith(f"/projects/{session.run.project_id}/sessions/{session.pk}/")
    expect(
        page.get_by_role("heading", name=f"Ada Lovelace in {get_widget('TEI001').title}")
    ).to_be_visible()
    # The session is named by learner, activity and time: its own id is not a teacher's word.
    expect(page.get_by_text("ada-2")).to_have_count(0)


def test_without_javascript_the_picker_shows_no_search_that_would_do_nothing(
    browser, live_server, classroom
):
    """The search and its buttons appear when picker.js runs, not before: a search typed before
    then (a fast hand, a slow machine) would never filter."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("button", name="Try the demo as a teacher").click()
        page.wait_for_url("**/teacher/")
        page.goto("/projects/new/")
        expect(page.get_by_text("Zed Zebra")).to_be_visible()  # the plain checkbox list
        expect(page.get_by_placeholder("Search by name or real id")).to_be_hidden()
        expect(page.get_by_role("button", name="Add all shown")).to_be_hidden()
    finally:
        context.close()
