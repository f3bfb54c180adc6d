"""Teachers manage learner identities through the real views: list, add, edit, export, rotate,
delete; with and without htmx, against the real collector (in-process) and a refusing one."""

from __future__ import annotations

import csv
import io
import logging
import re

import pytest

from collector.client import LocalCollector
from collector.models import Event, Session
from dashboard.models import LearnerIdentity, WidgetOpening
from tests.collector.helpers import event, now_ms, post_events
from tests.factories import LearnerIdentityFactory, SchoolClassFactory
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def unreachable_collector(settings):
    """A collector that cannot be reached: every call fails with 503, like a real outage."""
    settings.COLLECTOR_URL = "http://127.0.0.1:9"
    settings.COLLECTOR_API_KEY = "plk_x_y"


def record(client, learner: LearnerIdentity, sessions: list[str]) -> None:
    base = now_ms() - 10_000
    batch = [event(session=s, t=base + i) for i, s in enumerate(sessions)]
    assert post_events(client, batch, learner=learner.opaque_id).status_code == 202


# --- List ---------------------------------------------------------------------------------------


def test_it_lists_learners_with_short_opaque_ids_and_session_counts(client, teacher_client):
    ada = LearnerIdentityFactory(real_id="S-1", display_name="Ada Lovelace")
    grace = LearnerIdentityFactory(real_id="S-2", display_name="Grace Hopper")
    record(client, ada, ["a-1", "a-2"])
    response = teacher_client.get("/teacher/learners/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    for learner in (ada, grace):
        assert learner.display_name in html
        assert learner.real_id in html
        assert f"{learner.opaque_id[:8]}…" in html
        assert f'data-copy="{learner.opaque_id}"' in html
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)
    ada_row = next(row for row in rows if "Ada Lovelace" in row)
    grace_row = next(row for row in rows if "Grace Hopper" in row)
    assert re.search(r'class="num">2</td>', ada_row)
    assert re.search(r'class="num">0</td>', grace_row)


def test_it_searches_with_and_without_htmx(teacher_client):
    LearnerIdentityFactory(real_id="S-1", display_name="Grace Hopper")
    LearnerIdentityFactory(real_id="S-2", display_name="Alan Turing")
    page = teacher_client.get("/teacher/learners/?q=grace").content.decode()
    assert "Grace Hopper" in page
    assert "Alan Turing" not in page
    assert "<html" in page

    fragment = teacher_client.get("/teacher/learners/?q=grace", headers=HTMX)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div id="learner-table"')
    assert "Grace Hopper" in html
    assert "Alan Turing" not in html
    assert "<html" not in html
    assert "HX-Request" in fragment["Vary"]


def test_it_finds_a_learner_by_real_id_or_by_the_start_of_the_opaque_id(teacher_client):
    ada = LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")
    LearnerIdentityFactory(real_id="S-3001", display_name="Alan Turing")
    by_real_id = teacher_client.get("/teacher/learners/?q=s-2001").content.decode()
    assert "Ada Lovelace" in by_real_id
    assert "Alan Turing" not in by_real_id
    by_opaque = teacher_client.get(f"/teacher/learners/?q={ada.opaque_id[:10]}").content.decode()
    assert "Ada Lovelace" in by_opaque
    assert "Alan Turing" not in by_opaque


def test_it_paginates_with_and_without_htmx(teacher_client):
    for n in range(55):
        LearnerIdentityFactory(real_id=f"S-{n:03d}", display_name=f"Learner {n:03d}")
    first = teacher_client.get("/teacher/learners/").content.decode()
    assert "Page 1 of 2" in first
    assert "Learner 049" in first
    assert "Learner 050" not in first
    second = teacher_client.get("/teacher/learners/?page=2", headers=HTMX).content.decode()
    assert "Learner 054" in second
    assert "Learner 000" not in second
    assert "<html" not in second
    assert 'hx-get="?page=1"' in second


def test_it_answers_a_bad_page_number_with_400(teacher_client):
    response = teacher_client.get("/teacher/learners/?page=x")
    assert response.status_code == 400
    assert "Enter a whole number" in response.content.decode()


