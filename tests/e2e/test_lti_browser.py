"""An LTI launch in a real Chromium, as an LMS does it: the course page (one site) holds an
iframe, and an auto-submitting form posts the login into it; the tool (another site) answers
inside the frame. The login's state cookie is `SameSite=None; Secure`, so the browser sends it
back on the LMS's cross-site form post: the launch is checked against it and the widget opens
in the frame, where the learner's work reaches the collector under their opaque id."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from collector.models import Event
from dashboard.models import LearnerIdentity
from tests.factories import WhitelistEntryFactory
from tests.support.lms import INSTRUCTOR, running_lms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


def wait_until(condition, *, what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.2)
    return found


@pytest.fixture
def lms(live_server):
    cache.clear()
    # The tool is http://localhost:…, the LMS http://127.0.0.1:…: two sites, as in a school.
    assert "localhost" in live_server.url
    with running_lms("127.0.0.1") as lms:
        lms.register()
        yield lms


def test_a_learner_launched_inside_the_lms_page_works_in_the_widget(page, live_server, lms):
    login_cookies = []
    page.on(
        "response",
        lambda response: (
            "/lti/login/" in response.url
            and login_cookies.append(response.header_value("set-cookie") or "")
        ),
    )
    hint = lms.prepare_launch(sub="u-42", name="Ada Lovelace")
    course = f"{lms.url}/course?" + urlencode(
        {"tool": f"{live_server.url}/lti/login/", "hint": hint}
    )

    page.goto(course)

    frame = page.frame_locator("iframe[name=tool]")
    frame.locator('#widget-root[data-widget-ready="true"]').wait_for()
    [cookie] = login_cookies
    assert all(part in cookie for part in ("SameSite=None", "Secure", "Partitioned"))
    frame.get_by_role("button", name="Start").click()
    learner = LearnerIdentity.objects.get(lti_users__sub="u-42")
    wait_until(
        lambda: Event.objects.filter(learner=learner.opaque_id, type="session_started").exists(),
        what="the widget's first event at the collector",
    )
    assert page.title() == "Course"  # the LMS page stayed; Pathlens is inside its frame


def test_the_refusal_shows_inside_the_lms_page(page, page_problems, live_server, lms):
    hint = lms.prepare_launch(aud="another-tool")
    course = f"{lms.url}/course?" + urlencode(
        {"tool": f"{live_server.url}/lti/login/", "hint": hint}
    )
    page_problems.allow("status of 403")  # the refusal itself

    page.goto(course)

    frame = page.frame_locator("iframe[name=tool]")
    frame.get_by_text("meant for another tool").wait_for()


def test_an_instructor_inside_the_lms_page_opens_their_class_in_a_new_window(
    page, live_server, lms
):
    WhitelistEntryFactory(value="grace@school.example")
    hint = lms.prepare_launch(
        sub="t-1", roles=(INSTRUCTOR,), email="grace@school.example", name="Grace Hopper"
    )
    course = f"{lms.url}/course?" + urlencode(
        {"tool": f"{live_server.url}/lti/login/", "hint": hint}
    )
    page.goto(course)
    frame = page.frame_locator("iframe[name=tool]")

    with page.context.expect_page() as opened:
        frame.get_by_role("link", name="Open the class in a new window").click()

    window = opened.value
    window.get_by_role("heading", name="Year 7 Fractions").first.wait_for()
    assert "/teacher/classes/" in window.url
