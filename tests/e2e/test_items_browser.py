"""Item analysis in a real browser: from the class page to an item, to a recurring wrong answer,
to the replay at the moment one learner gave it; the charts drawn; a phone without sideways
scrolling."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from projects.models import RunSession
from tests.collector.helpers import now_ms
from tests.factories import LearnerIdentityFactory
from tests.projects.test_items import class_with_overview, tei_below_one
from tests.replay.conftest import send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


@pytest.fixture
def seven_b(client, teacher):
    """Ada and Grace both put 5/4 below 1 on their first check, then got item 1 right."""
    ada = LearnerIdentityFactory(real_id="S-5001", display_name="Ada Lovelace")
    grace = LearnerIdentityFactory(real_id="S-5002", display_name="Grace Hopper")
    start = now_ms() - 3_600_000
    events = tei_below_one("ada-1", start)
    send(client, ada, events)
    send(client, grace, tei_below_one("grace-1", start + 60_000))
    school_class = class_with_overview(teacher, [ada, grace])
    first_check = events[6]["t"]
    return {"class": school_class, "start": start, "first_check": first_check}


def sign_in(page, live_server, teacher) -> None:
    client = Client()
    client.force_login(teacher)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_from_the_class_page_to_the_replay_of_a_recurring_wrong_answer(
    page, live_server, teacher, seven_b
):
    sign_in(page, live_server, teacher)
    page.goto(f"/teacher/classes/{seven_b['class'].pk}/")
    panel = page.locator("#items-TEI001")
    expect(panel.locator("[data-items-chart]")).to_have_attribute("data-state", "drawn")
    item = panel.locator("details.item-details").first
    expect(item.locator("summary")).to_contain_text("Item 1: 0 of 2 solved on the first try")
    item.locator("summary").click()
    answer = item.locator(".wrong-answers li", has_text="5/4 at ½")
    expect(answer).to_contain_text("2 learners")
    answer.get_by_role("link").click()
    page.wait_for_url("**/sessions/*/?at=*")
    replay = page.locator("#replay")
    expect(replay).to_have_attribute("data-state", "ready")
    # The example is the earliest one, Ada's, at her first check: one sitting, so play time is
    # the offset from the session's first event.
    session = RunSession.objects.get(session="ada-1")
    assert f"/sessions/{session.pk}/" in page.url
    moment = seven_b["first_check"] - seven_b["start"]
    expect(replay).to_have_attribute("data-current", str(moment))


def test_the_panel_fits_a_phone(page, live_server, teacher, seven_b):
    sign_in(page, live_server, teacher)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/teacher/classes/{seven_b['class'].pk}/")
    expect(page.locator("#items-TEI001 [data-items-chart]")).to_have_attribute(
        "data-state", "drawn"
    )
    page.locator("#items-TEI001 details.item-details summary").first.click()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    misconception = page.locator("#items-TEI001 .misconceptions li").first
    expect(misconception).to_contain_text("Puts a fraction bigger than 1 below 1")
