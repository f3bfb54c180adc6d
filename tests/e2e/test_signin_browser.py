"""Sign-in as a person does it, in a real browser."""

from __future__ import annotations

import pytest

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


def test_a_learner_finds_their_name_with_live_search_and_signs_in(page, learner):
    from tests.factories import LearnerIdentityFactory

    LearnerIdentityFactory(display_name="Zed Zebra")
    page.goto("/signin/learner/")
    page.get_by_label("Search by name").fill("ada")
    page.wait_for_function(
        "() => !document.querySelector('#learner-choices').textContent.includes('Zed Zebra')"
    )
    sign_in_as_learner(page, "Ada Lovelace")
    assert page.get_by_role("heading", name="Hi Ada Lovelace!").is_visible()
