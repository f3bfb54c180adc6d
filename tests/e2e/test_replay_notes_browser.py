"""A teacher pins a note to a moment of a replay; it is there after a reload, as a mark on the
timeline and in the list, and another teacher cannot open it (404)."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.factories import LearnerIdentityFactory
from tests.support.replays import class_project, record_sessions, replay_url, stored

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


@pytest.fixture
def project(client, teacher, django_capture_on_commit_callbacks):
    ada = LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")
    grace = LearnerIdentityFactory(real_id="S-2002", display_name="Grace Hopper")
    record_sessions(client, ada, grace)
    teacher_client = Client()
    teacher_client.force_login(teacher)
    return class_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_it_keeps_a_note_added_at_a_moment_after_a_reload(
    page, live_server, teacher, other_teacher, project
):
    session = stored("ada-2")
    sign_in(page, live_server, teacher)
    page.goto(replay_url(session, "?t=4"))
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    expect(page.locator("#replay-note-at")).to_have_text("0:04.0")
    page.get_by_label("Note at 0:04.0").fill("confused numerator and denominator here")
    page.get_by_role("button", name="Add note").click()
    notes = page.locator(".replay-notes")
    expect(notes).to_have_attribute("data-count", "1")

    page.reload()
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    note = page.locator(".replay-note")
    expect(note).to_have_count(1)
    expect(note.locator(".replay-note__at")).to_have_text("0:04.0")
    expect(note.locator(".replay-note__text")).to_have_text(
        "confused numerator and denominator here"
    )
    # Its mark on the timeline sits where plotly's axis puts 4 s.
    mark = page.locator("#replay-note-marks .replay-note-mark")
    expect(mark).to_have_count(1)
    placed = page.evaluate(
        """() => {
          const chart = document.getElementById("replay-chart");
          const full = chart._fullLayout;
          const mark = document.querySelector(".replay-note-mark");
          return { mark: parseFloat(mark.style.left), axis: full._size.l + full.xaxis.l2p(4) };
        }"""
    )
    assert placed["mark"] == pytest.approx(placed["axis"], abs=0.5)

    # A click on the note's moment goes there.
    page.locator("#replay-now-heading").click()
    page.keyboard.press("End")
    page.wait_for_function("() => document.getElementById('replay').dataset.index === '12'")
    note.locator(".replay-note__at").click()
    page.wait_for_function("() => document.getElementById('replay').dataset.current === '4000'")

    # Edited in place, and another teacher cannot open it.
    note.get_by_role("button", name="Edit").click()
    note.get_by_label("Note at 0:04.0").fill("placed 1/2 at 3/4")
    note.get_by_role("button", name="Save").click()
    expect(note.locator(".replay-note__text")).to_have_text("placed 1/2 at 3/4")
    url = page.evaluate("() => new URL(location.href).pathname") + "notes/"
    note_id = note.get_attribute("data-id")

    other = page.context.browser.new_context(base_url=live_server.url)
    try:
        other_page = other.new_page()
        sign_in(other_page, live_server, other_teacher)
        assert other_page.goto(f"{url}{note_id}/").status == 404
        assert other_page.goto(replay_url(session)).status == 404
    finally:
        other.close()

    # Deleted: gone after a reload too.
    note.get_by_role("button", name="Delete").click()
    expect(page.locator(".replay-notes")).to_have_attribute("data-count", "0")
    page.reload()
    expect(page.locator("#replay")).to_have_attribute("data-state", "ready")
    expect(page.locator(".replay-note")).to_have_count(0)
    expect(page.locator("#replay-notes-empty")).to_be_visible()
