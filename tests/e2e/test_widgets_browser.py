"""A learner plays each widget in a real browser; the events arrive in the collector, in order,
under the page's session, and a reload in the middle of a session loses none of them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from collector.models import Event, QuarantinedEvent
from tests.e2e.conftest import sign_in_as_learner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]

TITLES = {
    "TEI001": "Fractions on a number line",
    "chernoff_tutorial": "Chernoff faces tutorial",
    "BLL002": "Balance lever lab",
}


def wait_until(condition: Callable[[], object], *, timeout: float = 20.0, what: str = "") -> object:
    """Polls `condition` (here: the collector's database) until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout:.0f} s: {what}")
        time.sleep(0.05)


def open_widget(page, widget: str) -> dict:
    # Leaving a page that still loads its icon would abort that request (a reported problem).
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=TITLES[widget]).click()
    page.wait_for_url(f"**/learn/{widget}/")
    page.locator('#widget-root[data-widget-ready="true"]').wait_for()
    return json.loads(page.locator("#widget-config").text_content())


def recorded(learner, session: str) -> list[tuple[str, dict]]:
    events = Event.objects.filter(learner=learner.opaque_id, session=session).order_by("t", "seq")
    return [(event.type, event.data) for event in events]


def wait_for_types(learner, session: str, types: list[str]) -> list[tuple[str, dict]]:
    return wait_until(
        lambda: (found := recorded(learner, session)) and [t for t, _ in found] == types and found,
        what=f"events {types} in session {session}; have {recorded(learner, session)}",
    )


def place_with_keyboard(page, card: str, ticks: int) -> None:
    """Tab-free version of the widget's keyboard instructions: focus, arrows, Enter."""
    button = page.get_by_role("button", name=f"Card {card},")
    button.focus()
    button.press("ArrowRight")  # picks the card up, at 0
    for _ in range(ticks):
        button.press("ArrowRight")
    button.press("Enter")
    page.get_by_role("button", name=f"Card {card}, on the line").wait_for()


def place_with_taps(page, card: str, position: int) -> None:
    """Tap the card, then tap its spot on the number line (position in twelfths, 0–24)."""
    page.get_by_role("button", name=f"Card {card},").click()
    line = page.locator(".tei-axis").bounding_box()
    page.mouse.click(line["x"] + line["width"] * position / 24, line["y"] - 12)
    page.get_by_role("button", name=f"Card {card}, on the line").wait_for()


def test_a_learner_places_fraction_cards_and_checks(page, learner):
    sign_in_as_learner(page, "Ada Lovelace")
    config = open_widget(page, "TEI001")
    page.get_by_role("button", name="Start").click()
    place_with_taps(page, "1/2", 6)
    place_with_keyboard(page, "1/4", 1)  # quarters: one tick is 3 twelfths
    place_with_keyboard(page, "3/4", 3)
    place_with_keyboard(page, "5/4", 5)
    page.get_by_role("button", name="Check").click()
    page.get_by_text("Every card is in the right place. Well done!").wait_for()

    events = wait_for_types(
        learner,
        config["session"],
        [
            "session_started",
            "item_started",
            *["card_placed"] * 4,
            "answer_checked",
            "item_completed",
        ],
    )
    placed = {data["card"]: data["position"] for kind, data in events if kind == "card_placed"}
    assert placed == {"1/2": 6, "1/4": 3, "3/4": 9, "5/4": 15}
    assert events[-2][1] == {"item": 1, "attempt": 1, "correct_cards": ["1/4", "1/2", "3/4", "5/4"]}
    assert events[-1][1] == {"item": 1, "correct": True}


def test_a_learner_moves_sliders_through_the_chernoff_tutorial(page, learner):
    sign_in_as_learner(page, "Ada Lovelace")
    config = open_widget(page, "chernoff_tutorial")
    page.get_by_role("button", name="Next →").click()
    step = page.locator('section[data-step="explore_size"]')
    step.get_by_role("heading", name="Size: population and rainfall").wait_for()

    population = step.get_by_label("Population")
    population.focus()
    population.press("ArrowRight")  # a keyboard step: sent once the learner pauses
    step.locator('li[data-feature="population"].is-done').wait_for()
    rainfall = step.get_by_role("slider", name="Rainfall")
    box = rainfall.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)  # a click
    step.locator('li[data-feature="rainfall"].is-done').wait_for()
    page.get_by_role("button", name="Next →").click()
    page.locator('section[data-step="explore_mood"]').get_by_role("heading").wait_for()

    events = wait_for_types(
        learner,
        config["session"],
        [
            "session_started",
            "step_completed",
            "step_viewed",
            "slider_changed",
            "slider_changed",
            "step_completed",
            "step_viewed",
        ],
    )
    assert events[3][1] == {"step": "explore_size", "feature": "population", "value": 11}
    assert events[4][1]["feature"] == "rainfall" and events[4][1]["value"] > 2000
    assert events[5][1] == {"step": "explore_size"}
    assert events[6][1] == {"step": "explore_mood"}


