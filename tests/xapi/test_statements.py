"""The Statements resource through the test client: storing, fetching, querying, voiding, the
rules for ids and conflicts, the version header, validation naming the field, credentials and
tenants."""

from __future__ import annotations

import json
import uuid

import pytest

from collector.models import Event, Session, Tenant
from collector.xapi import iris
from collector.xapi.models import Statement
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE
from tests.xapi.helpers import (
    OTHER_ACTIVITY,
    VERSION,
    account,
    basic,
    bearer,
    get,
    post,
    put,
    statement,
    widget_statement,
)

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


def test_it_answers_about_without_credentials_and_with_the_version_header(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.json()["version"]
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_it_refuses_a_request_without_the_version_header(client):
    response = client.get("/xapi/statements", headers={"Authorization": basic()})
    assert response.status_code == 400
    assert response.json()["field"] == "X-Experience-API-Version"
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_it_stores_one_and_fetches_it_with_stored_authority_and_version(client):
    auth = basic()
    sent = statement()
    response = post(client, sent, auth)
    assert response.status_code == 200
    assert response.json() == [sent["id"]]
    assert "X-Experience-API-Consistent-Through" in response
    fetched = get(client, auth, statementId=sent["id"]).json()
    assert fetched["actor"] == sent["actor"] and fetched["object"] == sent["object"]
    assert fetched["version"] == "1.0.0"
    assert fetched["stored"].endswith("Z") and fetched["timestamp"] == fetched["stored"]
    assert fetched["authority"]["account"]["homePage"] == iris.api_key_home_page()


def test_it_gives_an_id_to_a_statement_sent_without_one(client):
    sent = statement()
    del sent["id"]
    (statement_id,) = post(client, sent, basic()).json()
    assert Statement.objects.filter(statement_id=statement_id).exists()


def test_it_stores_a_batch_whole_or_not_at_all(client):
    auth = basic()
    batch = [statement(), statement(), statement(verb={"id": "not an iri"})]
    response = post(client, batch, auth)
    assert response.status_code == 400
    assert response.json()["field"] == "/2/verb/id"
    assert Statement.objects.count() == 0
    assert post(client, batch[:2], auth).status_code == 200
    assert Statement.objects.count() == 2


def test_it_takes_the_same_statement_twice_as_a_no_op_and_other_content_as_a_conflict(client):
    auth = basic()
    sent = statement()
    assert post(client, sent, auth).status_code == 200
    assert post(client, sent, auth).status_code == 200
    assert put(client, sent, auth, sent["id"]).status_code == 204
    assert Statement.objects.count() == 1
    changed = {**sent, "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}}
    response = post(client, [statement(), changed], auth)
    assert response.status_code == 409
    assert response.json()["ids"] == [sent["id"]]
    assert Statement.objects.count() == 1


def _resent(client, first: dict, again: dict, *, in_one_batch: bool = False) -> int:
    """The status of sending `again` (same id) after `first`, or of both in one list."""
    auth = basic()
    if in_one_batch:
        return post(client, [first, again], auth).status_code
    assert post(client, first, auth).status_code == 200
    return post(client, again, auth).status_code


SAME_CONTENT = {
    "the same moment written another way": (
        {"timestamp": "2026-12-06T09:30:00Z"},
        {"timestamp": "2026-12-06T10:30:00.000+01:00"},
    ),
    "no timestamp either time": ({}, {}),
    "keys in another order": (
        {"result": {"success": True, "score": {"scaled": 0.5, "raw": 5}}},
        {"result": {"score": {"raw": 5, "scaled": 0.5}, "success": True}},
    ),
    "what the LRS sets": ({"version": "1.0.3"}, {"version": "1.0.0"}),
}
OTHER_CONTENT = {
    "another moment": (
        {"timestamp": "2026-12-06T09:30:00Z"},
        {"timestamp": "2026-12-06T09:30:01Z"},
    ),
    "a timestamp only the second time": ({}, {"timestamp": "2026-12-06T09:30:00Z"}),
    "1 against 1.0": ({"result": {"score": {"raw": 1}}}, {"result": {"score": {"raw": 1.0}}}),
    "true against 1": (
        {"result": {"extensions": {"https://x.example/e": True}}},
        {"result": {"extensions": {"https://x.example/e": 1}}},
    ),
}


@pytest.mark.parametrize("first, again", SAME_CONTENT.values(), ids=SAME_CONTENT.keys())
@pytest.mark.parametrize("in_one_batch", [False, True], ids=["resent", "twins"])
def test_the_same_content_with_one_id_is_stored_once(client, first, again, in_one_batch):
    sent = statement(**first)
    assert _resent(client, sent, {**sent, **again}, in_one_batch=in_one_batch) == 200
    assert Statement.objects.count() == 1


@pytest.mark.parametrize("first, again", OTHER_CONTENT.values(), ids=OTHER_CONTENT.keys())
@pytest.mark.parametrize("in_one_batch", [False, True], ids=["resent", "twins"])
def test_other_content_with_one_id_is_refused(client, first, again, in_one_batch):
    sent = statement(**first)
    expected = 400 if in_one_batch else 409  # twins in a list: the list itself is wrong
    assert _resent(client, sent, {**sent, **again}, in_one_batch=in_one_batch) == expected
    assert Statement.objects.count() == (0 if in_one_batch else 1)


def test_it_puts_by_statement_id_and_refuses_another_id_in_the_body(client):
    auth = basic()
    statement_id = str(uuid.uuid4())
    sent = statement()
    del sent["id"]
    assert put(client, sent, auth, statement_id).status_code == 204
    assert get(client, auth, statementId=statement_id).status_code == 200
    response = put(client, statement(), auth, str(uuid.uuid4()))
    assert response.status_code == 400 and response.json()["field"] == "/id"


def test_it_voids_a_statement(client):
    auth = basic()
    target = statement()
    post(client, target, auth)
    voiding = statement(
        verb={"id": iris.VOIDED}, object={"objectType": "StatementRef", "id": target["id"]}
    )
    assert post(client, voiding, auth).status_code == 200
    assert get(client, auth, statementId=target["id"]).status_code == 404
    assert get(client, auth, voidedStatementId=target["id"]).json()["id"] == target["id"]
    listed = [item["id"] for item in get(client, auth).json()["statements"]]
    assert listed == [voiding["id"]]
    again = statement(
        verb={"id": iris.VOIDED}, object={"objectType": "StatementRef", "id": voiding["id"]}
    )
    assert post(client, again, auth).status_code == 400


def test_it_queries_with_filters_and_pages_with_more(client):
    auth = basic()
    registration = str(uuid.uuid4())
    mine = [statement(context={"registration": registration}) for _ in range(5)]
    post(client, mine, auth)
    post(client, statement(actor=account(OTHER_OPAQUE)), auth)
    agent = json.dumps({"account": {"homePage": iris.learner_home_page(), "name": OPAQUE}})
    seen, params = [], {"agent": agent, "limit": "2", "ascending": "true"}
    page = get(client, auth, **params).json()
    seen += page["statements"]
    while page["more"]:
        page = client.get(page["more"], headers={"Authorization": auth, **VERSION}).json()
        seen += page["statements"]
    assert [item["id"] for item in seen] == [item["id"] for item in mine]
    by_registration = get(client, auth, registration=registration).json()["statements"]
    assert len(by_registration) == 5
    assert get(client, auth, activity=OTHER_ACTIVITY, verb="http://x.example/v").json() == {
        "statements": [],
        "more": "",
    }
    ids = get(client, auth, format="ids", limit="1").json()["statements"][0]
    assert ids["verb"] == {"id": "http://adlnet.gov/expapi/verbs/answered"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "-1"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"agent": '{"mbox": "mailto:ada@school.example"}'}, "agent/mbox"),
        ({"verb": "answered"}, "verb"),
        ({"colour": "red"}, "colour"),
        ({"statementId": "12"}, "statementId"),
    ],
)
def test_it_refuses_bad_query_parameters_naming_them(client, params, field):
    response = get(client, basic(), **params)
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"actor": {"mbox": "mailto:ada@school.example"}}, "/actor/mbox"),
        ({"actor": {"mbox_sha1sum": "a" * 40}}, "/actor/mbox_sha1sum"),
        ({"actor": {"openid": "https://id.example/ada"}}, "/actor/openid"),
        ({"actor": {**account(), "name": "Ada Lovelace"}}, "/actor/name"),
        ({"actor": {"account": {"homePage": "https://lms.example", "name": "ada"}}},
         "/actor/account/homePage"),
        ({"context": {"instructor": {"mbox": "mailto:t@school.example"}}},
         "/context/instructor/mbox"),
        ({"context": {"registration": "r-1"}}, "/context/registration"),
        ({"result": {"score": {"scaled": 2}}}, "/result/score/scaled"),
        ({"result": {"duration": "10 minutes"}}, "/result/duration"),
        ({"timestamp": "06/12/2026"}, "/timestamp"),
        ({"attachments": {}}, "/attachments"),
        ({"attachments": [{"usageType": "https://x.example/u", "display": {"en": "x"},
                           "contentType": "text/plain", "length": 1}]}, "/attachments/0/sha2"),
        ({"colour": "red"}, "/colour"),
        ({"object": {"id": "https://x.example/a", "definition": {"name": {"en": 3}}}},
         "/object/definition/name/en"),
        ({"result": {"extensions": {"not an iri": 1}}}, "/result/extensions/not an iri"),
    ],
)  # fmt: skip
def test_it_refuses_an_invalid_statement_naming_the_field(client, change, field):
    response = post(client, statement(**change), basic())
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field
    assert Statement.objects.count() == 0


