"""xAPI out for a whole run: a `statements` data request answers the learners' widget events as
statements, then their statements about other activities, in the request's window, page by page
(a cursor, not an offset), through the API and both clients. The teacher's download is tested in
tests/projects/test_statements_download.py."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from collector.apikeys import api_key_create
from collector.client import HttpCollector, LocalCollector
from collector.datarequests import data_request_process
from collector.models import Event, Tenant
from collector.tenants import tenant_default
from collector.xapi.models import Statement
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, event, post_events
from tests.xapi.helpers import account, basic, post, statement

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])
T0 = 1_765_000_000_000  # 2025-12-06T05:46:40Z
STRANGER = "2d" * 16


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


@pytest.fixture
def key():
    _, text = api_key_create(name="school", tenant=tenant_default())
    return text


@pytest.fixture
def recorded(client):
    """Our learner: a BLL002 session of two events and a TEI001 one (outside the window), and a
    quiz statement; the other learner: one event; a stranger (not asked for): an event and a
    quiz statement; another tenant: the same opaque id's statement."""
    mine = [
        event(session="s-1", t=T0, type="session_started"),
        event(session="s-1", t=T0 + 60_000, type="session_completed"),
        event(session="s-late", widget="TEI001", t=T0 + 10 * 3_600_000),
    ]
    assert post_events(client, mine).status_code == 202
    theirs = [event(session="s-2", t=T0 + 1000)]
    assert post_events(client, theirs, learner=OTHER_OPAQUE).status_code == 202
    assert post_events(client, [event(session="s-3", t=T0)], learner=STRANGER).status_code == 202
    quiz = statement(timestamp=_iso(T0 + 30_000))
    assert post(client, quiz, basic()).status_code == 200
    stranger_quiz = statement(actor=account(STRANGER), timestamp=_iso(T0))
    assert post(client, stranger_quiz, basic()).status_code == 200
    district = Tenant.objects.create(name="district")
    assert post(client, statement(timestamp=_iso(T0)), basic(district)).status_code == 200
    return {"events": mine[:2] + theirs, "quiz": quiz}


