"""The opaque-id directive at the MetaCX-style door: a sender that puts a real person's name,
e-mail or school id anywhere a MetaCX client might (name, userId, email, firstName, as the
learner, in a free-text field) is refused, and none of it reaches the analytics database, an
access token or the collector's logs (the whole-app scan is tests/dashboard/test_privacy.py)."""

from __future__ import annotations

import json
import logging

import pytest
from django.core import signing

from collector.metacx import access
from tests.collector.helpers import now_ms
from tests.dashboard.test_privacy import analytics_dump
from tests.factories import LearnerIdentityFactory
from tests.metacx.helpers import access_token, post
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

IDENTITY_FIELDS = ("name", "userId", "user_id", "email", "firstName", "lastName", "phone")


def test_no_real_id_sent_at_the_door_reaches_the_platform_side(client, caplog):
    caplog.set_level(logging.DEBUG)
    learner = LearnerIdentityFactory(real_id="ada.lovelace@school.example", display_name="Ada L")
    opaque = learner.opaque_id
    token = access_token(client)
    secrets = (learner.real_id, learner.display_name, learner.real_id_key)
    sessions = {"learner": opaque, "widget": "TEI001", "session": "p-1", "eventDate": now_ms()}
    assert (
        post(client, {"eventKey": "session_started", "data": [sessions]}, token).status_code == 202
    )
    fine = {"learner": opaque, "score": 1, "note": "read chapter 2"}
    assert post(client, {"eventKey": "reading", "data": [fine]}, token).status_code == 202
    tries = [{**fine, field: secret} for field in IDENTITY_FIELDS for secret in secrets[:2]]
    tries += [
        {**fine, "learner": learner.real_id},
        {**fine, "note": f"by {learner.real_id}"},
        {**fine, "profile": {"fullName": learner.display_name}},
    ]
    for index, bad in enumerate(tries):
        for event_key, base in (("reading", {}), ("session_started", sessions)):
            body = {"eventKey": event_key, "data": [base or fine, {**base, **bad}]}
            response = post(client, body, token)
            assert response.status_code == 400, (index, bad)
            assert response.json()["field"].startswith("/data/1/")

    stored = analytics_dump()
    assert opaque in stored  # the search would find an id if one were there
    claims = json.dumps(signing.loads(token, salt=access.SALT))
    logs = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("pathlens.collector", "collector", "django.request"))
    )
    for secret in secrets:
        assert secret not in stored
        assert secret not in token and secret not in claims
        assert secret not in logs
