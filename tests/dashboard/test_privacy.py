"""The opaque-id directive, end to end: no real learner id crosses to the platform side.

The Segment door too: a sender that puts real ids wherever a Segment message can carry them gets
its refusals, and what it may send leaves nothing of them in the analytics database or the logs.

A learner signs in, opens each widget, sends events; a teacher's data requests are processed;
then every table of the analytics database (the quarantine of refused events included), every
learner token, every webhook delivery and every log line written by the collector are searched for
the learners' real ids and display names.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.core import signing
from django.db import connections

from collector.client import get_client
from collector.datarequests import data_request_process
from collector.models import QuarantinedEvent, WebhookSubscription
from collector.summaries import sessions_summarise
from collector.tenants import tenant_default
from collector.webhooks.delivery import deliveries_run
from collector.webhooks.outbox import hooked_forget
from tests.collector.helpers import event, now_ms, post_events
from tests.factories import LearnerIdentityFactory
from tests.segment.helpers import post as segment_post
from tests.segment.helpers import write_key
from tests.support.db import BOTH_DATABASES
from tests.support.signin import sign_in_by_pick
from tests.support.webhooks import SECRET, receiving

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def config_of(response) -> dict:
    match = re.search(
        r'id="widget-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def analytics_dump() -> str:
    """Every row of every table in the analytics database, as text."""
    connection = connections["analytics"]
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_no_real_id_or_name_reaches_the_platform_side(client, caplog):
    caplog.set_level(logging.DEBUG)
    with receiving() as receiver:
        hook = WebhookSubscription.objects.create(
            tenant=tenant_default(), url=receiver.url, secret=SECRET
        )
        hooked_forget()
        check_every_door(client, caplog, receiver)
    hook.delete()
    hooked_forget()


def check_every_door(client, caplog, receiver) -> None:
    learners = [
        LearnerIdentityFactory(real_id="ada.lovelace@school.example", display_name="Ada Lovelace"),
        LearnerIdentityFactory(real_id="S-77-GRACE", display_name="Grace Hopper"),
    ]
    tokens = []
    for learner in learners:
        sign_in_by_pick(client, learner)
        for widget in ("BLL002", "TEI001", "chernoff_tutorial"):
            config = config_of(client.get(f"/learn/{widget}/"))
            tokens.append(config["token"])
            batch = [
                event(session=config["session"], widget=widget, t=now_ms() + i) for i in range(3)
            ]
            assert post_events(client, batch, token=config["token"]).status_code == 202
        # Bad input is logged too: make sure its log lines carry no identity either.
        post_events(client, [{"nonsense": True}], token=config["token"])
        # And it is quarantined: even a page that put the real id beside an invalid event
        # (where ingestion ignores it) leaves only the opaque id behind.
        invalid = event(session=config["session"], widget=widget, type="not_a_type")
        invalid.update(learner=learner.real_id, name=learner.display_name)
        batch = [event(session=config["session"], widget=widget), invalid]
        assert post_events(client, batch, token=config["token"]).json()["quarantined"] == 1
        client.post("/signout/")

    collector = get_client()
    for kind in ("sessions", "scores"):
        created = collector.create_data_request(
            kind=kind, learners=[learner.opaque_id for learner in learners], widgets=[]
        )
        data_request_process(request_id=created.id)
        assert collector.get_data_request(created.id).result_count == 6

    sessions_summarise()
    assert deliveries_run()["sent"] >= 6
    pushed = json.dumps([body for _, body in receiver.requests])
    assert learners[0].opaque_id in pushed
    stored = analytics_dump()
    assert learners[0].opaque_id in stored  # the search would find an id if one were there
    quarantined = QuarantinedEvent.objects.values_list("learner", flat=True)
    assert set(quarantined) == {learner.opaque_id for learner in learners}
    decoded_tokens = [
        json.dumps(signing.loads(token, salt="pathlens.collector.learner-token.v1"))
        for token in tokens
    ]
    collector_logs = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("pathlens.collector", "collector", "django.request"))
    )
    for learner in learners:
        for secret in (learner.real_id, learner.display_name, learner.real_id_key):
            assert secret not in stored
            assert secret not in pushed
            assert all(secret not in token for token in tokens)
            assert all(secret not in claims for claims in decoded_tokens)
            assert secret not in collector_logs


def _segment_messages(learner) -> list[dict]:
    """Messages naming the learner by opaque id, with the real identity wherever this door
    ignores a field: anonymousId, context (ip, user agent, library), a page URL's query and
    fragment, undocumented properties of an other activity, the body's writeKey."""
    identity = {"anonymousId": learner.real_id, "context": {
        "ip": "203.0.113.9", "userAgent": f"browser of {learner.display_name}",
        "page": {"url": f"https://school.example/p?user={learner.real_id}#{learner.display_name}"},
    }}  # fmt: skip
    base = {"userId": learner.opaque_id, "timestamp": "2026-12-06T09:30:00Z", **identity}
    return [
        {**base, "type": "track", "messageId": f"{learner.pk}-1", "event": "session_started",
         "properties": {"widget": "BLL002", "session": "seg-privacy"}},
        {**base, "type": "track", "messageId": f"{learner.pk}-2", "event": "Quiz Submitted",
         "properties": {"scaled_score": 0.5, "learner_name": learner.display_name}},
        {**base, "type": "page", "messageId": f"{learner.pk}-3"},
        {**base, "type": "identify", "messageId": f"{learner.pk}-4", "traits": {"grade": 7}},
    ]  # fmt: skip


def test_no_real_id_or_name_reaches_the_platform_side_through_the_segment_door(client, caplog):
    caplog.set_level(logging.DEBUG)
    key = write_key()
    learners = [
        LearnerIdentityFactory(real_id="ada.lovelace@school.example", display_name="Ada Lovelace"),
        LearnerIdentityFactory(real_id="S-77-GRACE", display_name="Grace Hopper"),
    ]
    for learner in learners:
        body = {"batch": _segment_messages(learner), "writeKey": learner.real_id}
        assert segment_post(client, key, body).status_code == 200
        # A user id that is plainly a real identity (an e-mail address, a name) is refused; a
        # school id like S-77-GRACE cannot be told from an opaque id (docs/collector.md).
        refused = [
            {"userId": "ada.lovelace@school.example"},
            {"userId": learner.display_name},
            {"traits": {"email": learner.real_id}},
            {"traits": {"name": learner.display_name}},
            {"context": {"traits": {"firstName": learner.display_name}}},
        ]
        for change in refused:
            message = {**_segment_messages(learner)[3], "messageId": "x", **change}
            assert segment_post(client, key, {"batch": [message]}).status_code == 400, change

    stored = analytics_dump()
    assert learners[0].opaque_id in stored  # the search would find an id if one were there
    collector_logs = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("pathlens.collector", "collector", "django.request"))
    )
    for learner in learners:
        for secret in (learner.real_id, learner.display_name, learner.real_id_key):
            assert secret not in stored
            assert secret not in collector_logs
    assert "203.0.113.9" not in stored and "browser of" not in stored
