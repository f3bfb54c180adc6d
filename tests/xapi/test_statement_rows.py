"""Every column of a statement's row holds what was sent, whichever way the rows go in (a binary
COPY on PostgreSQL, collector/pgcopy.py; an INSERT on SQLite): ids and registrations as UUIDs,
moments to the millisecond, the voiding columns, the body as answered."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from collector.xapi import iris
from collector.xapi.models import Statement
from tests.collector.helpers import OPAQUE
from tests.xapi.helpers import OTHER_ACTIVITY, basic, post, statement, widget_statement

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


def test_every_column_holds_what_was_sent(client):
    registration = str(uuid.uuid4())
    other = statement(
        context={"registration": registration},
        timestamp="2026-12-06T09:30:00.125+01:00",
        result={"response": "tab\there, a back\\slash, a new\nline and é"},
    )
    widget = widget_statement(session=str(uuid.uuid4()))
    voiding = statement(
        verb={"id": iris.VOIDED}, object={"objectType": "StatementRef", "id": other["id"]}
    )
    assert post(client, [other, widget], basic()).status_code == 200
    assert post(client, [voiding], basic()).status_code == 200

    row = Statement.objects.get(statement_id=other["id"])
    assert (row.statement_id, row.registration) == (uuid.UUID(other["id"]), uuid.UUID(registration))
    assert (row.learner, row.activity, row.widget) == (OPAQUE, OTHER_ACTIVITY, "")
    assert row.verb == other["verb"]["id"]
    assert row.timestamp == datetime(2026, 12, 6, 8, 30, 0, 125_000, tzinfo=UTC)
    assert row.voided and row.voids is None
    assert row.stored.microsecond % 1000 == 0  # to the millisecond, as `stored` is written
    body = json.loads(row.body)
    assert body["result"] == other["result"]
    assert body["timestamp"] == other["timestamp"] and body["version"] == "1.0.0"

    widget_row = Statement.objects.get(statement_id=widget["id"])
    assert widget_row.widget == "BLL002" and not widget_row.voided
    assert widget_row.registration == uuid.UUID(widget["context"]["registration"])

    voiding_row = Statement.objects.get(statement_id=voiding["id"])
    assert voiding_row.voids == uuid.UUID(other["id"]) and voiding_row.registration is None
