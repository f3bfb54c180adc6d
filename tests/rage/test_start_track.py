"""The RAGE collector door through the test client: starts (identified, new and continued
anonymous players, the session counts), the refusals RAGE's clients expect (400 for a malformed
JWT, 404 for an unknown tracking code or anonymous player, 401 for a bad authToken), tracks
stored as statements (and as events when they are about a widget), statements bound to their
session, privacy, tenants, erasure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from collector.datarequests import learner_erase, learner_move
from collector.models import Event, Learner, Tenant
from collector.rage.models import RagePlayer, RageSession
from collector.tenants import tenant_get_or_create
from collector.tokens import learner_token_issue, learner_tokens_revoke
from collector.xapi import iris
from collector.xapi.models import Statement
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, issue_token
from tests.rage.helpers import GAME, start, trace, track, tracking_code
from tests.xapi.helpers import basic, get

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


def test_it_starts_an_identified_player_with_a_learner_token(client):
    code = tracking_code()
    answer = start(client, code.code, bearer=issue_token())
    assert answer.status_code == 200, answer.content
    started = answer.json()
    assert started["playerId"] == OPAQUE
    assert started["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": iris.learner_home_page(), "name": OPAQUE},
    }
    assert started["objectId"] == GAME
    assert started["session"] == 1
    assert started["firstSessionStarted"] == started["currentSessionStarted"]
    assert started["authToken"].startswith("rage_")
    player = RagePlayer.objects.get(learner=OPAQUE)
    assert (player.anonymous, player.sessions) == (False, 1)
    session = RageSession.objects.get()
    assert str(session.registration) == started["registration"]
    assert started["authToken"] not in session.token_digest  # only its SHA-256 is kept


def test_each_start_counts_one_more_session_for_the_player(client):
    code, other_game = tracking_code(), tracking_code(activity="https://games.example/other")
    token = issue_token()
    answers = [start(client, code.code, bearer=token).json() for _ in range(3)]
    assert [answer["session"] for answer in answers] == [1, 2, 3]
    assert len({answer["authToken"] for answer in answers}) == 3
    assert answers[2]["firstSessionStarted"] == answers[0]["currentSessionStarted"]
    assert answers[2]["currentSessionStarted"] > answers[0]["currentSessionStarted"]
    # RAGE counts sessions per game; the player's own count is of every game of the tenant.
    assert start(client, other_game.code, bearer=token).json()["session"] == 1
    assert RagePlayer.objects.get(learner=OPAQUE).sessions == 4


def test_a_new_anonymous_player_is_a_new_random_opaque_id(client):
    code = tracking_code()
    first, second = start(client, code.code).json(), start(client, code.code).json()
    assert first["playerId"] != second["playerId"]
    assert len(first["playerId"]) == 32 and int(first["playerId"], 16) >= 0
    assert first["actor"]["account"]["name"] == first["playerId"]
    assert "name" not in first["actor"]
    assert RagePlayer.objects.filter(anonymous=True).count() == 2
    assert Learner.objects.filter(opaque_id=first["playerId"]).exists()


def test_an_anonymous_player_is_continued_by_its_id(client):
    code = tracking_code()
    first = start(client, code.code).json()
    again = start(client, code.code, body={"anonymous": f" {first['playerId']} "})
    assert again.status_code == 200, again.content
    assert again.json()["playerId"] == first["playerId"]
    assert again.json()["session"] == 2
    assert RagePlayer.objects.get(learner=first["playerId"]).sessions == 2
    # As RAGE does, `{}` or an empty id start a new anonymous player.
    assert start(client, code.code, body={}).json()["playerId"] != first["playerId"]
    assert start(client, code.code, body={"anonymous": ""}).json()["session"] == 1


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "Basic dXNlcjpwYXNz", "Bearer"],
)
def test_a_malformed_jwt_is_a_400_and_starts_nothing(client, authorization):
    code = tracking_code()
    answer = start(client, code.code, Authorization=authorization)
    assert answer.status_code == 400
    assert answer.json()["field"] == "Authorization"
    assert not RagePlayer.objects.exists() and not RageSession.objects.exists()


def test_a_revoked_or_other_tenants_learner_token_is_a_400(client):
    code = tracking_code()
    token = issue_token()
    learner_tokens_revoke(tenant_id=code.tenant_id, learner=OPAQUE)
    assert start(client, code.code, bearer=token).status_code == 400
    other = tenant_get_or_create(name="school B")
    theirs = learner_token_issue(tenant_id=other.pk, learner=OTHER_OPAQUE)
    answer = start(client, code.code, bearer=theirs)
    assert answer.status_code == 400
    assert "not valid for this tracking code" in answer.json()["error"]


def test_an_unknown_anonymous_player_is_a_404(client):
    code = tracking_code()
    answer = start(client, code.code, body={"anonymous": "ab" * 16})
    assert answer.status_code == 404
    assert "anonymous player" in answer.json()["error"]
    # An identified player's opaque id is not an anonymous player: it needs its token.
    start(client, code.code, bearer=issue_token())
    assert start(client, code.code, body={"anonymous": OPAQUE}).status_code == 404
    assert RagePlayer.objects.get(learner=OPAQUE).sessions == 1


def test_an_unknown_or_switched_off_tracking_code_is_a_404(client):
    assert start(client, "no-such-code").status_code == 404
    code = tracking_code()
    code.enabled = False
    code.save()
    assert start(client, code.code).status_code == 404
    assert not RagePlayer.objects.exists()


def test_a_start_body_must_be_json_naming_the_player(client):
    code = tracking_code()
    answer = client.post(
        f"/api/collector/start/{code.code}", "anonymous=x", content_type="text/plain"
    )
    assert answer.status_code == 415
    assert start(client, code.code, body={"anonymous": 7}).json()["field"] == "anonymous"
    assert start(client, code.code, body=["x"]).status_code == 400
    assert start(client, code.code, body={"anonymous": "a\u0000b"}).status_code == 400


def test_tracked_statements_are_stored_for_the_session(client):
    code = tracking_code()
    started = start(client, code.code, bearer=issue_token()).json()
    body = [trace(started), trace(started, "level/1"), trace(started, "")]
    answer = track(client, started["authToken"], body)
    assert answer.status_code == 200, answer.content
    assert answer.json()["message"] == "Success."
    assert len(answer.json()["ids"]) == 3
    rows = Statement.objects.order_by("seq")
    assert [row.learner for row in rows] == [OPAQUE] * 3
    assert {str(row.registration) for row in rows} == {started["registration"]}
    assert [row.activity for row in rows] == [f"{GAME}/screen/menu", f"{GAME}/level/1", f"{GAME}/"]
    found = get(client, basic(), registration=started["registration"]).json()["statements"]
    assert len(found) == 3
    assert found[0]["authority"]["account"]["name"] == OPAQUE


def test_statements_about_a_widget_become_events_of_the_session(client):
    code = tracking_code(activity=iris.widget_activity("BLL002"))
    started = start(client, code.code, bearer=issue_token()).json()
    statement = {
        "verb": {"id": iris.verb_of("session_started")},
        "object": {"id": started["objectId"]},
        "timestamp": "2026-12-06T09:30:00.000Z",
    }
    assert track(client, started["authToken"], [statement]).status_code == 200
    event = Event.objects.get()
    assert (event.learner, event.widget, event.type) == (OPAQUE, "BLL002", "session_started")
    assert event.session == started["registration"]


@pytest.mark.parametrize(
    "authorization", [None, "", "rage_no-such-token", "Bearer rage_no-such-token"]
)
def test_a_bad_auth_token_is_a_401(client, authorization):
    answer = track(client, authorization, [{"verb": {"id": "https://x.example/v"}}])
    assert answer.status_code == 401
    assert "authToken" in answer.json()["error"]
    assert not Statement.objects.exists()


def test_an_auth_token_stops_working_when_its_player_or_code_is_withdrawn(client):
    code = tracking_code()
    started = start(client, code.code).json()
    learner_tokens_revoke(tenant_id=code.tenant_id, learner=started["playerId"])
    assert track(client, started["authToken"], [trace(started)]).status_code == 401
    started = start(client, code.code, body={"anonymous": started["playerId"]}).json()
    assert track(client, started["authToken"], [trace(started)]).status_code == 200
    code.enabled = False
    code.save()
    assert track(client, started["authToken"], [trace(started)]).status_code == 401


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"verb": {"id": "not an iri"}}, 400, "/1/verb/id"),
        ({"object": {"id": "https://elsewhere.example/game"}}, 400, "/1/object/id"),
        ({"object": {"id": f"{GAME}-2/level"}}, 400, "/1/object/id"),
        ({"object": {"objectType": "Agent", "account": {}}}, 400, "/1/object/account/homePage"),
        ({"context": {"registration": str(uuid.uuid4())}}, 400, "/1/context/registration"),
        ({"actor": {"name": "Ada Lovelace", "account": None}}, 400, "/1/actor/name"),
        ({"actor": {"mbox": "mailto:ada@school.example"}}, 400, "/1/actor/mbox"),
        ({"id": "not-a-uuid"}, 400, "/1/id"),
    ],
)
def test_a_statement_that_is_not_the_sessions_is_refused_naming_the_field(
    client, change, status, field
):
    code = tracking_code()
    started = start(client, code.code, bearer=issue_token()).json()
    answer = track(client, started["authToken"], [trace(started), {**trace(started), **change}])
    assert answer.status_code == status, answer.content
    assert answer.json()["field"] == field
    assert not Statement.objects.exists()  # the valid first one neither: all or nothing


def test_another_learners_actor_is_a_403(client):
    code = tracking_code()
    started = start(client, code.code, bearer=issue_token()).json()
    other = {"account": {"homePage": iris.learner_home_page(), "name": OTHER_OPAQUE}}
    answer = track(client, started["authToken"], [trace(started, actor=other)])
    assert answer.status_code == 403
    assert "/0/actor" in answer.json()["error"]
    assert not Statement.objects.exists()


@pytest.mark.parametrize("body", [{}, [], "x", None, [1]])
def test_a_track_body_must_be_an_array_of_statements(client, body):
    started = start(client, tracking_code().code).json()
    assert track(client, started["authToken"], body).status_code == 400


def test_a_statement_sent_again_is_stored_once_and_a_changed_one_is_a_409(client):
    started = start(client, tracking_code().code).json()
    statement = trace(started, id=str(uuid.uuid4()))
    assert track(client, started["authToken"], [statement]).status_code == 200
    assert track(client, started["authToken"], [statement]).status_code == 200
    changed = {**statement, "verb": {"id": "https://x.example/verbs/other"}}
    answer = track(client, started["authToken"], [trace(started), changed])
    assert answer.status_code == 409 and answer.json()["ids"] == [statement["id"]]
    assert Statement.objects.count() == 1


def test_a_tenant_sees_only_its_own_rage_statements(client):
    school_b = Tenant.objects.create(name="school B")
    mine, theirs = tracking_code(), tracking_code(school_b)
    started_a = start(client, mine.code, bearer=issue_token()).json()
    started_b = start(client, theirs.code).json()
    assert track(client, started_a["authToken"], [trace(started_a)]).status_code == 200
    assert track(client, started_b["authToken"], [trace(started_b)]).status_code == 200
    a = get(client, basic()).json()["statements"]
    b = get(client, basic(school_b)).json()["statements"]
    assert [s["actor"]["account"]["name"] for s in a] == [OPAQUE]
    assert [s["actor"]["account"]["name"] for s in b] == [started_b["playerId"]]
    # A tenant's anonymous player cannot be continued through another tenant's code.
    answer = start(client, mine.code, body={"anonymous": started_b["playerId"]})
    assert answer.status_code == 404
    # Nor an identified player started with another tenant's learner token.
    assert start(client, theirs.code, bearer=issue_token()).status_code == 400


def test_erasing_a_learner_erases_its_player_and_ends_its_sessions(client):
    code = tracking_code()
    started = start(client, code.code, bearer=issue_token()).json()
    learner_erase(tenant_id=code.tenant_id, learner=OPAQUE)
    assert not RagePlayer.objects.exists() and not RageSession.objects.exists()
    assert track(client, started["authToken"], [trace(started)]).status_code == 401


def test_moving_a_learner_moves_its_player_and_sessions(client):
    code = tracking_code()
    start(client, code.code, bearer=issue_token())
    start(client, code.code, bearer=issue_token(OTHER_OPAQUE))
    learner_move(tenant_id=code.tenant_id, learner=OPAQUE, to=OTHER_OPAQUE)
    player = RagePlayer.objects.get()
    assert (player.learner, player.sessions) == (OTHER_OPAQUE, 2)
    assert RageSession.objects.filter(player=player).count() == 2


def test_starts_and_tracks_past_the_rate_limit_wait_for_retry_after(client, settings, time_machine):
    # One fixed minute: a run that crossed a minute boundary would start a new window.
    time_machine.move_to(datetime.now(UTC).replace(second=5, microsecond=0), tick=False)
    settings.INGEST_RATE_LIMIT = 2
    code = tracking_code()
    started = start(client, code.code).json()
    assert start(client, code.code).status_code == 200
    refused = start(client, code.code)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "per tracking code" in refused.json()["error"]
    for _ in range(2):
        assert track(client, started["authToken"], [trace(started)]).status_code == 200
    refused = track(client, started["authToken"], [trace(started)])
    assert refused.status_code == 429 and "per authToken" in refused.json()["error"]