def _done(client, key, **payload) -> str:
    body = {
        "kind": "statements",
        "learners": [OPAQUE, OTHER_OPAQUE],
        "from": _iso(T0 - 3_600_000),
        "to": _iso(T0 + 3_600_000),
        **payload,
    }
    response = client.post(
        "/api/v1/data-requests", body, content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data_request_process(request_id=response.json()["id"])
    return response.json()["id"]


def _all_pages(client, key, request_id, limit):
    url = f"/api/v1/data-requests/{request_id}/results?limit={limit}"
    pages = []
    while url:
        answer = client.get(url, headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200, answer.content
        pages.append(answer.json())
        url = answer.json()["next"]
    return pages


@pytest.mark.parametrize("limit", [1, 2, 3, 10_000])
def test_it_answers_the_events_then_the_other_statements_page_by_page(client, key, recorded, limit):
    request_id = _done(client, key)
    pages = _all_pages(client, key, request_id, limit)
    statements = [s for page in pages for s in page["results"]]
    assert pages[0]["count"] == 4 and pages[0]["kind"] == "statements"
    assert all(len(page["results"]) <= limit for page in pages)
    assert pages[0]["limit"] == min(limit, 2000)
    assert [s["id"] for s in statements] == [
        *(sent["id"] for sent in recorded["events"]),
        recorded["quiz"]["id"],
    ]
    assert statements[0]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/initialized"
    assert statements[2]["actor"]["account"]["name"] == OTHER_OPAQUE
    quiz = statements[3]
    assert "stored" not in quiz and "authority" not in quiz
    assert quiz["object"] == recorded["quiz"]["object"]


@pytest.mark.parametrize("offset", [0, 1, 2, 3, 4, 9])
def test_an_offset_starts_the_pages_there(client, key, recorded, offset):
    request_id = _done(client, key)
    every = [s["id"] for page in _all_pages(client, key, request_id, 1000) for s in page["results"]]
    url = f"/api/v1/data-requests/{request_id}/results?offset={offset}&limit=2"
    answer = client.get(url, headers={"Authorization": f"Bearer {key}"}).json()
    assert [s["id"] for s in answer["results"]] == every[offset : offset + 2]


def test_the_widgets_asked_for_limit_the_events_not_the_other_activities(client, key, recorded):
    request_id = _done(client, key, widgets=["TEI001"])
    [page] = _all_pages(client, key, request_id, 100)
    assert [s["id"] for s in page["results"]] == [recorded["quiz"]["id"]]


def test_what_arrives_after_processing_is_not_in_the_answer(client, key, recorded):
    request_id = _done(client, key)
    post_events(client, [event(session="s-1", t=T0 + 2000)])
    assert post(client, statement(timestamp=_iso(T0 + 5000)), basic()).status_code == 200
    [page] = _all_pages(client, key, request_id, 100)
    assert len(page["results"]) == 4


def test_the_statements_are_accepted_by_another_lrs_as_they_are(client, key, recorded):
    request_id = _done(client, key)
    [page] = _all_pages(client, key, request_id, 100)
    district = Tenant.objects.get(name="district")
    response = post(client, page["results"], basic(district))
    assert response.status_code == 200, response.content
    assert response.json() == [s["id"] for s in page["results"]]
    assert Event.objects.filter(tenant=district).count() == 3
    assert Statement.objects.filter(tenant=district, widget="").count() == 2


def test_another_tenant_gets_a_404_and_its_statements_are_never_answered(client, key, recorded):
    request_id = _done(client, key)
    district = Tenant.objects.get(name="district")
    _, theirs = api_key_create(name="district", tenant=district)
    answer = client.get(
        f"/api/v1/data-requests/{request_id}/results", headers={"Authorization": f"Bearer {theirs}"}
    )
    assert answer.status_code == 404
    own = _done(client, theirs)
    [page] = _all_pages(client, theirs, own, 100)
    assert len(page["results"]) == 1 and page["results"][0]["actor"]["account"]["name"] == OPAQUE


def test_no_work_in_the_window_is_an_empty_answer(client, key, recorded):
    request_id = _done(client, key, **{"from": _iso(T0 - 7_200_000), "to": _iso(T0 - 3_600_000)})
    [page] = _all_pages(client, key, request_id, 100)
    assert page["count"] == 0 and page["results"] == [] and page["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=x12", "cursor"),
        ("cursor=e", "cursor"),
        ("cursor=e12", "cursor"),
        ("cursor=", "cursor"),
        ("offset=x", "offset"),
        ("limit=-1", "limit"),
    ],
)
def test_a_bad_page_parameter_is_a_400_naming_it(client, key, recorded, query, field):
    request_id = _done(client, key)
    answer = client.get(
        f"/api/v1/data-requests/{request_id}/results?{query}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 400 and answer.json()["field"] == field


@pytest.mark.django_db(transaction=True, databases=["default", "analytics"])
@pytest.mark.parametrize("kind", ["local", "http"])
def test_both_clients_page_through_the_statements(client, recorded, kind, request, monkeypatch):
    monkeypatch.setattr("collector.client.STATEMENTS_PAGE", 2)
    if kind == "local":
        collector = LocalCollector()
    else:
        live_server = request.getfixturevalue("live_server")
        _, key = api_key_create(name="remote school", tenant=tenant_default())
        collector = HttpCollector(live_server.url, key)
    created = collector.create_data_request(
        kind="statements", learners=[OPAQUE, OTHER_OPAQUE, str(uuid.uuid4())[:8]], widgets=[],
        time_from=datetime.fromtimestamp((T0 - 3_600_000) / 1000, UTC),
        time_to=datetime.fromtimestamp((T0 + 3_600_000) / 1000, UTC),
    )  # fmt: skip
    data_request_process(request_id=created.id)
    ids = [s["id"] for s in collector.iter_statements(created.id)]
    assert ids == [*(sent["id"] for sent in recorded["events"]), recorded["quiz"]["id"]]


def test_a_signed_statement_is_exported_without_the_signature_only_this_lrs_holds(client, key):
    from tests.xapi.signing import multipart, part, signed

    sent, token = signed(statement(timestamp=_iso(T0)))
    response = client.post(
        "/xapi/statements", multipart(json.dumps(sent).encode(), part(token)),
        content_type="multipart/mixed; boundary=pathlens-test-boundary",
        headers={"Authorization": basic(), "X-Experience-API-Version": "1.0.3"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    [page] = _all_pages(client, key, _done(client, key), 100)
    [exported] = page["results"]
    assert exported["id"] == sent["id"] and "attachments" not in exported
    district = Tenant.objects.create(name="district")
    assert post(client, page["results"], basic(district)).status_code == 200