def test_it_shows_an_empty_state_with_the_ways_to_add_learners(teacher_client):
    html = teacher_client.get("/teacher/learners/").content.decode()
    assert "No learners yet" in html
    assert 'href="/teacher/learners/new/"' in html
    assert 'href="/teacher/learners/import/"' in html
    assert "Export CSV" not in html
    no_match = teacher_client.get("/teacher/learners/?q=zzz").content.decode()
    assert "No learners yet" in no_match  # nobody at all, so the empty state again


def test_it_says_when_a_search_matches_nobody(teacher_client, learner):
    html = teacher_client.get("/teacher/learners/?q=zzz").content.decode()
    assert "No learner matches “zzz”" in html


def test_the_list_still_works_when_session_counts_are_unavailable(
    teacher_client, learner, unreachable_collector
):
    response = teacher_client.get("/teacher/learners/")
    assert response.status_code == 200
    html = response.content.decode()
    assert learner.display_name in html
    assert "Session counts are unavailable right now" in html
    assert "cannot be reached" in html


def test_teachers_reach_the_list_from_the_navigation_and_the_home_page(teacher_client):
    home = teacher_client.get("/teacher/").content.decode()
    assert home.count('href="/teacher/learners/"') == 2
    page = teacher_client.get("/teacher/learners/").content.decode()
    assert re.search(r'href="/teacher/learners/"\s+aria-current="page"', page)


def test_learners_and_outsiders_cannot_see_the_mapping(learner_client, client, outsider, learner):
    assert learner_client.get("/teacher/learners/").status_code == 403
    assert learner_client.get("/teacher/learners/export/").status_code == 403
    client.force_login(outsider)
    assert client.get("/teacher/learners/export/").status_code == 302


# --- Create -------------------------------------------------------------------------------------


