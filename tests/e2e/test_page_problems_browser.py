"""The browser fixtures' watch for page problems: a request the test's own navigation cut short
is not a problem of the page; any other failed request still is."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LOGO = "**/static/img/pathlens.svg"


def test_an_image_cut_short_by_the_tests_own_navigation_is_no_page_problem(page, page_problems):
    held = []
    # The logo's answer never comes, as on a slow machine: it is still loading when the test
    # moves on to the next page, and the browser aborts it (net::ERR_ABORTED).
    page.route(LOGO, lambda route: held.append(route))
    page.goto("/signin/", wait_until="domcontentloaded")
    expect(page.get_by_role("heading").first).to_be_visible()
    assert held, "the logo was never requested"
    page.goto("/signin/learner/", wait_until="domcontentloaded")
    expect(page.get_by_role("heading").first).to_be_visible()
    assert page_problems.unexpected() == []
    assert any("pathlens.svg net::ERR_ABORTED" in line for line in page_problems.cut_short)


def test_a_request_that_fails_without_a_navigation_is_still_a_page_problem(page, page_problems):
    page.route(LOGO, lambda route: route.abort("aborted"))
    page.goto("/signin/")
    page.wait_for_load_state("load")
    assert any("pathlens.svg" in problem for problem in page_problems.unexpected())
    page_problems.allow("pathlens.svg")  # seen, as it should be: the test itself passes
