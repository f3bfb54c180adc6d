"""How the replay page sits on a screen, and whether a teacher can read it.

At 1366×900 the widget and the timeline share the screen (both inside the viewport without
scrolling); at 390 px nothing overflows sideways and the playhead's event stays in view; every
text a teacher reads, the timeline's hover text included, has WCAG AA contrast (≥ 4.5:1), read
from the browser's computed colours.
"""

from __future__ import annotations

import os
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.factories import LearnerIdentityFactory
from tests.support.replays import class_project, record_sessions, replay_url, stored

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

SHOTS = os.environ.get("REPLAY_SCREENSHOTS")  # a folder: save what the tests saw, to look at


@pytest.fixture
def project(client, teacher, django_capture_on_commit_callbacks):
    ada = LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")
    grace = LearnerIdentityFactory(real_id="S-2002", display_name="Grace Hopper")
    record_sessions(client, ada, grace)
    teacher_client = Client()
    teacher_client.force_login(teacher)
    return class_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def open_replay(page, live_server, teacher, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server, teacher)
    page.goto(replay_url(stored("ada-2")))
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    expect(page.frame_locator("#replay-frame").locator("#widget-root")).to_have_attribute(
        "data-widget-ready", "true"
    )
    # The frame has taken its widget's height (the page sizes the iframe to the widget).
    expect(page.locator("#replay-frame")).to_have_attribute("data-sized", re.compile(r"^\d+$"))
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/replay-{width}.png", full_page=True)


def box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def inside(inner: dict, width: int, height: int) -> bool:
    return (
        inner["x"] >= 0
        and inner["y"] >= 0
        and inner["x"] + inner["width"] <= width + 0.5
        and inner["y"] + inner["height"] <= height + 0.5
    )


def test_it_shows_the_widget_beside_the_timeline_without_scrolling_at_1366_by_900(
    page, live_server, teacher, project
):
    open_replay(page, live_server, teacher, 1366, 900)
    assert page.evaluate("() => window.scrollY") == 0
    frame, chart, now = (
        box(page, "#replay-frame"),
        box(page, "#replay-chart"),
        box(page, ".replay-now"),
    )
    assert inside(frame, 1366, 900), frame
    assert inside(chart, 1366, 900), chart
    assert inside(now, 1366, 900), now
    assert inside(box(page, "#replay-seek"), 1366, 900)
    # Beside, not below: the timeline starts right of the widget.
    assert chart["x"] >= frame["x"] + frame["width"]


def test_it_keeps_390_px_without_horizontal_overflow(page, live_server, teacher, project):
    open_replay(page, live_server, teacher, 390, 844)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    # The axis title is drawn whole, inside the chart.
    title = page.locator("#replay-chart .xtitle").bounding_box()
    chart = box(page, "#replay-chart")
    assert title["x"] >= chart["x"] - 0.5
    assert title["x"] + title["width"] <= chart["x"] + chart["width"] + 0.5
    # plotly's toolbar does not sit on the top row of marks.
    bar = page.locator("#replay-chart .modebar")
    if bar.count():
        modebar = bar.bounding_box()
        plot = page.locator("#replay-chart .nsewdrag").bounding_box()
        assert modebar["y"] + modebar["height"] <= plot["y"] + 0.5
    # The event the playhead is at stays in view under the widget: the "now" panel follows it.
    assert inside(box(page, "#replay-now-event"), 390, 844)


# WCAG relative luminance and contrast of two CSS colours, computed in the page.
CONTRAST = """([fg, bg]) => {
  const parse = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(parse(fg)), lum(parse(bg))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_it_gives_the_timelines_hover_text_readable_contrast(page, live_server, teacher, project):
    open_replay(page, live_server, teacher, 1366, 900)
    point = page.evaluate(
        """() => {
          const chart = document.getElementById("replay-chart");
          const trace = chart._fullData[2];
          const xa = chart._fullLayout.xaxis, ya = chart._fullLayout.yaxis;
          const box = chart.querySelector(".nsewdrag").getBoundingClientRect();
          return { x: box.left + xa.l2p(trace.x[0]), y: box.top + ya.l2p(trace.y[0]) };
        }"""
    )
    page.mouse.move(point["x"], point["y"])
    label = page.locator("#replay-chart .hoverlayer .hovertext")
    expect(label).to_have_count(1)
    colours = label.evaluate(
        """(g) => ({
          text: getComputedStyle(g.querySelector("text")).fill,
          background: getComputedStyle(g.querySelector("path")).fill,
        })"""
    )
    assert page.evaluate(CONTRAST, [colours["text"], colours["background"]]) >= 4.5, colours
    # Every text on the page outside the chart: its colour against white (the cards' paper).
    worst = page.evaluate(
        """(contrast) => {
          let worst = null;
          for (const el of document.querySelectorAll("#replay *")) {
            if (el.closest("svg") || !el.childNodes.length) continue;
            const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
            if (!own || el.closest("[hidden]") || el.getClientRects().length === 0) continue;
            const style = getComputedStyle(el);
            if (style.visibility === "hidden" || el.closest(".visually-hidden")) continue;
            let bg = "rgb(255, 255, 255)";
            for (let p = el; p; p = p.parentElement) {
              const c = getComputedStyle(p).backgroundColor;
              if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") { bg = c; break; }
            }
            worst = worst ?? [];
            const text = el.textContent.trim().slice(0, 40);
            worst.push({ text, fg: style.color, bg, opacity: style.opacity });
          }
          return worst;
        }""",
        CONTRAST,
    )
    low = [
        item
        for item in worst
        if item["opacity"] == "1" and page.evaluate(CONTRAST, [item["fg"], item["bg"]]) < 4.5
    ]
    assert low == [], low


def test_it_names_every_row_hover_and_moment_in_plain_words(page, live_server, teacher, project):
    open_replay(page, live_server, teacher, 1366, 900)
    rows = page.locator("#replay-chart .ytick text").all_text_contents()
    assert rows == [
        "Opened the activity", "Started an item", "Placed a card", "Moved a card",
        "Checked the answer",
    ]  # fmt: skip
    # Hover over the first card placed: its sentence, built from its data.
    point = page.evaluate(
        """() => {
          const chart = document.getElementById("replay-chart");
          const trace = chart._fullData[2];
          const xa = chart._fullLayout.xaxis, ya = chart._fullLayout.yaxis;
          const box = chart.querySelector(".nsewdrag").getBoundingClientRect();
          return { x: box.left + xa.l2p(trace.x[0]), y: box.top + ya.l2p(trace.y[0]) };
        }"""
    )
    page.mouse.move(point["x"], point["y"])
    expect(page.locator("#replay-chart .hoverlayer .hovertext")).to_contain_text(
        "Placed 1/4 at ¼ — right place"
    )
    # The last event, in the "now" panel; the raw type stays in the details.
    page.locator("#replay-now-heading").click()
    page.keyboard.press("End")
    expect(page.locator("#replay-now-event")).to_have_text(
        "Checked item 1 (try 1): 3 of 4 cards right"
    )
    page.get_by_text("Details as recorded").click()
    expect(page.locator("#replay-now-raw")).to_contain_text("answer_checked · item 1 · attempt 1")
    # The table of types: the words first, the recorded type beside them.
    page.get_by_text("Event types in this session").click()
    expect(page.locator(".replay-types tbody th").nth(2)).to_have_text("Placed a card card_placed")
