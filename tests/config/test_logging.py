from __future__ import annotations

import json
import logging

import pytest

from config.logging import JsonFormatter, RequestIdFilter, request_id_var


@pytest.mark.django_db
def test_it_gives_every_response_a_request_id_and_keeps_a_sane_incoming_one(client):
    generated = client.get("/")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/", headers={"X-Request-ID": "proxy-abc-123"})["X-Request-ID"] == (
        "proxy-abc-123"
    )
    forged = client.get("/", headers={"X-Request-ID": "bad id\nwith newline"})["X-Request-ID"]
    assert forged != "bad id\nwith newline"


def test_it_writes_one_json_object_per_line_with_the_request_id():
    record = logging.LogRecord(
        "pathlens.access", logging.WARNING, __file__, 1, "refused %s", ("x",), None
    )
    token = request_id_var.set("req-42")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "refused x"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "pathlens.access"
    assert entry["request_id"] == "req-42"
