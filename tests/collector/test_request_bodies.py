"""Request bodies are read strictly: gzip whole or refused, UTF-8 only, and a chunked body read
(where the server can) or refused with 411, never read as empty.

A body is what the client meant or a 400 that says why not: a gzip stream cut short used to be
taken for the part that arrived, a second member ignored, UTF-16 guessed at."""

from __future__ import annotations

import codecs
import gzip
import http.client
import json
from urllib.parse import urlsplit

import pytest

from collector.apikeys import api_key_create
from collector.http import MAX_BODY_BYTES
from collector.models import Event
from collector.tenants import tenant_default
from collector.tokens import learner_token_issue
from tests.collector.helpers import OPAQUE, event, post_events
from tests.support.db import BOTH_DATABASES
from tests.support.web import running_web

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def batch(*events) -> bytes:
    return json.dumps({"events": list(events) or [event()]}).encode()


def _token() -> dict[str, str]:
    token = learner_token_issue(tenant_id=tenant_default().pk, learner=OPAQUE)
    return {"Authorization": f"Bearer {token}"}


def post_gzipped(client, raw: bytes):
    """`raw` as the body, saying it is gzip (whether it is or not)."""
    headers = {"Content-Encoding": "gzip", **_token()}
    return client.generic(
        "POST", "/api/v1/events", raw, content_type="application/json", headers=headers
    )


def assert_400(response, *fragments: str) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    message = json.dumps(response.json())
    for fragment in fragments:
        assert fragment in message, message
    assert not Event.objects.exists()


def test_a_gzip_body_cut_before_its_trailer_is_a_400(client):
    whole = gzip.compress(batch())
    assert_400(post_gzipped(client, whole[:-8]), "incomplete")


def test_a_gzip_body_cut_inside_its_data_is_a_400(client):
    whole = gzip.compress(batch(*(event() for _ in range(50))))
    assert_400(post_gzipped(client, whole[: len(whole) // 2]), "gzip")


@pytest.mark.parametrize(
    "after", [b"garbage", gzip.compress(b"more")], ids=["garbage", "a second member"]
)
def test_anything_after_the_gzip_stream_is_a_400(client, after):
    assert_400(post_gzipped(client, gzip.compress(batch()) + after), "after the end")


def test_a_gzip_body_of_its_first_bytes_only_is_a_400(client):
    assert_400(post_gzipped(client, gzip.compress(batch())[:2]), "incomplete")


@pytest.mark.parametrize(
    ("encoded", "fragment"),
    [
        (lambda text: codecs.BOM_UTF8 + text.encode(), "byte-order mark"),
        (lambda text: text.encode("utf-16"), "UTF-16"),
        (lambda text: text.encode("utf-16-le"), "UTF-16"),
        (lambda text: text.encode("utf-16-be"), "UTF-16"),
        (lambda text: text.encode("utf-32"), "UTF-16 or UTF-32"),
        (lambda text: text.replace("sess-1", "s\xe9").encode("latin-1"), "not UTF-8"),
    ],
    ids=["UTF-8 with BOM", "UTF-16 with BOM", "UTF-16LE", "UTF-16BE", "UTF-32", "Latin-1"],
)
def test_a_body_that_is_not_plain_utf8_is_a_400_saying_so(client, encoded, fragment):
    body = encoded(batch().decode())
    assert_400(post_events(client, body=body), fragment, "UTF-8")


def test_a_json_body_of_the_read_side_is_read_as_strictly(client):
    _, key = api_key_create(name="school", tenant=tenant_default())
    response = client.post(
        "/api/v1/learner-tokens",
        json.dumps({"learner": OPAQUE}).encode("utf-16"),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]


def _post_chunked(base_url: str, chunks: list[bytes], headers: dict[str, str]):
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        # An iterable body and no Content-Length: http.client sends it chunked.
        connection.request(
            "POST",
            "/api/v1/events",
            body=iter(chunks),
            headers={"Content-Type": "application/json", **headers},
            encode_chunked=True,
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.django_db(databases=BOTH_DATABASES, transaction=True)
def test_a_chunked_body_is_read_whole_by_the_production_server():
    body = batch(event(), event())
    with running_web() as url:
        chunks = [body[i : i + 7] for i in range(0, len(body), 7)]
        status, answer = _post_chunked(url, chunks, _token())
        assert (status, answer) == (202, {"accepted": 2, "duplicates": 0})
        # gzip and chunked together; and the size limit holds without a Content-Length.
        gzipped = gzip.compress(batch(event()))
        status, answer = _post_chunked(url, [gzipped], {"Content-Encoding": "gzip", **_token()})
        assert status == 202, answer
        status, answer = _post_chunked(url, [b" " * (MAX_BODY_BYTES // 2)] * 3, _token())
        assert status == 413, answer
    assert Event.objects.count() == 3


@pytest.mark.django_db(databases=BOTH_DATABASES, transaction=True)
def test_a_server_that_cannot_read_a_chunked_body_answers_411(live_server):
    # runserver's (and the test live server's) wsgiref cannot end a chunked body.
    status, answer = _post_chunked(live_server.url, [batch()], _token())
    assert status == 411, answer
    assert "Content-Length" in answer["error"]
    assert not Event.objects.exists()
