"""The replay page and its playback frame, through the real views, with events sent through the
real ingestion API and a project run that found them."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from collector.client import get_client
from core.typedarrays import decode
from dashboard.access import LEARNER_SESSION_KEY
from tests.collector.helpers import now_ms, post_events
from tests.support.db import BOTH_DATABASES
from tests.support.projects import finished_project
from tests.support.replays import (
    DAY,
    SECOND,
    replay_url,
    resumed_session,
    send,
    stored,
    tei_event,
    tei_session,
)
from widgets.registry import get_widget

pytestmark = [
    pytest.mark.django_db(databases=BOTH_DATABASES),
    pytest.mark.usefixtures("eager_tasks"),
]

TEI = get_widget("TEI001").title


def page_data(response) -> dict:
    match = re.search(
        r'<script id="replay-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "no #replay-data in the page"
    return json.loads(match.group(1))


def text(response) -> str:
    """The page's text as a reader gets it (not the scripts' data)."""
    html = re.sub(r"<script\b.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_it_shows_who_what_when_and_how_complete_the_recording_is(teacher_client, project):
    session = stored("ada-2")
    response = teacher_client.get(replay_url(session))
    assert response.status_code == 200
    page = text(response)
    assert f"Ada Lovelace in {TEI}" in page
    assert "S-2001" in page  # the real id, resolved on the school side
    # The platform's measures, from the run's row: 5 s to place, 6 s of moves, 31 s to the
    # check, and the 5 s allowed for reading the feedback after the last event.
    assert "47 s active 1 sitting over 42 s 13 events Left unfinished" in page
    # Only the item tried counts, and the first check was wrong: a real zero, not "no answer".
    assert "Score 0 of 3 (0%, 1 of 3 items tried)" in page
    assert "Events 13" in page
    assert "Clean every event arrived once, in order" in page
    assert "Duration" not in page and "Finished" not in page
    assert session.session not in page  # the widget's own id of the session: not a teacher's word
    # No ids in the title or the headings: learner, widget and date.
    day = datetime.fromtimestamp(session.start / 1000, tz=UTC).strftime("%-d %b %Y")
    title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)
    headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", response.content.decode(), re.S)
    assert title.startswith(f"Replay · Ada Lovelace in {TEI}, {day} ")
    assert all(session.session not in text for text in [title, *headings])
    # The opaque id never reaches a teacher's page.
    assert session.learner.opaque_id not in response.content.decode()


def test_the_events_reach_the_page_in_time_order_beside_their_timeline(teacher_client, project):
    response = teacher_client.get(replay_url(stored("ada-2")))
    data = page_data(response)
    events = data["events"]
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)
    assert events[0]["type"] == "session_started"
    assert events[-1] == {
        "t": events[-1]["t"],
        "type": "answer_checked",
        "data": {"item": 1, "attempt": 1, "correct_cards": ["1/4", "3/4", "5/4"]},
    }
    assert data["widget"] == "TEI001"
    assert data["frame"] == "/replay/frame/TEI001/"
    assert data["initial"] == 0
    traces = data["figure"]["data"]
    assert [t["name"] for t in traces] == [
        "session_started", "item_started", "card_placed", "card_moved", "answer_checked",
    ]  # fmt: skip
    marks = sorted(int(i) for t in traces for i in decode(t["customdata"]))
    assert marks == list(range(len(events)))


def test_the_page_runs_only_our_own_scripts_under_the_csp(teacher_client, project):
    response = teacher_client.get(replay_url(stored("ada-1")))
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b([^>]*)>", html)
    for attributes in scripts:
        if 'type="application/json"' in attributes:
            continue
        assert f'nonce="{nonce}"' in attributes
        assert 'src="/static/' in attributes
    assert '/static/vendor/plotly/plotly-pathlens.min.js"' in html
    assert '/static/replay/replay.js"' in html
    assert response["X-Frame-Options"] == "DENY"


def test_the_page_is_sent_compressed(teacher_client, project):
    response = teacher_client.get(replay_url(stored("ada-1")), headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert b"replay-data" in gzip.decompress(response.content)


def test_a_teacher_who_may_not_see_the_project_gets_a_404(project, other_teacher, client):
    client.force_login(other_teacher)
    response = client.get(replay_url(stored("ada-1")))
    assert response.status_code == 404


def test_a_session_of_another_project_is_a_404_under_this_one(
    teacher_client, project, ada, django_capture_on_commit_callbacks
):
    other = finished_project(
        teacher_client,
        [ada],
        django_capture_on_commit_callbacks,
        name="Ada only",
        widgets=["TEI001"],
    )
    session = stored_in(other, "ada-1")
    assert teacher_client.get(f"/replay/{other.pk}/{session.pk}/").status_code == 200
    assert teacher_client.get(f"/replay/{project.pk}/{session.pk}/").status_code == 404


def stored_in(project, session: str):
    return project.runs.get().sessions.get(session=session)


def test_learners_are_refused_and_visitors_sent_to_sign_in(project, ada, client):
    url = replay_url(stored("ada-1"))
    learner_client = Client()
    session = learner_client.session
    session[LEARNER_SESSION_KEY] = ada.pk  # even the learner whose session it is
    session.save()
    assert learner_client.get(url).status_code == 403
    assert learner_client.get("/replay/frame/TEI001/").status_code == 403
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")


def test_previous_and_next_are_the_learners_own_sessions_in_this_run(teacher_client, project):
    first, middle, last = (stored(name) for name in ("ada-1", "ada-2", "ada-3"))
    html = teacher_client.get(replay_url(middle)).content.decode()
    assert f'rel="prev" href="/replay/{project.pk}/{first.pk}/"' in html
    assert f'rel="next" href="/replay/{project.pk}/{last.pk}/"' in html
    assert "Ada Lovelace's session 2 of 3" in text(teacher_client.get(replay_url(middle)))
    html = teacher_client.get(replay_url(first)).content.decode()
    assert "No earlier session" in html
    assert f'rel="next" href="/replay/{project.pk}/{middle.pk}/"' in html
    assert "No later session" in teacher_client.get(replay_url(last)).content.decode()
    # Grace's session is not Ada's neighbour, though it started between Ada's.
    grace = stored("grace-1")
    assert replay_url(grace) not in teacher_client.get(replay_url(first)).content.decode()


def test_it_links_back_to_the_explorer_with_the_learners_path(teacher_client, project, ada):
    html = teacher_client.get(replay_url(stored("ada-1"))).content.decode()
    assert f'href="/projects/{project.pk}/explore/?run=1&amp;learner={ada.pk}"' in html


@pytest.mark.parametrize(
    ("query", "initial"), [("?t=12.5", 12_500), ("?t=0", 0), ("?t=42", 42_000)]
)
def test_a_link_to_a_moment_opens_the_replay_there(teacher_client, project, query, initial):
    response = teacher_client.get(replay_url(stored("ada-2"), query))
    assert response.status_code == 200
    assert page_data(response)["initial"] == initial
    assert "has no moment at" not in response.content.decode()


@pytest.mark.parametrize("query", ["?t=-3", "?t=42.1", "?t=1e9"])
def test_a_moment_outside_the_session_starts_at_zero_and_says_so(teacher_client, project, query):
    response = teacher_client.get(replay_url(stored("ada-2"), query))
    assert response.status_code == 200
    assert page_data(response)["initial"] == 0
    assert "This session lasts 0:42.0, so it has no moment at" in text(response)
    assert "The replay starts at the beginning." in text(response)


@pytest.mark.parametrize("query", ["?t=abc", "?t=nan", "?t=inf", "?t=1:20"])
def test_a_moment_that_is_not_a_number_is_a_400_that_says_what_to_write(
    teacher_client, project, query
):
    session = stored("ada-2")
    response = teacher_client.get(replay_url(session, query))
    assert response.status_code == 400
    assert "must be a number of seconds since the session started" in text(response)
    assert f'href="/replay/{project.pk}/{session.pk}/"' in response.content.decode()


def test_a_session_with_a_single_event_replays(
    client, teacher_client, ada, eager_tasks, django_capture_on_commit_callbacks
):
    send(client, ada, [tei_event("lonely", now_ms() - 60_000, "session_started")])
    project = finished_project(
        teacher_client, [ada], django_capture_on_commit_callbacks, widgets=["TEI001"]
    )
    response = teacher_client.get(replay_url(stored_in(project, "lonely")))
    assert response.status_code == 200
    assert "Events 1" in text(response)
    assert "5 s active 1 sitting over 0 s 1 event Opened, no work Score No answer given" in text(
        response
    )
    data = page_data(response)
    assert len(data["events"]) == 1
    assert len(data["figure"]["data"]) == 1


def test_a_session_resumed_two_days_later_reads_as_two_sittings_of_work_not_48_hours(
    client, teacher_client, ada, eager_tasks, django_capture_on_commit_callbacks
):
    send(client, ada, resumed_session("resumed", now_ms() - 3 * DAY))
    project = finished_project(
        teacher_client, [ada], django_capture_on_commit_callbacks, widgets=["TEI001"]
    )
    response = teacher_client.get(replay_url(stored_in(project, "resumed")))
    assert response.status_code == 200
    page = text(response)
    assert "10 min 11 s active 2 sittings over 2 days 8 events" in page
    assert " h " not in page  # no time in hours anywhere: the gap is not work
    # Each sitting, with how long the learner was away before it.
    assert re.search(
        r"Sittings 2 sittings \w{3} \d+ \w{3}, \d\d:\d\d · 6 min 06 s active · 5 events", page
    )
    assert re.search(r"\d\d:\d\d \(2 days later\) · 4 min 05 s active · 3 events", page)
    # The clock and the seek bar run over the sittings with the gap cut: 12 min, 1 s, 12 min.
    assert "Now 0:00.0 of 24:01.0 Sitting 1 of 2" in page
    assert 'max="1441000"' in response.content.decode()
    data = page_data(response)
    assert [(s["number"], s["at"], s["later"]) for s in data["sittings"]] == [
        (1, 0, ""), (2, 721_000, "2 days later"),
    ]  # fmt: skip
    layout = data["figure"]["layout"]
    assert [a["text"] for a in layout["annotations"]] == ["2 days later"]
    assert max(float(x) for t in data["figure"]["data"] for x in decode(t["x"])) < 25  # minutes
    # A link into the second sitting is in play time; one past the end says how long it plays.
    assert (
        page_data(teacher_client.get(replay_url(stored_in(project, "resumed"), "?t=1000")))[
            "initial"
        ]
        == 1_000_000
    )
    late = text(teacher_client.get(replay_url(stored_in(project, "resumed"), "?t=2000")))
    assert "This session lasts 24:01.0 with the gaps between its sittings cut" in late


def test_thousands_of_events_that_arrived_out_of_order_and_twice_replay_in_time_order(
    client, teacher_client, ada, eager_tasks, django_capture_on_commit_callbacks
):
    events = tei_session("busy", now_ms() - 3_600_000, moves=3000)
    # The device sent its second half first, then the first half, then resent a batch.
    half = len(events) // 2
    send(client, ada, events[half:])
    send(client, ada, events[:half])
    send(client, ada, events[:100])
    project = finished_project(
        teacher_client, [ada], django_capture_on_commit_callbacks, widgets=["TEI001"]
    )
    response = teacher_client.get(replay_url(stored_in(project, "busy")))
    assert response.status_code == 200
    page = text(response)
    assert f"Events {len(events):,}" in page
    assert "Repaired 100 duplicates dropped, " in page
    assert f"{half} events arrived out of order" in page
    data = page_data(response)
    assert [e["t"] for e in data["events"]] == [e["t"] for e in events]
    marks = sorted(int(i) for t in data["figure"]["data"] for i in decode(t["customdata"]))
    assert marks == list(range(len(events)))


def test_the_recording_row_says_how_many_events_were_refused(
    client, teacher_client, ada, django_capture_on_commit_callbacks
):
    events = tei_session("refusing", now_ms() - 3_600_000)
    broken = [{**tei_event("refusing", events[1]["t"], "card_placed"), "data": {"card": 7}}] * 2
    broken[1] = {**broken[0], "id": tei_event("refusing", 0, "x")["id"]}
    response = post_events(client, [*events, *broken], learner=ada.opaque_id)
    assert response.json()["refused"] == 2
    project = finished_project(
        teacher_client, [ada], django_capture_on_commit_callbacks, widgets=["TEI001"]
    )
    page = text(teacher_client.get(replay_url(stored_in(project, "refusing"))))
    assert f"Events {len(events)}" in page
    assert "Incomplete 2 events refused" in page
    assert "Clean" not in page


def test_a_session_whose_events_were_erased_since_says_so(teacher_client, project, ada):
    get_client().erase_learner(ada.opaque_id)
    response = teacher_client.get(replay_url(stored("ada-1")))
    assert response.status_code == 404
    assert "no longer in the analytics store" in text(response)
    assert "Ada Lovelace in" in text(response)


def test_more_events_than_the_run_counted_are_replayed_and_noted(
    client, teacher_client, project, ada
):
    session = stored("ada-1")
    later = session.start + session.duration + 5 * SECOND
    send(client, ada, [tei_event("ada-1", later, "session_resumed")])
    page = text(teacher_client.get(replay_url(session)))
    assert "Events 8 (run 1 counted 7; the learner added more since)" in page
    assert "7 events" in page  # the header gives the run's figures, as the explorer does


def test_the_frame_renders_the_widget_in_playback_mode_frameable_by_this_site_only(
    teacher_client,
):
    response = teacher_client.get("/replay/frame/TEI001/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    # The rest of the site's policy still holds in the frame.
    assert "script-src 'self' 'nonce-" in policy
    assert "object-src 'none'" in policy
    html = response.content.decode()
    config = json.loads(
        re.search(r'<script id="widget-config" type="application/json">(.*?)</script>', html).group(
            1
        )
    )
    assert config == {
        "widget": "TEI001",
        "session": "playback",
        "mode": "playback",
        "endpoint": "",
        "token": "",
    }
    assert 'src="/static/widgets/TEI001/main.js"' in html
    assert "logger" not in html


def test_every_other_page_forbids_being_framed_at_all(client, teacher_client):
    for page_client, url in ((teacher_client, "/teacher/"), (client, "/signin/")):
        response = page_client.get(url)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
        assert "frame-ancestors 'self'" not in response["Content-Security-Policy"], url


def test_the_frame_of_an_unknown_widget_is_a_404(teacher_client):
    assert teacher_client.get("/replay/frame/nope/").status_code == 404


def test_a_link_to_a_moment_on_the_learners_clock_opens_there_in_play_time(
    client, teacher_client, ada, eager_tasks, django_capture_on_commit_callbacks
):
    start = now_ms() - 3 * DAY
    send(client, ada, resumed_session("resumed", start))
    project = finished_project(
        teacher_client, [ada], django_capture_on_commit_callbacks, widgets=["TEI001"]
    )
    session = stored_in(project, "resumed")
    # The check, 12 minutes into the second sitting two days later: 12 min + 1 s + 12 min.
    check_at = start + 2 * DAY + 12 * 60_000
    data = page_data(teacher_client.get(replay_url(session, f"?at={check_at}")))
    assert data["initial"] == 1_441_000
    # A moment in the gap shows the end of the first sitting.
    assert (
        page_data(teacher_client.get(replay_url(session, f"?at={start + DAY}")))["initial"]
        == 720_000
    )
    assert teacher_client.get(replay_url(session, "?at=yesterday")).status_code == 400
