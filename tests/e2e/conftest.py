"""Real-browser fixtures: Debian's Chromium, driven by Playwright, against the live server.

Chromium missing is a failure, never a skip: `make test` installs it (or says how), and CI too.
Every page is watched for console errors and failed requests; a test fails on any it did not
expect.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
# synchronous and safe, so Django's async-safety guard must stand aside for these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Assertions wait as long as actions do (page.set_default_timeout below): on a machine shared by
# several test runs, an htmx swap or a chart can take longer than expect's default 5 s.
expect.set_options(timeout=15_000)

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Chromium is needed for the browser tests: apt-get install chromium "
            "(or set CHROMIUM=/path/to/chrome).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


class PageProblems:
    """Console errors and failed requests seen by a page, checked when the test ends.

    A request still loading when the page navigates away (the test clicked a link, an image or
    the favicon was slow) is aborted by the browser, net::ERR_ABORTED: that is the navigation's
    doing, not the page's. Such aborts are told apart by when the request started: before a
    main-frame navigation that began after it, while one was under way (the old page, a poll
    say, asking after the click and before the new page commits), or asked for by a document
    the frame has since left. Any other failure, an abort included, counts.
    """

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[str] = []
        self.navigations = 0  # main-frame navigations begun so far
        self._navigation = None  # (the main-frame navigation under way, the address it leaves)
        self._started_during: dict[object, int] = {}
        self.cut_short: list[str] = []  # aborted by a navigation; kept to read when debugging

    def allow(self, fragment: str) -> None:
        self.allowed.append(fragment)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed)]

    def request_started(self, request, main_frame) -> None:
        if request.is_navigation_request() and request.frame == main_frame:
            self.navigations += 1
            self._navigation = (request, main_frame.url)
            return
        started_during = self.navigations
        if self._navigation and request.frame.url == self._navigation[1]:
            # Asked for by the page being left, after the navigation began: on a busy machine
            # the old page's timers still fire (an htmx poll) until the new page commits, which
            # aborts what they asked for. Counted as begun before that navigation.
            started_during -= 1
        # With the address of the document that asked: a navigation can begin just before
        # the old page asks for its logo (a race on a busy machine), and the logo is then
        # aborted when the new page commits, under another address.
        self._started_during[request] = (started_during, request.frame.url)

    def request_failed(self, request) -> None:
        self._navigation_ended(request)
        started_during, asked_by = self._started_during.pop(
            request, (self.navigations, request.frame.url)
        )
        line = f"request failed: {request.method} {request.url} {request.failure}"
        navigated = started_during < self.navigations or asked_by != request.frame.url
        if request.failure == "net::ERR_ABORTED" and navigated:
            self.cut_short.append(line)
        else:
            self.errors.append(line)

    def request_finished(self, request) -> None:
        self._navigation_ended(request)
        self._started_during.pop(request, None)

    def _navigation_ended(self, request) -> None:
        if self._navigation and self._navigation[0] == request:
            self._navigation = None


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser, live_server, page_problems) -> Iterator:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "console",
        lambda message: (
            message.type == "error" and page_problems.errors.append(f"console: {message.text}")
        ),
    )
    page.on("pageerror", lambda error: page_problems.errors.append(f"pageerror: {error}"))
    page.on("request", lambda request: page_problems.request_started(request, page.main_frame))
    page.on("requestfinished", page_problems.request_finished)
    page.on("requestfailed", page_problems.request_failed)
    page.on(
        "response",
        lambda response: (
            response.status >= 500
            and page_problems.errors.append(f"HTTP {response.status}: {response.url}")
        ),
    )
    yield page
    # Read before closing: closing aborts whatever is still loading (the logo of the last page,
    # on a busy machine), which is the test's doing, not the page's.
    problems = page_problems.unexpected()
    context.close()
    assert not problems, "the page reported problems:\n" + "\n".join(problems)


def sign_in_as_learner(page, display_name: str) -> None:
    """As a child does: the class code from the board, then their name in the class's list."""
    from dashboard.models import LearnerIdentity
    from tests.support.signin import class_of

    school_class = class_of(LearnerIdentity.objects.get(display_name=display_name))
    page.goto("/signin/learner/")
    page.get_by_label("Class code").fill(school_class.code.lower())
    page.get_by_role("button", name="Go").click()
    page.wait_for_url(f"**/signin/learner/{school_class.code}/")
    page.get_by_role("button", name=display_name, exact=True).click()
    page.wait_for_url("**/learn/")
