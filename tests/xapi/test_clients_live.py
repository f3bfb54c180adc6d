"""Real xAPI clients against a live server: `tincan` (Python) and `@xapi/xapi` (Node, installed
by `npm ci` from tests/xapi_clients). They save, fetch, query and void statements, meet the
conflict and idempotency rules and the learner token's actor binding, and keep State."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import uuid

import pytest
from tincan import (
    Activity,
    Agent,
    AgentAccount,
    Attachment,
    LanguageMap,
    RemoteLRS,
    StateDocument,
    Statement,
    StatementRef,
    Verb,
)

from collector.apikeys import api_key_create
from collector.models import Event
from collector.tenants import tenant_default
from collector.xapi import iris
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, issue_token

pytestmark = pytest.mark.django_db(databases=["default", "analytics"], transaction=True)


@pytest.fixture
def key_parts() -> tuple[str, str]:
    """An API key of the default tenant as Basic's user (its id) and password (its secret)."""
    _, key = api_key_create(name="content", tenant=tenant_default())
    prefix, key_id, secret = key.split("_", 2)
    return f"{prefix}_{key_id}", secret


def _learner(name: str = OPAQUE) -> Agent:
    return Agent(account=AgentAccount(home_page=iris.learner_home_page(), name=name))


def _statement(verb: str, **extra) -> Statement:
    return Statement(
        id=str(uuid.uuid4()),
        actor=_learner(),
        verb=Verb(
            id=f"http://adlnet.gov/expapi/verbs/{verb}", display=LanguageMap({"en-US": verb})
        ),
        object=Activity(id="https://content.example/articulate/course-2"),
        **extra,
    )


def test_tincan_saves_fetches_queries_and_voids(live_server, key_parts):
    user, secret = key_parts
    lrs = RemoteLRS(endpoint=f"{live_server.url}/xapi/", username=user, password=secret)
    assert "1.0.3" in lrs.about().content.version
    first, second, third = _statement("experienced"), _statement("answered"), _statement("passed")
    assert lrs.save_statement(first).success
    assert lrs.save_statements([second, third]).success
    fetched = lrs.retrieve_statement(str(first.id))
    assert fetched.success and fetched.content.verb.id == first.verb.id

    page = lrs.query_statements({"agent": _learner(), "limit": 2, "ascending": "true"})
    assert page.success and page.content.more
    rest = lrs.more_statements(page.content.more).content
    seen = [str(item.id) for item in [*page.content.statements, *rest.statements]]
    assert seen == [str(first.id), str(second.id), str(third.id)]

    assert lrs.save_statement(first).success  # the same statement again: a no-op
    changed = Statement(first.as_version())
    changed.verb = Verb(id="http://adlnet.gov/expapi/verbs/failed")
    assert lrs.save_statement(changed).response.status == 409

    voiding = Statement(
        actor=_learner(),
        verb=Verb(id=iris.VOIDED),
        object=StatementRef(id=str(first.id)),
    )
    assert lrs.save_statement(voiding).success
    assert lrs.retrieve_voided_statement(str(first.id)).success
    assert lrs.retrieve_statement(str(first.id)).response.status == 404


def test_tincan_saves_a_statement_with_an_attachment_and_reads_it_back(live_server, key_parts):
    """tincan (Python) sends attachments by fileUrl only (it has no multipart body): the
    metadata is stored and answered as sent. Contents and signatures: test_attachments.py."""
    user, secret = key_parts
    lrs = RemoteLRS(endpoint=f"{live_server.url}/xapi/", username=user, password=secret)
    certificate = Attachment(
        usage_type="https://content.example/attachments/certificate",
        display=LanguageMap({"en-US": "Certificate"}),
        content_type="application/pdf",
        length=12_345,
        sha2="a" * 64,
        fileurl="https://content.example/certificates/7.pdf",
    )
    sent = _statement("completed", attachments=[certificate])
    assert lrs.save_statement(sent).success
    fetched = lrs.retrieve_statement(str(sent.id))
    assert fetched.success
    [got] = fetched.content.attachments
    assert (got.fileurl, got.sha2, got.length) == (certificate.fileurl, "a" * 64, 12_345)
    without_url = _statement("completed", attachments=[Attachment(
        usage_type="https://content.example/attachments/certificate",
        display=LanguageMap({"en-US": "Certificate"}),
        content_type="application/pdf", length=1, sha2="b" * 64,
    )])  # fmt: skip
    assert lrs.save_statement(without_url).response.status == 400  # its content: no part


def test_tincan_keeps_state(live_server, key_parts):
    user, secret = key_parts
    lrs = RemoteLRS(endpoint=f"{live_server.url}/xapi/", username=user, password=secret)
    activity = Activity(id="https://content.example/sim-5")
    document = StateDocument(
        id="bookmark", activity=activity, agent=_learner(), content='{"slide": 7}',
        content_type="application/json",
    )  # fmt: skip
    assert lrs.save_state(document).success
    got = lrs.retrieve_state(activity, _learner(), "bookmark")
    assert got.success and json.loads(got.content.content) == {"slide": 7}
    assert lrs.retrieve_state_ids(activity, _learner()).content == ["bookmark"]
    assert lrs.delete_state(document).success
    assert lrs.retrieve_state_ids(activity, _learner()).content == []


def test_tincan_with_a_learner_token_records_a_widget_session_as_events(live_server):
    lrs = RemoteLRS(endpoint=f"{live_server.url}/xapi/", auth=f"Bearer {issue_token()}")
    session = str(uuid.uuid4())
    started = Statement(
        actor=_learner(),
        verb=Verb(id=iris.verb_of("session_started")),
        object=Activity(id=iris.widget_activity("TEI001")),
        context={"registration": session},
    )
    assert lrs.save_statement(started).success
    assert list(Event.objects.values_list("widget", "type", "session", "learner")) == [
        ("TEI001", "session_started", session, OPAQUE)
    ]
    someone_else = _statement("experienced")
    someone_else.actor = _learner(OTHER_OPAQUE)
    assert lrs.save_statement(someone_else).response.status == 403


def test_the_npm_client_saves_fetches_queries_voids_and_keeps_state(
    live_server, key_parts, node_clients
):
    user, secret = key_parts
    env = {
        **os.environ,
        "XAPI_ENDPOINT": f"{live_server.url}/xapi/",
        "XAPI_AUTH": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode(),
        "XAPI_TOKEN": issue_token(),
        "LEARNER_HOME": iris.learner_home_page(),
        "LEARNER": OPAQUE,
        "OTHER_LEARNER": OTHER_OPAQUE,
    }
    done = subprocess.run(
        ["node", "round_trip.mjs"], cwd=node_clients, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "1.0.3" in result["about"]
    assert result["sent"] == result["expected"]
    assert result["fetched"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert result["paged"] == result["expected"]
    assert (result["resent"], result["conflict"]) == (200, 409)
    assert (result["voiding"], result["after_voiding"]) == (200, 404)
    assert result["voided"] == result["expected"][0]
    assert result["state"] == {"page": 3, "score": 2}
    assert result["ids"] == ["resume"]
    assert result["after_delete"] == 404
    assert result["token"] == {"own": 200, "other": 403}
