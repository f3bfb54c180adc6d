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

# Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
# synchronous and safe, so Django's async-safety guard must stand aside for these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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
    """Console errors and failed requests seen by a page, checked when the test ends."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[str] = []

    def allow(self, fragment: str) -> None:
        self.allowed.append(fragment)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed)]


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
    page.on(
        "requestfailed",
        lambda request: page_problems.errors.append(
            f"request failed: {request.method} {request.url} {request.failure}"
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 500
            and page_problems.errors.append(f"HTTP {response.status}: {response.url}")
        ),
    )
    yield page
    context.close()
    problems = page_problems.unexpected()
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
