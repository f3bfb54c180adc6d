"""Two sessions side by side: reached from the replay page, one control bar, both timelines; a
seek on one timeline moves both widgets to the same time since start."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.factories import LearnerIdentityFactory
from tests.support.replays import (
    SECOND,
    class_project,
    record_sessions,
    replay_url,
    send,
    stored,
    tei_event,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


@pytest.fixture
def project(client, teacher, django_capture_on_commit_callbacks):
    ada = LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")
    grace = LearnerIdentityFactory(real_id="S-2002", display_name="Grace Hopper")
    base = record_sessions(client, ada, grace)
    # Grace's second try: she reads for 10 s before item 1 starts, then places a card 2 s later.
    start = base + 3 * 3_600_000
    send(client, grace, [
        tei_event("grace-2", start, "session_started"),
        tei_event("grace-2", start + 10 * SECOND, "item_started", item=1),
        tei_event("grace-2", start + 12 * SECOND, "card_placed", item=1, card="1/4", position=3),
        tei_event("grace-2", start + 15 * SECOND, "card_placed", item=1, card="1/2", position=6),
    ])  # fmt: skip
    teacher_client = Client()
    teacher_client.force_login(teacher)
    return class_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


# Both panes have shown the moment: each widget shows the absolute time its pane stands for.
BOTH_SHOWN = """() => [...document.querySelectorAll(".compare-pane")].every((pane) => {
  const frame = pane.querySelector("iframe");
  return frame.dataset.shownT === pane.dataset.t;
})"""


def test_it_plays_two_sessions_side_by_side_and_a_seek_on_one_moves_both(
    page, live_server, teacher, project
):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, teacher)
    page.goto(replay_url(stored("ada-2")))
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    page.get_by_text("Play this session side by side").click()
    page.get_by_role("link", name="Grace Hopper").first.click()  # grace-1, her first session

    # Two widgets and two timelines: slower than one replay on a busy machine.
    expect(page.locator("#compare")).to_have_attribute("data-state", "ready", timeout=20_000)
    expect(page).to_have_title(re.compile(r"^Compare · Ada Lovelace and Grace Hopper in Fractions"))
    panes = page.locator(".compare-pane")
    expect(panes).to_have_count(2)
    boxes = [panes.nth(k).bounding_box() for k in (0, 1)]
    assert boxes[1]["x"] >= boxes[0]["x"] + boxes[0]["width"]  # side by side
    expect(page.locator(".compare-chart[data-state='drawn']")).to_have_count(2)
    page.wait_for_function(BOTH_SHOWN)

    # A click on Grace's timeline: her fifth event (4 s in); Ada's pane moves to 4 s too.
    page.locator(".compare-chart").nth(1).scroll_into_view_if_needed()
    point = page.evaluate(
        """() => {
          const chart = document.querySelectorAll(".compare-chart")[1];
          const trace = chart._fullData.find((t) => Array.from(t.customdata).includes(4));
          const k = Array.from(trace.customdata).indexOf(4);
          const box = chart.querySelector(".nsewdrag").getBoundingClientRect();
          const xa = chart._fullLayout.xaxis, ya = chart._fullLayout.yaxis;
          return { x: box.left + xa.l2p(trace.x[k]), y: box.top + ya.l2p(trace.y[k]) };
        }"""
    )
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("() => document.getElementById('compare').dataset.current === '4000'")
    page.wait_for_function(BOTH_SHOWN)
    for k in (0, 1):
        expect(panes.nth(k)).to_have_attribute("data-current", "4000")
        expect(panes.nth(k)).to_have_attribute("data-index", "4")
    expect(panes.nth(0).locator(".compare-pane__event")).to_have_text(
        "0:04.0 · Placed 3/4 at ¾ — right place"
    )
    # Both playheads at 4 s on their own axes.
    at = page.evaluate(
        "() => [...document.querySelectorAll('.compare-playhead')].map((p) => p.dataset.at)"
    )
    assert at == ["4000", "4000"]

    # The one seek bar moves both too; past the shorter session, it shows its end.
    page.evaluate("() => window.pathlensCompare.seek(window.pathlensCompare.span)")
    page.wait_for_function(BOTH_SHOWN)
    expect(panes.nth(0)).to_have_attribute("data-index", "12")
    expect(panes.nth(1)).to_have_attribute("data-index", "6")


def test_it_lines_two_sessions_up_by_item(page, live_server, teacher, project):
    from django.urls import reverse

    ada, grace = stored("ada-2"), stored("grace-2")
    sign_in(page, live_server, teacher)
    page.goto(reverse("replay:compare", args=[ada.run.project_id, ada.pk, grace.pk]))
    expect(page.locator("#compare")).to_have_attribute("data-state", "ready", timeout=20_000)
    panes = page.locator(".compare-pane")
    page.evaluate("() => window.pathlensCompare.seek(4000)")
    page.wait_for_function(BOTH_SHOWN)
    expect(panes.nth(1)).to_have_attribute("data-current", "4000")  # by time since start

    # By item: Ada is 3 s into item 1 at 4 s; Grace's item 1 began at 10 s, so she shows 13 s.
    page.get_by_text("item", exact=True).click()
    expect(page.locator("#compare")).to_have_attribute("data-align", "item")
    page.wait_for_function(BOTH_SHOWN)
    expect(panes.nth(0)).to_have_attribute("data-current", "4000")
    expect(panes.nth(1)).to_have_attribute("data-current", "13000")
    expect(panes.nth(1).locator(".compare-pane__event")).to_have_text(
        "0:12.0 · Placed 1/4 at ¼ — right place"
    )
