"""The teacher's home page in a real browser, with a real Celery worker: the demo teacher's class,
a learner flagged for three wrong tries, and one click from the flag to that moment in the replay.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.collector.helpers import now_ms
from tests.factories import LearnerIdentityFactory, SchoolClassFactory, UserFactory
from tests.support.replays import SECOND, send, tei_event, tei_session
from tests.support.worker import running_worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


@pytest.fixture
def demo_class(client):
    """The demo teacher's 7B: Ada checked item 1 three times, wrong each time, an hour ago."""
    teacher = UserFactory(username="demo-teacher", is_demo=True, first_name="Demo")
    ada = LearnerIdentityFactory(real_id="S-3001", display_name="Ada Lovelace")
    grace = LearnerIdentityFactory(real_id="S-3002", display_name="Grace Hopper")
    seven_b = SchoolClassFactory(name="7B", owner=teacher)
    seven_b.learners.add(ada, grace)
    start = now_ms() - 3_600_000
    events = tei_session("ada-1", start)
    last = events[-1]["t"]
    third_check = last + 20 * SECOND
    events += [
        tei_event("ada-1", last + 10 * SECOND, "answer_checked", item=1, attempt=2,
                  correct_cards=["1/4", "3/4", "5/4"]),
        tei_event("ada-1", third_check, "answer_checked", item=1, attempt=3,
                  correct_cards=["1/4", "3/4", "5/4"]),
    ]  # fmt: skip
    send(client, ada, events)
    send(client, grace, tei_session("grace-1", start + 60 * SECOND))
    return {"class": seven_b, "start": start, "third_check": third_check}


def test_a_flag_on_the_home_page_opens_the_replay_at_its_moment(page, demo_class):
    with running_worker():
        page.goto("/")
        page.get_by_role("button", name="Try the demo as a teacher").click()
        page.wait_for_url("**/teacher/")
        expect(page.get_by_role("heading", name="7B")).to_be_visible()
        flag = page.get_by_role("link", name="Ada Lovelace — 3 wrong tries on item 1")
        expect(flag).to_be_visible(timeout=90_000)  # the card polls until its overview is in
    grid = page.locator(".progress-grid")
    expect(grid).to_contain_text("Grace Hopper")
    expect(grid).to_contain_text("Fractions on a number line")
    flag.click()
    page.wait_for_url("**/sessions/*/?at=*")
    replay = page.locator("#replay")
    expect(replay).to_have_attribute("data-state", "ready")
    moment = demo_class["third_check"] - demo_class["start"]  # one sitting: play time = offset
    expect(replay).to_have_attribute("data-current", str(moment))
