"""A teacher replays a recorded session in a real browser.

The session's events went in through the real ingestion API and a real project run found them.
The test opens the replay page, plays, seeks with the seek bar, clicks an event on the timeline,
steps with the keyboard, and each time checks that the widget in the playback frame shows what
the widget's own reducer gives for that moment (computed in the browser from the same modules),
and that the seek bar, the playhead and the widget agree on the moment.
"""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.collector.helpers import now_ms
from tests.factories import LearnerIdentityFactory
from tests.support.replays import (
    DAY,
    class_project,
    record_sessions,
    replay_url,
    resumed_session,
    send,
    stored,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

# In the playback frame: the state TEI001's reducer gives at absolute time `t` (the same
# timeline.js and reducer.js the widget runs), and what the widget shows, both reduced to what
# a teacher sees of the current item: its number, which cards are on the line and where, each
# card's verdict, and the tries used.
FRAME_STATES = """async ([events, t]) => {
  const { createTimeline } = await import("/static/widgets/timeline.js");
  const reducer = await import("/static/widgets/TEI001/reducer.js");
  const state = createTimeline(reducer, events).stateAt(t);
  const itemShown = Number(/Item (\\d+) of \\d+:/.exec(document.body.innerText)?.[1] ?? 0);
  if (state.item === 0) return { expected: { item: 0 }, shown: { item: itemShown } };

  const progress = state.items[state.item - 1];
  const expected = {
    item: state.item,
    cards: Object.fromEntries(reducer.ITEMS[state.item - 1].cards.map((card) => [card, {
      position: Object.hasOwn(progress.placements, card) ? progress.placements[card] : null,
      verdict: progress.feedback[card] ?? null,
    }])),
    tries: progress.attempts,
  };

  // Where the view put each card: its left edge is in its transform, the line's ends in the axis.
  const axis = document.querySelector(".tei-axis");
  const x0 = parseFloat(axis.style.left);
  const width = parseFloat(axis.style.width);
  const cards = {};
  for (const button of document.querySelectorAll(".tei-card[data-card]")) {
    const x = parseFloat(/translate\\(([-\\d.]+)px/.exec(button.style.transform)[1]);
    const centre = x + button.offsetWidth / 2;
    const verdicts = ["right", "close", "wrong"];
    cards[button.dataset.card] = {
      position: button.classList.contains("is-on-line")
        ? Math.round(((centre - x0) / width) * reducer.MAX_POSITION)
        : null,
      verdict: verdicts.find((v) => button.classList.contains(`is-${v}`)) ?? null,
    };
  }
  const tries = document.querySelectorAll(".tei-dot.is-used").length;
  return { expected, shown: { item: itemShown, cards, tries } };
}"""

# Pixel position of event `index`'s mark on the timeline, from plotly's own axes.
EVENT_POINT = """(index) => {
  const chart = document.getElementById("replay-chart");
  const trace = chart._fullData.find((t) => Array.from(t.customdata).includes(index));
  const k = Array.from(trace.customdata).indexOf(index);
  const xa = chart._fullLayout.xaxis, ya = chart._fullLayout.yaxis;
  const box = chart.querySelector(".nsewdrag").getBoundingClientRect();
  return { x: box.left + xa.l2p(trace.x[k]), y: box.top + ya.l2p(trace.y[k]) };
}"""


@pytest.fixture
def project(client, teacher, django_capture_on_commit_callbacks):
    """Ada's and Grace's TEI001 sessions (tests/support/replays.py), in the teacher's project."""
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


def agreed_moment(page) -> dict:
    """Waits until the widget has shown the page's current moment; returns that moment."""
    page.wait_for_function(
        """() => {
          const root = document.getElementById("replay");
          const frame = document.getElementById("replay-frame");
          const t = window.pathlensReplay.absolute(Number(root.dataset.current));
          return !window.pathlensReplay.playing && root.dataset.t === String(t)
            && frame.dataset.shownT === String(t);
        }"""
    )
    return page.evaluate(
        """() => {
          const root = document.getElementById("replay");
          const chart = document.getElementById("replay-chart");
          const playhead = document.getElementById("replay-playhead");
          const current = Number(root.dataset.current);
          // Where plotly's own x axis puts this moment, and where the playhead is drawn.
          const full = chart._fullLayout;
          const axisPx = full._size.l + full.xaxis.l2p(current / full.meta.unit);
          return {
            current,
            index: Number(root.dataset.index),
            t: window.pathlensReplay.absolute(current),
            seek: Number(document.getElementById("replay-seek").value),
            playhead: Number(playhead.dataset.at),
            playheadPx: Number(/translateX\\(([-\\d.]+)px\\)/.exec(playhead.style.transform)[1]),
            axisPx,
            shownIndex: Number(document.getElementById("replay-frame").dataset.shownIndex),
          };
        }"""
    )


def check_widget_shows_the_reducers_state(page, moment: dict) -> dict:
    assert moment["seek"] == pytest.approx(moment["current"])
    assert moment["playhead"] == pytest.approx(moment["current"])
    assert moment["playheadPx"] == pytest.approx(moment["axisPx"], abs=0.5)
    assert moment["shownIndex"] == moment["index"]
    events = page.evaluate("() => window.pathlensReplay.events")
    frame = page.frame_locator("#replay-frame")
    expect(frame.locator("#widget-root")).to_have_attribute("data-widget-ready", "true")
    states = page.frame(url=lambda url: "/replay/frame/" in url).evaluate(
        FRAME_STATES, [events, moment["t"]]
    )
    assert states["shown"] == states["expected"]
    return states["expected"]


def current(page) -> float:
    return float(page.locator("#replay").get_attribute("data-current"))


def test_a_teacher_plays_seeks_and_clicks_the_timeline_and_the_widget_follows(
    page, live_server, teacher, project
):
    session = stored("ada-2")
    sign_in(page, live_server, teacher)
    page.goto(replay_url(session))
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    assert page.locator("#replay-chart").get_attribute("data-state") == "drawn"
    moment = agreed_moment(page)
    assert (moment["current"], moment["index"]) == (0, 0)
    assert check_widget_shows_the_reducers_state(page, moment) == {"item": 0}

    # Play at 8×, to the end: the 30 s without activity before the check is skipped.
    page.get_by_text("8×", exact=True).click()
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.wait_for_function("() => Number(document.getElementById('replay').dataset.current) > 0")
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=10_000)
    moment = agreed_moment(page)
    assert moment["current"] == 42_000
    assert moment["index"] == 12
    assert float(page.locator("#replay").get_attribute("data-skipped")) > 25_000
    end = check_widget_shows_the_reducers_state(page, moment)
    assert end["tries"] == 1
    assert end["cards"]["1/2"]["verdict"] == "close"  # one tick off

    # The seek bar: a click a fifth of the way along lands among the card moves.
    bar = page.locator("#replay-seek").bounding_box()
    page.mouse.click(bar["x"] + bar["width"] * 0.2, bar["y"] + bar["height"] / 2)
    # Before the click lands, the end (42 s) is an agreed moment too: wait for the seek first.
    page.wait_for_function(
        "() => Number(document.getElementById('replay').dataset.current) < 42000"
    )
    moment = agreed_moment(page)
    assert 6_000 < moment["current"] < 11_000
    middle = check_widget_shows_the_reducers_state(page, moment)
    assert middle["tries"] == 0
    assert middle["cards"]["1/2"]["position"] in (6, 9)

    # A click on a mark of the timeline: the third card placed (event 4 of 13).
    page.locator("#replay-chart").scroll_into_view_if_needed()
    point = page.evaluate(EVENT_POINT, 4)
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("() => document.getElementById('replay').dataset.index === '4'")
    moment = agreed_moment(page)
    assert moment["current"] == 4_000
    placed = check_widget_shows_the_reducers_state(page, moment)
    assert [card for card, c in placed["cards"].items() if c["position"] is not None] == [
        "1/4", "1/2", "3/4",
    ]  # fmt: skip
    expect(page.locator("#replay-now-event")).to_have_text("Placed 3/4 at ¾ — right place")
    expect(page.locator("#replay-now-data")).to_have_text(
        "Placed a card · event 5 of 13 · at 0:04.0"
    )

    # The keyboard: the next event, announced.
    page.locator("#replay-now-heading").click()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('replay').dataset.index === '5'")
    check_widget_shows_the_reducers_state(page, agreed_moment(page))
    expect(page.locator("#replay-announcer")).to_have_text(
        "Event 6 of 13 at 0:05.0: Placed 5/4 at 1¼ — right place."
    )

    # The link to this moment opens the page there.
    link = page.locator("#replay-link")
    expect(link).to_have_attribute("href", f"{replay_url(session)}?t=5")
    link.click()
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    moment = agreed_moment(page)
    assert (moment["current"], moment["index"]) == (5_000, 5)
    check_widget_shows_the_reducers_state(page, moment)

    # Shortcuts work while the widget has the focus too.
    page.frame_locator("#replay-frame").locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("End")
    page.wait_for_function("() => document.getElementById('replay').dataset.index === '12'")
    check_widget_shows_the_reducers_state(page, agreed_moment(page))


