"""Multipart bodies under fuzzing: a valid signed statement's body, cut, spliced, with bytes
flipped or inserted anywhere (boundaries, headers, the JSON, the signature). Never a 500: either
the statement and its signature are stored whole (200), or the answer is a 4xx with a JSON message
and not one row was written. Each example runs in a transaction rolled back afterwards."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.models import Event
from collector.xapi.models import Statement, StatementAttachment
from tests.support.fuzz import fuzz_settings, rolled_back
from tests.xapi.helpers import VERSION, basic, statement
from tests.xapi.signing import BOUNDARY, multipart, part, signed

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])
SENT, TOKEN = signed(statement())
VALID = multipart(json.dumps(SENT).encode(), part(TOKEN))
FUZZ = fuzz_settings()
REFUSALS = {400, 413, 415}  # 415: a body cut to nothing is sent without its type


def _mutated(data: st.DataObject) -> bytes:
    body = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(body)))
        kind = data.draw(st.sampled_from(["cut", "flip", "insert", "delete", "repeat"]))
        if kind == "cut":
            del body[at:]
        elif kind == "flip" and at < len(body):
            body[at] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            chunk = data.draw(
                st.sampled_from([b"\r\n", b"--", BOUNDARY.encode(), b":", b'"', b"\x00"])
                | st.binary(max_size=8)
            )
            body[at:at] = chunk
        elif kind == "delete":
            del body[at : at + data.draw(st.integers(1, 40))]
        else:
            body[at:at] = body[at : at + data.draw(st.integers(1, 200))]
    return bytes(body)


@FUZZ
@given(data=st.data())
def test_a_mutated_multipart_body_is_stored_whole_or_refused_with_nothing_stored(client, data):
    body = _mutated(data)
    with rolled_back():
        response = client.post(
            "/xapi/statements", body, content_type=f"multipart/mixed; boundary={BOUNDARY}",
            headers={"Authorization": basic(), **VERSION},
        )  # fmt: skip
        counts = (Statement.objects.count(), StatementAttachment.objects.count())
        if response.status_code == 200:
            assert counts == (1, 1), body
        else:
            assert response.status_code in REFUSALS, (response.status_code, response.content)
            assert response.json()["error"]
            assert counts == (0, 0) and Event.objects.count() == 0


@FUZZ
@given(
    content_type=st.sampled_from(
        ["multipart/mixed", "multipart/mixed; boundary=", f"multipart/mixed; boundary={'b' * 71}",
         "multipart/mixed; boundary=other", "multipart/mixed; boundary=\"é\""]
    ),
)  # fmt: skip
def test_a_wrong_boundary_is_a_400(client, content_type):
    with rolled_back():
        response = client.post(
            "/xapi/statements", VALID, content_type=content_type,
            headers={"Authorization": basic(), **VERSION},
        )  # fmt: skip
        assert response.status_code == 400, response.content
        assert Statement.objects.count() == 0
