"""The whole day of a class, in one real browser, with a real Celery worker.

The demo teacher adds two learners through the learner pages; one of them signs in by picking
her name and places the fraction cards; the teacher creates a project through its form, watches
its status turn DONE without reloading, finds the learner's session in the path explorer, and
replays it: the widget in the playback frame ends where the learner ended, and the timeline holds
exactly the moves she made.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.models import LearnerIdentity
from projects.models import RunSession
from tests.e2e.conftest import sign_in_as_learner
from tests.e2e.test_widgets_browser import (
    open_widget,
    place_with_keyboard,
    place_with_taps,
    wait_for_types,
)
from tests.support.worker import running_worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

MOVES = [
    "session_started",
    "item_started",
    *["card_placed"] * 4,
    "answer_checked",
    "item_completed",
]
SLOW = 30_000  # ms: plotly and the replay take their time on a loaded machine
PLACED = {"1/2": 6, "1/4": 3, "3/4": 9, "5/4": 15}  # in twelfths along the line

# What the widget in the playback frame shows of each card: on the line where, and its verdict.
FRAME_CARDS = """() => {
  const axis = document.querySelector(".tei-axis");
  const x0 = parseFloat(axis.style.left), width = parseFloat(axis.style.width);
  return Object.fromEntries(Array.from(document.querySelectorAll(".tei-card[data-card]"), (b) => {
    const x = parseFloat(/translate\\(([-\\d.]+)px/.exec(b.style.transform)[1]);
    return [b.dataset.card, {
      position: b.classList.contains("is-on-line")
        ? Math.round(((x + b.offsetWidth / 2 - x0) / width) * 24) : null,
      right: b.classList.contains("is-right"),
    }];
  }));
}"""


# Pixel position of the one session mark in a widget's lane, from plotly's own axes.
SESSION_MARK = """(widget) => {
  const chart = document.getElementById("path-chart");
  const traces = chart._fullData.filter(
    (t) => t.meta && t.meta.kind === "sessions" && t.meta.widget === widget
  );
  if (traces.length !== 1 || traces[0].x.length !== 1) throw new Error("not one mark");
  const [trace] = traces;
  const xa = chart._fullLayout.xaxis, ya = chart._fullLayout.yaxis;
  const box = chart.querySelector(".nsewdrag").getBoundingClientRect();
  return { x: box.left + xa.l2p(xa.d2l(trace.x[0])), y: box.top + ya.l2p(trace.y[0]) };
}"""


def sign_in_as_demo_teacher(page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Try the demo as a teacher").click()
    page.wait_for_url("**/teacher/")
    page.wait_for_load_state("networkidle")


def sign_out(page) -> None:
    page.wait_for_load_state("networkidle")  # leaving sooner would cut the page's image loads
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()


def add_learner(page, real_id: str, name: str) -> None:
    page.get_by_label("Real id").fill(real_id)
    page.get_by_label("Display name").fill(name)
    page.get_by_role("button", name="Add learner").click()
    page.get_by_text(f"Added {name} ({real_id}).").wait_for()
    # htmx puts the focus back on the first field once the swap settles.
    page.wait_for_function("() => document.activeElement?.id === 'id_real_id'")


def test_a_class_day_from_adding_learners_to_replaying_a_session(page):
    # Morning: the teacher adds the class.
    sign_in_as_demo_teacher(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learners").click()
    page.get_by_role("link", name="Add a learner").first.click()
    page.wait_for_url("**/teacher/learners/new/")
    add_learner(page, "S-7001", "Ada Lovelace")
    add_learner(page, "S-7002", "Grace Hopper")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learners").click()
    table = page.locator("#learner-table")
    expect(table).to_contain_text("Ada Lovelace")
    expect(table).to_contain_text("Grace Hopper")
    sign_out(page)

    # In class: Ada picks her name and places the fraction cards.
    ada = LearnerIdentity.objects.get(real_id="S-7001")
    sign_in_as_learner(page, "Ada Lovelace")
    config = open_widget(page, "TEI001")
    page.get_by_role("button", name="Start").click()
    place_with_taps(page, "1/2", PLACED["1/2"])
    place_with_keyboard(page, "1/4", 1)  # quarters: one tick is 3 twelfths
    place_with_keyboard(page, "3/4", 3)
    place_with_keyboard(page, "5/4", 5)
    page.get_by_role("button", name="Check").click()
    page.get_by_text("Every card is in the right place. Well done!").wait_for()
    wait_for_types(ada, config["session"], MOVES)  # all of it reached the collector
    page.get_by_role("link", name="← My activities").click()
    page.wait_for_url("**/learn/")
    sign_out(page)

    # After class: the teacher creates a project and a real worker processes it.
    sign_in_as_demo_teacher(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    page.get_by_role("link", name="Create your first project").click()
    page.get_by_label("Name").fill("Fractions, day one")
    page.get_by_role("checkbox", name="Every learner").check()
    page.get_by_role("checkbox", name="Fractions on a number line").check()
    with running_worker():
        page.get_by_role("button", name="Create and submit").click()
        page.wait_for_url("**/projects/*/")
        page.evaluate("window.pathlensNotReloaded = true")
        status = page.locator("#main [data-status]").first
        expect(status).to_have_attribute("data-status", "DONE", timeout=90_000)
        assert page.evaluate("window.pathlensNotReloaded") is True
        expect(status).to_contain_text("1 session · 1 learner")

    # The path explorer: the chart is drawn, with Ada's session in it.
    status.get_by_role("link", name="Explore").click()
    chart = page.locator("#path-chart")
    expect(chart).to_have_attribute("data-state", "drawn", timeout=SLOW)
    expect(page.locator("#learner-table")).to_contain_text("Ada Lovelace")
    expect(page.locator("#learner-table")).not_to_contain_text("Grace Hopper")  # no session
    session = RunSession.objects.get(session=config["session"])
    explorer = page.url
    # Her session is a mark in the widget's lane; clicking it opens that session.
    chart.scroll_into_view_if_needed()
    mark = page.evaluate(SESSION_MARK, "TEI001")
    page.mouse.move(mark["x"], mark["y"])
    page.mouse.click(mark["x"], mark["y"])
    page.wait_for_url(f"**/projects/{session.run.project_id}/sessions/{session.pk}/")
    page.goto(explorer)
    expect(chart).to_have_attribute("data-state", "drawn", timeout=SLOW)

    page.get_by_label("Show the path of Ada Lovelace").check()
    card = page.locator(".path-card", has_text="Ada Lovelace")
    expect(card).to_contain_text("Fractions on a number line")
    expect(card).to_contain_text("8 events")
    page.wait_for_function(
        "() => document.getElementById('path-chart').data.filter("
        "(t) => t.meta && t.meta.kind === 'path').length === 1"
    )

    # The replay of that session shows what Ada did.
    card.get_by_role("link", name="Fractions on a number line").click()
    page.wait_for_url(f"**/projects/{session.run.project_id}/sessions/{session.pk}/")
    expect(
        page.get_by_role("heading", name="Ada Lovelace in Fractions on a number line")
    ).to_be_visible()
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready", timeout=SLOW)
    expect(page.locator("#replay-chart")).to_have_attribute("data-state", "drawn", timeout=SLOW)
    events = page.evaluate("() => window.pathlensReplay.events")
    assert [event["type"] for event in events] == MOVES
    placed = {
        e["data"]["card"]: e["data"]["position"] for e in events if e["type"] == "card_placed"
    }
    assert placed == PLACED

    page.locator("#replay-now-heading").click()
    page.keyboard.press("End")
    last = len(MOVES) - 1
    page.wait_for_function(
        """(last) => document.getElementById("replay").dataset.index === String(last)
             && document.getElementById("replay-frame").dataset.shownIndex === String(last)""",
        arg=last,
    )
    expect(page.locator("#replay-now-data")).to_contain_text(
        f"Finished an item · event {len(MOVES)} of {len(MOVES)}"
    )
    frame = page.frame_locator("#replay-frame")
    expect(frame.locator("#widget-root")).to_have_attribute(
        "data-widget-ready", "true", timeout=SLOW
    )
    expect(frame.locator(".tei-card.is-right")).to_have_count(4)
    shown = page.frame(url=lambda url: "/replay/frame/" in url).evaluate(FRAME_CARDS)
    assert shown == {name: {"position": at, "right": True} for name, at in PLACED.items()}
    types = page.locator(".replay-types")
    types.locator("summary").click()
    expect(types.get_by_role("row", name="card_placed")).to_contain_text("4")
    expect(types.get_by_role("row", name="answer_checked")).to_contain_text("1")