# Every text the clock and the sitting line show while playing, as the page writes them.
WATCH_CLOCK = """() => {
  window.clockTexts = [];
  window.sittingTexts = [];
  const watch = (id, into) => new MutationObserver(() => {
    into.push(document.getElementById(id).textContent);
  }).observe(document.getElementById(id), { childList: true, characterData: true, subtree: true });
  watch("replay-clock", window.clockTexts);
  watch("replay-now-time", window.clockTexts);
  watch("replay-now-sitting", window.sittingTexts);
}"""


@pytest.fixture
def resumed(client, teacher, django_capture_on_commit_callbacks):
    """Ada's TEI001 session of two 12-minute sittings two days apart, in the teacher's project."""
    ada = LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")
    send(client, ada, resumed_session("resumed", now_ms() - 3 * DAY))
    teacher_client = Client()
    teacher_client.force_login(teacher)
    class_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    return stored("resumed")


def minutes(clock: str) -> float:
    """ "12:01.0" → 12.0; a clock past an hour ("1:02:05.3") has three parts."""
    parts = clock.split(":")
    assert len(parts) == 2, f"the clock read {clock!r}, past an hour"
    return int(parts[0]) + float(parts[1]) / 60


def test_a_session_resumed_two_days_later_plays_over_the_gap_in_minutes(
    page, live_server, teacher, resumed
):
    sign_in(page, live_server, teacher)
    page.goto(replay_url(resumed))
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    header = page.locator(".replay-measures")
    expect(header).to_contain_text("10 min 11 s active")
    expect(header).to_contain_text("2 sittings")
    expect(page.locator("#replay-clock")).to_have_text("0:00.0 / 24:01.0")
    expect(page.locator("#replay-now-sitting")).to_have_text("Sitting 1 of 2")
    expect(page.locator("#replay-chart")).to_contain_text("2 days later")

    # Play at 8× to the end: over the gap, which plays as a one-second pause.
    page.evaluate(WATCH_CLOCK)
    page.get_by_text("8×", exact=True).click()
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.wait_for_function("() => document.getElementById('replay').dataset.sitting === '2'")
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=10_000)
    moment = agreed_moment(page)
    assert moment["current"] == 1_441_000  # 12 min + 1 s + 12 min
    assert moment["index"] == 7
    end = check_widget_shows_the_reducers_state(page, moment)
    assert end["tries"] == 1
    assert {c["verdict"] for c in end["cards"].values()} == {"right"}

    clocks = page.evaluate("() => window.clockTexts")
    assert clocks, "the clock never moved"
    for text in clocks:
        for reading in text.split(" / "):
            assert minutes(reading) <= 24.1, text
    sittings = page.evaluate("() => window.sittingTexts")
    assert "Sitting 2 of 2, 2 days later" in sittings
    expect(page.locator("#replay-clock")).to_have_text("24:01.0 / 24:01.0")

    # A link into the pause that stands for the gap: the widget shows the first sitting's end.
    page.goto(replay_url(resumed, "?t=720.5"))
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    expect(page.locator("#replay-now-sitting")).to_have_text(
        "Between sittings 1 and 2: the learner came back 2 days later"
    )
    moment = agreed_moment(page)
    assert moment["current"] == 720_500
    assert moment["index"] == 4
    between = check_widget_shows_the_reducers_state(page, moment)
    assert [card for card, c in between["cards"].items() if c["position"] is not None] == [
        "1/4", "1/2", "3/4",
    ]  # fmt: skip

    # The next event is the first of the second sitting, and says so.
    page.locator("#replay-now-heading").click()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('replay').dataset.index === '5'")
    moment = agreed_moment(page)
    assert moment["current"] == 721_000
    check_widget_shows_the_reducers_state(page, moment)
    expect(page.locator("#replay-announcer")).to_have_text(
        "Event 6 of 8 at 12:01.0 in sitting 2: Came back to the activity."
    )
    expect(page.locator("#replay-now-sitting")).to_have_text("Sitting 2 of 2, 2 days later")
