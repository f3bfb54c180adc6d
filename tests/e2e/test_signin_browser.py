"""Sign-in as a person does it, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in_as_learner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


def test_it_signs_in_the_demo_teacher_with_one_click(page):
    page.goto("/")
    page.get_by_role("button", name="Try the demo as a teacher").click()
    page.wait_for_url("**/teacher/")
    assert page.get_by_role("heading", name="Hello, Demo").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")
    assert page.get_by_text("You are signed out.").is_visible()


def test_a_learner_picks_their_class_then_finds_their_name_with_live_search(page, learner):
    from tests.factories import LearnerIdentityFactory, SchoolClassFactory

    seven_b = SchoolClassFactory(name="7B")
    seven_b.learners.add(learner, LearnerIdentityFactory(display_name="Zed Zebra"))
    SchoolClassFactory(name="8A").learners.add(LearnerIdentityFactory(display_name="Eve Other"))
    page.goto("/signin/learner/")
    page.get_by_role("link", name="7B").click()
    page.wait_for_url(f"**/signin/learner/{seven_b.code}/")
    expect(page.get_by_role("button", name="Zed Zebra")).to_be_visible()
    expect(page.get_by_text("Eve Other")).to_have_count(0)  # another class's learner
    page.get_by_label("Search by name").fill("ada")
    expect(page.get_by_role("button", name="Zed Zebra")).to_have_count(0)
    page.get_by_role("button", name="Ada Lovelace", exact=True).click()
    page.wait_for_url("**/learn/")
    expect(page.get_by_role("heading", name="Hi Ada Lovelace!")).to_be_visible()


def test_a_learner_types_the_class_code_from_the_board(page, learner):
    sign_in_as_learner(page, "Ada Lovelace")
    expect(page.get_by_role("heading", name="Hi Ada Lovelace!")).to_be_visible()


@pytest.mark.parametrize("width", [390, 320])
def test_on_a_phone_the_teachers_header_is_two_lines_with_every_link_in_view(page, width):
    """Brand and Sign out on one line, the four links on the next (beside the brand they stacked
    into a column 170 px tall), all of them inside the screen, nothing scrolling sideways."""
    page.set_viewport_size({"width": width, "height": 740})
    page.goto("/")
    page.get_by_role("button", name="Try the demo as a teacher").click()
    page.wait_for_url("**/teacher/")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(links).to_have_count(4)
    boxes = [links.nth(index).bounding_box() for index in range(4)]
    assert len({round(box["y"]) for box in boxes}) == 1, boxes  # one row
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes), boxes
    assert page.locator(".topbar").bounding_box()["height"] <= 110
    assert page.evaluate("document.documentElement.scrollWidth") <= width
