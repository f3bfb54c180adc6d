"""Managing learner identities as a teacher does it, in a real browser (htmx on)."""

from __future__ import annotations

import pytest

from dashboard.models import LearnerIdentity
from tests.factories import LearnerIdentityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


def sign_in_as_demo_teacher(page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Try the demo as a teacher").click()
    page.wait_for_url("**/teacher/")
    page.wait_for_load_state("networkidle")


def test_a_teacher_searches_the_list_live_and_copies_an_opaque_id(page):
    ada = LearnerIdentityFactory(real_id="S-1", display_name="Ada Lovelace")
    LearnerIdentityFactory(real_id="S-2", display_name="Zed Zebra")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in_as_demo_teacher(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learners").click()
    page.wait_for_url("**/teacher/learners/")
    page.get_by_label("Search learners").fill("ada")
    page.wait_for_function(
        "() => !document.querySelector('#learner-table').textContent.includes('Zed Zebra')"
    )
    assert "q=ada" in page.url
    page.get_by_role("button", name="Copy the full opaque id of Ada Lovelace").click()
    page.get_by_role("button", name="Copy the full opaque id of Ada Lovelace").filter(
        has_text="Copied"
    ).wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == ada.opaque_id


def test_a_teacher_adds_learners_in_place_and_sees_errors_in_place(page, page_problems):
    page_problems.allow("status of 422")  # the refused duplicate, answered with its form
    LearnerIdentityFactory(real_id="S-1", display_name="Ada Lovelace")
    sign_in_as_demo_teacher(page)
    page.goto("/teacher/learners/new/")
    page.get_by_label("Real id").fill("s-1")
    page.get_by_label("Display name").fill("Someone Else")
    page.get_by_role("button", name="Add learner").click()
    page.get_by_text("A learner with the real id “s-1” already exists (Ada Lovelace).").wait_for()
    # Swapped in place: the page around the form is still there.
    assert page.get_by_role("heading", name="Add a learner", level=1).is_visible()
    assert page.get_by_role("navigation", name="Main").is_visible()

    page.get_by_label("Real id").fill("S-2")
    page.get_by_role("button", name="Add learner").click()
    page.get_by_text("Added Someone Else (S-2). Add another, or go back").wait_for()
    assert page.get_by_label("Real id").input_value() == ""
    # htmx moves focus to the autofocus field when the swap settles, just after the text shows.
    page.wait_for_function("() => document.activeElement?.id === 'id_real_id'", timeout=2000)
    assert LearnerIdentity.objects.filter(real_id="S-2").exists()


def test_a_teacher_renames_a_learner_in_place(page):
    learner = LearnerIdentityFactory(real_id="S-1", display_name="Ada Lovelace")
    sign_in_as_demo_teacher(page)
    page.goto(f"/teacher/learners/{learner.pk}/")
    page.get_by_label("Display name").fill("Ada King")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="Ada King", level=1).wait_for()
    assert page.get_by_text("Saved. The opaque id is unchanged").is_visible()