def test_it_creates_a_learner_with_a_random_opaque_id(teacher_client):
    form = teacher_client.get("/teacher/learners/new/")
    assert form.status_code == 200
    assert 'name="real_id"' in form.content.decode()
    response = teacher_client.post(
        "/teacher/learners/new/", {"real_id": "  S-42 ", "display_name": "Ada  Lovelace"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/teacher/learners/new/"
    learner = LearnerIdentity.objects.get()
    assert (learner.real_id, learner.real_id_key, learner.display_name) == (
        "S-42",
        "s-42",
        "Ada Lovelace",
    )
    assert re.fullmatch(r"[0-9a-f]{32}", learner.opaque_id)
    assert "s-42" not in learner.opaque_id
    followed = teacher_client.get(response["Location"]).content.decode()
    assert "Added Ada Lovelace (S-42)" in followed


def test_opaque_ids_are_not_derived_from_the_real_id(teacher_client):
    teacher_client.post("/teacher/learners/new/", {"real_id": "S-1", "display_name": "One"})
    first = LearnerIdentity.objects.get().opaque_id
    LearnerIdentity.objects.all().delete()
    teacher_client.post("/teacher/learners/new/", {"real_id": "S-1", "display_name": "One"})
    assert LearnerIdentity.objects.get().opaque_id != first


def test_it_creates_over_htmx_and_answers_with_a_fresh_form(teacher_client):
    response = teacher_client.post(
        "/teacher/learners/new/", {"real_id": "S-7", "display_name": "Grace Hopper"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="learner-form"')
    assert "<html" not in html
    assert "Added" in html and "Grace Hopper" in html
    assert 'value=""' in html  # the fields are empty again, ready for the next learner
    assert LearnerIdentity.objects.filter(real_id="S-7").exists()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_it_refuses_a_duplicate_real_id_ignoring_case_and_spaces(teacher_client, headers):
    LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")
    response = teacher_client.post(
        "/teacher/learners/new/",
        {"real_id": " s-2001 ", "display_name": "Someone"},
        headers=headers,
    )
    assert response.status_code == (422 if headers else 400)
    html = response.content.decode()
    assert "A learner with the real id “s-2001” already exists (Ada Lovelace)." in html
    assert 'aria-invalid="true"' in html
    assert ("<html" in html) is not bool(headers)
    assert LearnerIdentity.objects.count() == 1


def test_it_refuses_blank_fields(teacher_client):
    response = teacher_client.post("/teacher/learners/new/", {"real_id": "  ", "display_name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not LearnerIdentity.objects.exists()


def test_a_new_learner_added_to_a_class_appears_on_its_sign_in_list(teacher_client, client):
    teacher_client.post("/teacher/learners/new/", {"real_id": "S-9", "display_name": "Sam Lee"})
    teacher_client.post("/teacher/learners/new/", {"real_id": "S-10", "display_name": "Sam Lee"})
    school_class = SchoolClassFactory(name="7B")
    school_class.learners.add(*LearnerIdentity.objects.all())
    html = client.get(f"/signin/learner/{school_class.code}/").content.decode()
    # Numbered, never told apart by their real ids on a page anyone can open.
    assert "Sam Lee · 1" in html and "Sam Lee · 2" in html
    assert "S-9" not in html and "S-10" not in html


# --- Edit ---------------------------------------------------------------------------------------


def test_it_shows_a_learners_page_with_the_full_opaque_id(client, teacher_client, learner):
    record(client, learner, ["x-1"])
    response = teacher_client.get(f"/teacher/learners/{learner.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert learner.opaque_id in html
    assert 'value="S-2001"' in html
    assert re.search(r"<dt>Sessions recorded</dt>\s*<dd>1</dd>", html)


def test_it_edits_a_learner_and_keeps_the_opaque_id(teacher_client, learner):
    opaque = learner.opaque_id
    response = teacher_client.post(
        f"/teacher/learners/{learner.pk}/", {"real_id": "S-2001-B", "display_name": "Ada King"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/teacher/learners/{learner.pk}/"
    learner.refresh_from_db()
    assert (learner.real_id, learner.real_id_key, learner.display_name) == (
        "S-2001-B",
        "s-2001-b",
        "Ada King",
    )
    assert learner.opaque_id == opaque
    assert "Saved Ada King." in teacher_client.get(response["Location"]).content.decode()


def test_it_edits_over_htmx_and_updates_the_heading(teacher_client, learner):
    response = teacher_client.post(
        f"/teacher/learners/{learner.pk}/",
        {"real_id": "S-2001", "display_name": "Ada King"},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="learner-form"')
    assert "Saved." in html
    assert re.search(r'id="learner-header"[^>]*hx-swap-oob="true"', html)
    assert "<h1>Ada King</h1>" in html
    learner.refresh_from_db()
    assert learner.display_name == "Ada King"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_it_refuses_to_give_a_learner_another_learners_real_id(teacher_client, learner, headers):
    LearnerIdentityFactory(real_id="S-9", display_name="Grace Hopper")
    response = teacher_client.post(
        f"/teacher/learners/{learner.pk}/",
        {"real_id": "s-9", "display_name": "Ada"},
        headers=headers,
    )
    assert response.status_code == (422 if headers else 400)
    assert "already exists (Grace Hopper)" in response.content.decode()
    learner.refresh_from_db()
    assert (learner.real_id, learner.display_name) == ("S-2001", "Ada Lovelace")


def test_changing_only_the_case_of_a_real_id_is_allowed(teacher_client, learner):
    teacher_client.post(
        f"/teacher/learners/{learner.pk}/", {"real_id": "s-2001", "display_name": "Ada"}
    )
    learner.refresh_from_db()
    assert learner.real_id == "s-2001"


@pytest.mark.parametrize("suffix", ["", "rotate/", "delete/"])
def test_it_answers_404_for_a_learner_that_does_not_exist(teacher_client, suffix):
    assert teacher_client.get(f"/teacher/learners/999/{suffix}").status_code == 404


# --- Export -------------------------------------------------------------------------------------


def test_it_exports_the_mapping_as_csv_and_logs_only_the_teachers_user_id(
    teacher_client, teacher, caplog
):
    caplog.set_level(logging.INFO, logger="pathlens.identities")
    ada = LearnerIdentityFactory(real_id="S-1", display_name="Ada Lovelace")
    grace = LearnerIdentityFactory(real_id="S-2", display_name="Hopper, Grace")
    response = teacher_client.get("/teacher/learners/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="pathlens-learners-')
    assert response["Cache-Control"] == "no-store"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["real_id", "display_name", "opaque_id", "created"]
    assert rows[1][:3] == ["S-1", "Ada Lovelace", ada.opaque_id]
    assert rows[2][:3] == ["S-2", "Hopper, Grace", grace.opaque_id]
    assert rows[1][3].startswith(str(ada.created_at.year))
    logged = [r.getMessage() for r in caplog.records if r.name == "pathlens.identities"]
    assert f"learner mapping exported by user id={teacher.pk}: 2 learners" in logged
    for secret in ("S-1", "S-2", "Ada Lovelace", ada.opaque_id):
        assert all(secret not in line for line in logged)


def test_the_export_defuses_cells_that_spreadsheets_would_run_as_formulas(teacher_client):
    LearnerIdentityFactory(real_id="=HYPERLINK(1)", display_name="@SUM(A1)")
    response = teacher_client.get("/teacher/learners/export/")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "'=HYPERLINK(1),'@SUM(A1)," in text


def test_the_export_defuses_fullwidth_formula_signs_too(teacher_client):
    # Spreadsheets with East Asian input read fullwidth ＝＋－＠ as = + - @.
    for n, sign in enumerate("\uff1d\uff0b\uff0d\uff20"):
        LearnerIdentityFactory(real_id=f"W-{n}", display_name=f"{sign}SUM(A1)")
    response = teacher_client.get("/teacher/learners/export/")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    names = sorted(row[1] for row in rows[1:])
    assert names == sorted(f"'{sign}SUM(A1)" for sign in "\uff1d\uff0b\uff0d\uff20")


# --- Rotate -------------------------------------------------------------------------------------


def test_the_rotation_page_says_what_will_happen(teacher_client, learner):
    response = teacher_client.get(f"/teacher/learners/{learner.pk}/rotate/")
    assert response.status_code == 200
    html = response.content.decode()
    assert learner.opaque_id in html
    assert "Earlier events stay under the old opaque id unless you move them." in html
    assert "revoked" in html
    assert 'name="move_events"' in html


def test_it_rotates_the_opaque_id_and_revokes_the_old_tokens(client, teacher_client, learner):
    old = learner.opaque_id
    old_token = LocalCollector().issue_learner_token(old)
    record(client, learner, ["before"])
    assert post_events(client, token=old_token).status_code == 202

    response = teacher_client.post(f"/teacher/learners/{learner.pk}/rotate/")
    assert response.status_code == 302
    assert response["Location"] == f"/teacher/learners/{learner.pk}/"
    learner.refresh_from_db()
    assert learner.opaque_id != old
    assert re.fullmatch(r"[0-9a-f]{32}", learner.opaque_id)
    refused = post_events(client, token=old_token)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["error"]
    # Not moved: the earlier events stay where they were, no longer linked to the learner.
    assert Event.objects.filter(learner=old).count() == 2
    assert not Event.objects.filter(learner=learner.opaque_id).exists()
    page = teacher_client.get(response["Location"]).content.decode()
    assert "has a new opaque id" in page
    assert f"Earlier events stay under the old opaque id {old}" in page


def test_the_new_opaque_id_gets_tokens_that_work(client, teacher_client, learner):
    teacher_client.post(f"/teacher/learners/{learner.pk}/rotate/")
    learner.refresh_from_db()
    token = LocalCollector().issue_learner_token(learner.opaque_id)
    assert post_events(client, token=token).status_code == 202


def test_it_moves_the_earlier_events_when_asked(client, teacher_client, learner):
    old = learner.opaque_id
    record(client, learner, ["s-1", "s-2", "s-2"])
    response = teacher_client.post(
        f"/teacher/learners/{learner.pk}/rotate/", {"move_events": "on"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/teacher/learners/{learner.pk}/"
    learner.refresh_from_db()
    assert not Event.objects.filter(learner=old).exists()
    assert Event.objects.filter(learner=learner.opaque_id).count() == 3
    assert Session.objects.filter(learner=learner.opaque_id).count() == 2
    page = teacher_client.get(f"/teacher/learners/{learner.pk}/").content.decode()
    assert "3 earlier events moved to the new opaque id." in page


def test_a_rotation_the_collector_refuses_changes_nothing(
    teacher_client, learner, unreachable_collector
):
    old = learner.opaque_id
    response = teacher_client.post(f"/teacher/learners/{learner.pk}/rotate/", {"move_events": "on"})
    assert response.status_code == 502
    html = response.content.decode()
    assert "The opaque id was not changed." in html
    assert "cannot be reached" in html
    learner.refresh_from_db()
    assert learner.opaque_id == old


def test_rotation_is_post_only_for_the_change(teacher_client, learner):
    old = learner.opaque_id
    teacher_client.get(f"/teacher/learners/{learner.pk}/rotate/")
    learner.refresh_from_db()
    assert learner.opaque_id == old


# --- Delete -------------------------------------------------------------------------------------


def test_the_deletion_page_offers_a_clear_choice(client, teacher_client, learner):
    record(client, learner, ["s-1"])
    response = teacher_client.get(f"/teacher/learners/{learner.pk}/delete/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Keep their pseudonymous events" in html
    assert "they become unlinkable" in html
    assert "Erase their events too" in html
    assert "This cannot be undone." in html
    assert "1 session recorded" in html


def test_it_asks_for_a_choice_before_deleting(teacher_client, learner):
    response = teacher_client.post(f"/teacher/learners/{learner.pk}/delete/")
    assert response.status_code == 400
    assert "Choose what happens to this learner" in response.content.decode()
    assert LearnerIdentity.objects.filter(pk=learner.pk).exists()


def test_it_deletes_a_learner_and_keeps_their_events_unlinkable(client, teacher_client, learner):
    opaque = learner.opaque_id
    WidgetOpening.objects.create(learner=learner, widget="BLL002", session="s-1")
    token = LocalCollector().issue_learner_token(opaque)
    record(client, learner, ["s-1", "s-2"])
    response = teacher_client.post(f"/teacher/learners/{learner.pk}/delete/", {"events": "keep"})
    assert response.status_code == 302
    assert response["Location"] == "/teacher/learners/"
    assert not LearnerIdentity.objects.filter(pk=learner.pk).exists()
    assert not WidgetOpening.objects.exists()
    assert Event.objects.filter(learner=opaque).count() == 2
    assert Session.objects.filter(learner=opaque).count() == 2
    assert post_events(client, token=token).status_code == 401
    page = teacher_client.get("/teacher/learners/").content.decode()
    assert "Deleted Ada Lovelace. Their pseudonymous events were kept" in page


def test_it_deletes_a_learner_and_erases_their_events(client, teacher_client, learner):
    opaque = learner.opaque_id
    other = LearnerIdentityFactory()
    record(client, learner, ["s-1", "s-2"])
    record(client, other, ["s-3"])
    response = teacher_client.post(
        f"/teacher/learners/{learner.pk}/delete/", {"events": "erase"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/teacher/learners/"
    assert not LearnerIdentity.objects.filter(pk=learner.pk).exists()
    assert not Event.objects.filter(learner=opaque).exists()
    assert not Session.objects.filter(learner=opaque).exists()
    assert Event.objects.filter(learner=other.opaque_id).count() == 1
    page = teacher_client.get("/teacher/learners/").content.decode()
    assert "Deleted Ada Lovelace. Their 2 events in 2 sessions were erased." in page


@pytest.mark.parametrize("choice", ["keep", "erase"])
def test_a_deletion_the_collector_refuses_deletes_nothing(
    client, teacher_client, learner, unreachable_collector, choice
):
    response = teacher_client.post(f"/teacher/learners/{learner.pk}/delete/", {"events": choice})
    assert response.status_code == 502
    html = response.content.decode()
    assert "Nothing was deleted." in html
    assert "cannot be reached" in html
    assert LearnerIdentity.objects.filter(pk=learner.pk).exists()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("rotate", {"move_events": "on"}),
        ("rotate", {}),
        ("delete", {"events": "erase"}),
        ("delete", {"events": "keep"}),
    ],
)
def test_a_learner_who_never_opened_a_widget_is_rotated_or_deleted_all_the_same(
    teacher_client, learner, action, data
):
    # The collector has never heard of this opaque id (404: not its tenant's learner): there is
    # nothing there to revoke, move or erase, and the school side carries on.
    response = teacher_client.post(f"/teacher/learners/{learner.pk}/{action}/", data)
    assert response.status_code == 302
    if action == "delete":
        assert not LearnerIdentity.objects.filter(pk=learner.pk).exists()
    else:
        old = learner.opaque_id
        learner.refresh_from_db()
        assert learner.opaque_id != old


def test_a_deleted_learner_is_signed_out(teacher_client, learner_client, learner):
    teacher_client.post(f"/teacher/learners/{learner.pk}/delete/", {"events": "keep"})
    response = learner_client.get("/learn/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/learner/"