def test_a_multipart_body_that_is_not_one_is_a_400_naming_the_problem(client):
    response = client.post(
        "/xapi/statements", b"--x--", content_type="multipart/mixed; boundary=x",
        headers={"Authorization": basic(), **VERSION},
    )  # fmt: skip
    assert response.status_code == 400
    assert "'--<boundary>'" in response.json()["error"]
    assert Statement.objects.count() == 0


def test_a_learner_token_sends_its_own_learners_statements_only(client):
    auth = bearer(OPAQUE)
    assert post(client, statement(), auth).status_code == 200
    someone_else = post(client, statement(actor=account(OTHER_OPAQUE)), auth)
    assert someone_else.status_code == 403
    group = {"objectType": "Group", "member": [account(OPAQUE)]}
    assert post(client, statement(actor=group), auth).status_code == 403
    assert get(client, auth).status_code == 403  # it reads nothing
    stored = Statement.objects.get()
    assert json.loads(stored.body)["authority"]["account"]["name"] == OPAQUE


def test_it_refuses_missing_or_wrong_credentials_with_a_challenge(client):
    response = client.get("/xapi/statements", headers=VERSION)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    wrong = get(client, "Basic " + "cGxrX2FiYzp4eXo=")  # plk_abc:xyz
    assert wrong.status_code == 401