def test_a_learner_predicts_and_lets_go_of_the_lever(page, learner):
    sign_in_as_learner(page, "Ada Lovelace")
    config = open_widget(page, "BLL002")
    page.get_by_role("button", name="Start the first challenge").click()
    page.get_by_role("radio", name="Tips left").check()
    page.get_by_role("button", name="Let go!").click()
    page.get_by_role("button", name="Next challenge →").click()
    page.get_by_text("Light and far, heavy and near").first.wait_for()

    events = wait_for_types(
        learner,
        config["session"],
        [
            "session_started",
            "challenge_started",
            "prediction_made",
            "released",
            "challenge_completed",
            "challenge_started",
        ],
    )
    assert events[2][1] == {"answer": "left"}
    assert events[3][1] == {"outcome": "left"}
    assert events[4][1] == {"challenge": 1, "correct": True}
    assert events[5][1] == {"challenge": 2}


def test_events_logged_just_before_a_reload_arrive(page, learner, page_problems):
    page_problems.allow("net::ERR_ABORTED")  # the reload cuts the first page's image loads short
    sign_in_as_learner(page, "Ada Lovelace")
    config = open_widget(page, "TEI001")
    page.get_by_role("button", name="Start").click()
    place_with_keyboard(page, "1/4", 1)
    place_with_keyboard(page, "1/2", 2)
    page.reload()  # at once: the logger had no time to send the last events the usual way
    page.locator('#widget-root[data-widget-ready="true"]').wait_for()

    wait_for_types(
        learner,
        config["session"],
        ["session_started", "item_started", "card_placed", "card_placed"],
    )


def test_a_reload_while_the_collector_is_unreachable_loses_no_event(page, learner, page_problems):
    page_problems.allow("/api/v1/events")  # the requests blocked below, on purpose
    page_problems.allow("ERR_BLOCKED_BY_CLIENT")
    page_problems.allow("net::ERR_ABORTED")
    # A page's last-moment (keepalive) requests may never leave: the browser kills the tab, or
    # refuses them over its 64 KiB budget. Here they never do, so only the outbox can save the day.
    page.add_init_script(
        """{
          const fetch = window.fetch.bind(window);
          window.fetch = (url, options) => options && options.keepalive
            ? Promise.reject(new TypeError("keepalive request dropped (test)"))
            : fetch(url, options);
        }"""
    )
    sign_in_as_learner(page, "Ada Lovelace")
    config = open_widget(page, "TEI001")
    session = config["session"]
    page.get_by_role("button", name="Start").click()
    place_with_keyboard(page, "1/4", 1)
    wait_for_types(learner, session, ["session_started", "item_started", "card_placed"])

    # The collector becomes unreachable: what the learner does now waits in the logger's outbox
    # (localStorage). Blocked in the browser's own network layer.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send("Network.setBlockedURLs", {"urls": ["*/api/v1/events*"]})
    place_with_keyboard(page, "1/2", 2)
    place_with_keyboard(page, "3/4", 3)
    outbox_key = f"pathlens:outbox:TEI001:{session}"
    waiting = page.evaluate(f"JSON.parse(localStorage.getItem('{outbox_key}')).events")
    assert [event["data"]["card"] for event in waiting] == ["1/2", "3/4"]

    page.reload()
    page.locator('#widget-root[data-widget-ready="true"]').wait_for()
    assert json.loads(page.locator("#widget-config").text_content())["session"] != session
    assert page.evaluate(f"localStorage.getItem('{outbox_key}') !== null")
    assert len(recorded(learner, session)) == 3  # nothing got through yet

    # Reachable again (and the browser says so): the new page sends what the old one left.
    network.send("Network.setBlockedURLs", {"urls": []})
    page.evaluate("window.dispatchEvent(new Event('online'))")
    events = wait_for_types(
        learner,
        session,
        ["session_started", "item_started", "card_placed", "card_placed", "card_placed"],
    )
    assert [data["card"] for kind, data in events if kind == "card_placed"] == ["1/4", "1/2", "3/4"]
    stored = {str(event_id) for event_id in Event.objects.values_list("event_id", flat=True)}
    assert {event["id"] for event in waiting} <= stored
    page.wait_for_function(f"localStorage.getItem('{outbox_key}') === null")


def test_a_reload_of_the_lever_lab_continues_the_same_session(page, learner, page_problems):
    page_problems.allow("net::ERR_ABORTED")  # the reload cuts the first page's image loads short
    sign_in_as_learner(page, "Ada Lovelace")
    config = open_widget(page, "BLL002")
    page.get_by_role("button", name="Start the first challenge").click()
    page.get_by_role("radio", name="Balances").check()
    wait_for_types(
        learner, config["session"], ["session_started", "challenge_started", "prediction_made"]
    )

    page.reload()
    page.locator('#widget-root[data-widget-ready="true"]').wait_for()
    again = json.loads(page.locator("#widget-config").text_content())
    assert again["session"] == config["session"]
    assert page.get_by_role("radio", name="Balances").is_checked()  # rebuilt from the history
    page.get_by_role("radio", name="Tips left").check()
    wait_for_types(
        learner,
        config["session"],
        [
            "session_started",
            "challenge_started",
            "prediction_made",
            "session_resumed",
            "prediction_made",
        ],
    )


