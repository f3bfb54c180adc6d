"""The opaque-id directive at the RAGE door: a game built for RAGE names its players the way
RAGE's collector did (an actor with `name`, an e-mail, the `X-Gleaner-User` header RAGE's
gateway sets, a username as the anonymous playerId). None of it may reach the platform side:
every such statement is refused with a 400 naming the field, the header is ignored, and then
every table of the analytics database and every collector log line is searched for the names."""

from __future__ import annotations

import logging

import pytest

from tests.collector.helpers import OPAQUE, issue_token
from tests.dashboard.test_privacy import analytics_dump
from tests.rage.helpers import start, trace, track, tracking_code
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

NAME, EMAIL, USERNAME = "Ada Lovelace", "ada.lovelace@school.example", "ada.lovelace"
A2_ACCOUNT = {"homePage": "https://a2.example", "name": USERNAME}  # RAGE's sign-in service


def test_no_real_name_reaches_the_platform_side_through_rage(client, caplog):
    caplog.set_level(logging.DEBUG)
    code = tracking_code()
    identified = start(client, code.code, bearer=issue_token(), **{"X-Gleaner-User": USERNAME})
    anonymous = start(client, code.code, **{"X-Gleaner-User": USERNAME})
    assert identified.json()["playerId"] == OPAQUE
    assert USERNAME not in anonymous.content.decode()
    assert start(client, code.code, body={"anonymous": USERNAME}).status_code == 404
    for started in (identified.json(), anonymous.json()):
        account = started["actor"]["account"]
        actors = {
            "/0/actor/name": {"name": NAME, "account": account},  # RAGE's own actor shape
            "/0/actor/mbox": {"mbox": f"mailto:{EMAIL}"},
            "/0/actor/mbox_sha1sum": {"mbox_sha1sum": "a" * 40},
            "/0/actor/account/homePage": {"account": A2_ACCOUNT},
        }
        for field, actor in actors.items():
            refused = track(client, started["authToken"], [trace(started, actor=actor)])
            assert refused.status_code == 400 and refused.json()["field"] == field
        instructor = {"instructor": {"name": NAME, "mbox": f"mailto:{EMAIL}"}}
        refused = track(client, started["authToken"], [trace(started, context=instructor)])
        assert refused.status_code == 400
        assert track(client, started["authToken"], [trace(started)]).status_code == 200

    stored = analytics_dump()
    assert OPAQUE in stored  # the search would find an id if one were there
    logs = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("pathlens.collector", "collector", "django.request"))
    )
    for secret in (NAME, EMAIL, USERNAME):
        assert secret not in stored
        assert secret not in logs