def test_tenants_never_see_each_others_statements(client):
    mine, theirs = basic(), basic(Tenant.objects.create(name="district"))
    sent = statement()
    post(client, sent, mine)
    assert get(client, theirs, statementId=sent["id"]).status_code == 404
    assert get(client, theirs).json()["statements"] == []
    # The same id in another tenant is another statement, not a conflict.
    other = {**sent, "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}}
    assert post(client, other, theirs).status_code == 200


def test_a_widget_statement_is_stored_as_an_event_of_its_session(client):
    session = str(uuid.uuid4())
    sent = [
        widget_statement("session_started", session=session),
        widget_statement("session_completed", session=session,
                         timestamp="2026-12-06T09:31:00.000Z"),
    ]  # fmt: skip
    assert post(client, sent, bearer()).status_code == 200
    events = list(Event.objects.order_by("t").values_list("type", "session", "learner", "t"))
    assert [event[0] for event in events] == ["session_started", "session_completed"]
    assert {event[1] for event in events} == {session}
    assert events[0][3] == 1_796_549_400_000  # 2026-12-06T09:30:00Z
    row = Session.objects.get()
    assert (row.widget, row.event_count, row.status) == ("BLL002", 2, "completed")
    assert Statement.objects.filter(widget="BLL002").count() == 2


def test_a_batch_resending_a_stored_statement_stores_the_others_once_and_the_event_once(client):
    # The store first inserts as if every id were new; a taken id rolls that back whole and the
    # careful way stores the rest: nothing twice, not the session's count either.
    session = str(uuid.uuid4())
    first = widget_statement("session_started", session=session)
    assert post(client, [first], bearer()).status_code == 200
    later = widget_statement("session_completed", session=session,
                             timestamp="2026-12-06T09:31:00.000Z")  # fmt: skip
    assert post(client, [later, first, statement()], bearer()).status_code == 200
    assert Statement.objects.count() == 3 and Event.objects.count() == 2
    assert Session.objects.get().event_count == 2
    changed = {**later, "timestamp": "2026-12-06T09:32:00.000Z"}
    response = post(client, [widget_statement(session=session), changed], bearer())
    assert response.status_code == 409 and response.json()["ids"] == [later["id"]]
    assert Statement.objects.count() == 3 and Event.objects.count() == 2


def test_a_widget_statement_is_checked_as_its_event(client):
    bad_verb = widget_statement(verb={"id": "http://adlnet.gov/expapi/verbs/answered"})
    response = post(client, bad_verb, basic())
    assert response.status_code == 400 and response.json()["field"] == "/verb/id"
    unknown_type = widget_statement(verb={"id": iris.verb_of("danced")})
    response = post(client, unknown_type, basic())
    assert response.status_code == 400 and response.json()["field"] == "/verb/id"
    no_session = widget_statement()
    del no_session["context"]
    response = post(client, no_session, basic())
    assert response.status_code == 400 and response.json()["field"] == "/context/registration"
    assert Event.objects.count() == 0 and Statement.objects.count() == 0


def test_cors_lets_listed_origins_in(client, settings):
    settings.COLLECTOR_CORS_ORIGINS = ["https://content.example"]
    preflight = client.options("/xapi/statements", headers={"Origin": "https://content.example"})
    assert preflight.status_code == 204
    assert "X-Experience-API-Version" in preflight["Access-Control-Allow-Headers"]
    refused = client.options("/xapi/statements", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403


def test_related_filters_reach_context_activities_and_instructors(client):
    auth = basic()
    course = "https://content.example/course-1"
    instructed = statement(
        context={
            "contextActivities": {"parent": {"id": course}},
            "instructor": account(OTHER_OPAQUE),
        }
    )
    post(client, [instructed, statement()], auth)
    by_object = get(client, auth, activity=course).json()["statements"]
    related = get(client, auth, activity=course, related_activities="true").json()["statements"]
    assert by_object == [] and [item["id"] for item in related] == [instructed["id"]]
    teacher = json.dumps(account(OTHER_OPAQUE))
    assert get(client, auth, agent=teacher).json()["statements"] == []
    found = get(client, auth, agent=teacher, related_agents="true").json()["statements"]
    assert [item["id"] for item in found] == [instructed["id"]]
    # Sent as one Activity, a context activity comes back as a list of one.
    assert found[0]["context"]["contextActivities"]["parent"] == [{"id": course}]


def test_since_and_until_bound_the_stored_time(client):
    auth = basic()
    first = statement()
    post(client, first, auth)
    stored = get(client, auth, statementId=first["id"]).json()["stored"]
    second = statement()
    post(client, second, auth)
    after = [item["id"] for item in get(client, auth, since=stored).json()["statements"]]
    until = [item["id"] for item in get(client, auth, until=stored).json()["statements"]]
    assert first["id"] not in after and first["id"] in until
    assert second["id"] not in until or second["id"] in after


def test_an_unknown_xapi_url_is_a_json_404_with_the_version_header(client):
    response = client.get("/xapi/agents/profile", headers=VERSION)
    assert response.status_code == 404
    assert response.json()["error"]
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_head_is_answered_as_get_without_the_body(client):
    auth = basic()
    sent = statement()
    post(client, sent, auth)
    response = client.head(
        f"/xapi/statements?statementId={sent['id']}", headers={"Authorization": auth, **VERSION}
    )
    assert response.status_code == 200 and response.content == b""
    assert response["X-Experience-API-Version"] == "1.0.3"
    missing = client.head(
        f"/xapi/statements?statementId={uuid.uuid4()}", headers={"Authorization": auth, **VERSION}
    )
    assert missing.status_code == 404