def test_reopening_a_finished_lever_lab_shows_it_finished_and_keeps_it_completed(
    page, learner, page_problems
):
    """A finished resume-mode session reopened is looked at, not resumed: no session_resumed is
    sent, so the teacher still sees it completed."""
    from collector.client import get_client
    from collector.models import Session
    from dashboard.models import WidgetOpening

    fixture = Path(__file__).parents[1] / "widgets" / "fixtures" / "bll002_session.json"
    events = json.loads(fixture.read_text())
    session = events[0]["session"]
    client = get_client()
    client.ingest_events(client.issue_learner_token(learner.opaque_id), events)
    WidgetOpening.objects.create(learner=learner, widget="BLL002", session=session)
    stored = Session.objects.get(learner=learner.opaque_id, session=session)
    assert stored.status == "completed"

    sign_in_as_learner(page, "Ada Lovelace")
    sent = []
    page.on(
        "request", lambda r: r.method == "POST" and "/api/v1/events" in r.url and sent.append(r)
    )
    config = open_widget(page, "BLL002")
    assert config["session"] == session
    page.get_by_role("heading", name="All challenges done!").wait_for()
    # The logger sends within 500 ms of an event; three times that without a send means none.
    page.wait_for_timeout(1500)
    assert sent == []
    assert [t for t, _ in recorded(learner, session)] == [e["type"] for e in events]
    stored.refresh_from_db()
    assert stored.status == "completed"


def test_a_lever_lab_reloaded_offline_shows_the_work_not_yet_sent(page, learner, page_problems):
    """The server's history of a resumed session lacks what the last page could not send; the
    reloaded page folds those waiting events in too, so the learner sees all their work."""
    page_problems.allow("/api/v1/events")  # the requests blocked below, on purpose
    page_problems.allow("ERR_BLOCKED_BY_CLIENT")
    page_problems.allow("net::ERR_ABORTED")
    sign_in_as_learner(page, "Ada Lovelace")
    config = open_widget(page, "BLL002")
    session = config["session"]
    page.get_by_role("button", name="Start the first challenge").click()
    wait_for_types(learner, session, ["session_started", "challenge_started"])

    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send("Network.setBlockedURLs", {"urls": ["*/api/v1/events*"]})
    page.get_by_role("radio", name="Tips right").check()
    page.reload()
    page.locator('#widget-root[data-widget-ready="true"]').wait_for()
    assert json.loads(page.locator("#widget-config").text_content())["session"] == session
    assert page.get_by_role("radio", name="Tips right").is_checked()

    network.send("Network.setBlockedURLs", {"urls": []})
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for_types(
        learner,
        session,
        ["session_started", "challenge_started", "prediction_made", "session_resumed"],
    )


def test_the_valid_events_of_a_batch_with_one_invalid_arrive_and_the_invalid_one_is_kept_aside(
    page, learner, page_problems
):
    """The issue's case through the real logger and server: four events in one batch, the third
    against its widget's schema. The three valid ones are stored, the fourth is quarantined, and
    nothing is sent again."""
    sign_in_as_learner(page, "Ada Lovelace")
    open_widget(page, "TEI001")
    outcome = page.evaluate(
        """async () => {
          const config = JSON.parse(document.getElementById("widget-config").textContent);
          const { createLogger } = await import("/static/collector/logger.js");
          const warnings = [];
          const warn = console.warn;
          console.warn = (message) => warnings.push(String(message));
          const statuses = [];
          const logger = createLogger({
            endpoint: config.endpoint, token: config.token, widget: "TEI001",
            session: "e2e-one-invalid", storage: null,
          });
          logger.onStatus((status) => statuses.push(status));
          logger.log("session_started", {});
          logger.log("item_started", { item: 1 });
          logger.log("card_placed", { item: 1, card: 7, position: 3 });  // card: not a fraction
          logger.log("card_placed", { item: 1, card: "1/4", position: 3 });
          await logger.flush();
          console.warn = warn;
          return { statuses, warnings, pending: logger.pending().length };
        }"""
    )
    assert outcome["pending"] == 0
    assert outcome["statuses"][-1] == "rejected"
    assert "stored 3 event(s) and refused 1" in outcome["warnings"][0]
    events = wait_for_types(
        learner, "e2e-one-invalid", ["session_started", "item_started", "card_placed"]
    )
    assert events[2][1] == {"item": 1, "card": "1/4", "position": 3}
    kept = QuarantinedEvent.objects.get(learner=learner.opaque_id)
    assert (kept.session, kept.widget) == ("e2e-one-invalid", "TEI001")
    assert '"card": 7' in kept.raw
