"""The State resource through the test client: PUT, POST (merge), GET one or the ids, DELETE,
learner-token binding, tenants, erasure."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from collector.datarequests import learner_erase
from collector.models import Tenant
from collector.tenants import tenant_default
from collector.xapi.models import ActivityState, Statement
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE
from tests.xapi.helpers import VERSION, account, basic, bearer, post, statement

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])
ACTIVITY = "https://content.example/sim-3"


def url(learner: str = OPAQUE, **extra) -> str:
    query = {"activityId": ACTIVITY, "agent": json.dumps(account(learner)), **extra}
    return "/xapi/activities/state?" + urllib.parse.urlencode(query)


def send(client, method, auth, path, body=b"", content_type="application/json"):
    return client.generic(
        method, path, body, content_type=content_type, headers={"Authorization": auth, **VERSION}
    )


def test_it_keeps_a_document_and_answers_it_as_sent(client):
    auth = basic()
    put = send(client, "PUT", auth, url(stateId="resume"), b"page=3", "text/plain")
    assert put.status_code == 204
    got = send(client, "GET", auth, url(stateId="resume"))
    assert got.status_code == 200
    assert got.content == b"page=3" and got["Content-Type"] == "text/plain"
    assert got["ETag"] and got["Last-Modified"]
    assert send(client, "GET", auth, url()).json() == ["resume"]


def test_post_merges_json_objects_and_refuses_to_merge_anything_else(client):
    auth = basic()
    send(client, "POST", auth, url(stateId="s"), b'{"page": 3, "score": 1}')
    send(client, "POST", auth, url(stateId="s"), b'{"page": 4}')
    assert send(client, "GET", auth, url(stateId="s")).json() == {"page": 4, "score": 1}
    refused = send(client, "POST", auth, url(stateId="s"), b"[1]")
    assert refused.status_code == 400
    send(client, "PUT", auth, url(stateId="t"), b"text", "text/plain")
    assert send(client, "POST", auth, url(stateId="t"), b"{}").status_code == 400


def test_registrations_keep_documents_apart_and_delete_removes_them(client):
    auth = basic()
    registration = "6fa459ea-ee8a-3ca4-894e-db77e160355e"
    send(client, "PUT", auth, url(stateId="a"), b"{}")
    send(client, "PUT", auth, url(stateId="a", registration=registration), b'{"r": 1}')
    send(client, "PUT", auth, url(stateId="b"), b"{}")
    with_registration = send(client, "GET", auth, url(stateId="a", registration=registration))
    assert with_registration.json() == {"r": 1}
    assert send(client, "DELETE", auth, url(stateId="a")).status_code == 204
    assert send(client, "GET", auth, url(stateId="a")).status_code == 404
    assert send(client, "GET", auth, url()).json() == ["b"]
    assert send(client, "DELETE", auth, url()).status_code == 204
    assert send(client, "GET", auth, url()).json() == []
    assert ActivityState.objects.count() == 1  # the registration's document


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"activityId": "sim", "agent": json.dumps(account())}, "activityId"),
        ({"activityId": ACTIVITY}, "agent"),
        ({"activityId": ACTIVITY, "agent": '{"mbox": "mailto:a@b.example"}'}, "agent/mbox"),
        ({"activityId": ACTIVITY, "agent": json.dumps(account()), "registration": "x"},
         "registration"),
    ],
)  # fmt: skip
def test_it_refuses_bad_parameters_naming_them(client, query, field):
    path = "/xapi/activities/state?" + urllib.parse.urlencode(query)
    response = send(client, "GET", basic(), path)
    assert response.status_code == 400 and response.json()["field"] == field


def test_a_learner_token_keeps_its_own_learners_state_only(client):
    auth = bearer(OPAQUE)
    assert send(client, "PUT", auth, url(stateId="s"), b"{}").status_code == 204
    assert send(client, "GET", auth, url(stateId="s")).status_code == 200
    assert send(client, "GET", auth, url(OTHER_OPAQUE, stateId="s")).status_code == 403
    assert send(client, "PUT", auth, url(OTHER_OPAQUE, stateId="s"), b"{}").status_code == 403


def test_tenants_never_see_each_others_state(client):
    send(client, "PUT", basic(), url(stateId="s"), b"{}")
    theirs = basic(Tenant.objects.create(name="district"))
    assert send(client, "GET", theirs, url(stateId="s")).status_code == 404
    assert send(client, "GET", theirs, url()).json() == []


def test_erasing_a_learner_erases_their_statements_and_state(client):
    send(client, "PUT", basic(), url(stateId="s"), b"{}")
    post(client, statement(), basic())
    post(client, statement(actor=account(OTHER_OPAQUE)), basic())
    learner_erase(tenant_id=tenant_default().pk, learner=OPAQUE)
    assert not ActivityState.objects.exists()
    assert list(Statement.objects.values_list("learner", flat=True)) == [OTHER_OPAQUE]
