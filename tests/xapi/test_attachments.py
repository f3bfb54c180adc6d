"""Signed statements and attachments (Data 2.4.11 and 2.6, Communication 1.5.2): a statement
sent as multipart/mixed with its attachments' content is stored with it, a signature is checked
(a JWS of the statement), and `attachments=true` answers the content back as multipart/mixed.
Anything malformed is a 400 naming the problem, and nothing of the request is stored."""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import uuid

import pytest

from collector.datarequests import learner_erase
from collector.models import Event
from collector.tenants import tenant_default
from collector.xapi.models import Statement, StatementAttachment
from tests.collector.helpers import OPAQUE
from tests.xapi.helpers import VERSION, basic, bearer, get, statement, widget_statement
from tests.xapi.signing import (
    BOUNDARY,
    OTHER_KEY,
    attachment,
    certificate,
    jws,
    multipart,
    part,
    signed,
)

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])
MIXED = f"multipart/mixed; boundary={BOUNDARY}"


def send(client, body: bytes, auth: str | None = None, *, statement_id: str | None = None):
    headers = {"Authorization": auth or basic(), **VERSION}
    if statement_id:
        url = f"/xapi/statements?statementId={statement_id}"
        return client.put(url, body, content_type=MIXED, headers=headers)
    return client.post("/xapi/statements", body, content_type=MIXED, headers=headers)


def parts_of(response) -> list[tuple[dict, bytes]]:
    """A multipart answer read by the standard library's parser, not ours."""
    head = f"Content-Type: {response['Content-Type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + response.content)
    assert message.is_multipart()
    return [(dict(each.items()), each.get_payload(decode=True)) for each in message.iter_parts()]


def assert_nothing_stored() -> None:
    assert Statement.objects.count() == 0
    assert StatementAttachment.objects.count() == 0
    assert Event.objects.count() == 0


def test_a_signed_statement_is_stored_and_answered_with_its_signature(client):
    sent, token = signed(statement())
    response = send(client, multipart(json.dumps(sent).encode(), part(token)))
    assert response.status_code == 200, response.content
    assert response.json() == [sent["id"]]

    plain = get(client, basic(), statementId=sent["id"])
    assert plain["Content-Type"] == "application/json"
    assert plain.json()["attachments"] == sent["attachments"]

    answer = get(client, basic(), statementId=sent["id"], attachments="true")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("multipart/mixed; boundary=")
    (json_head, json_body), (head, content) = parts_of(answer)
    assert json_head["Content-Type"] == "application/json"
    assert json.loads(json_body)["id"] == sent["id"]
    assert content == token
    assert head["X-Experience-API-Hash"] == hashlib.sha256(token).hexdigest()
    assert head["Content-Transfer-Encoding"] == "binary"


def test_a_query_with_attachments_answers_each_statements_content(client):
    first, first_token = signed(statement())
    second, second_token = signed(statement())
    body = json.dumps([first, second]).encode()
    response = send(client, multipart(body, part(first_token), part(second_token)))
    assert response.status_code == 200, response.content
    answer = get(client, basic(), attachments="true")
    (_, listed), *attachments = parts_of(answer)
    assert {s["id"] for s in json.loads(listed)["statements"]} == {first["id"], second["id"]}
    assert {content for _, content in attachments} == {first_token, second_token}


def test_a_signed_statement_is_put_too_and_a_resend_changes_nothing(client):
    sent, token = signed(statement())
    body = multipart(json.dumps(sent).encode(), part(token))
    assert send(client, body, statement_id=sent["id"]).status_code == 204
    assert send(client, body).status_code == 200
    assert StatementAttachment.objects.count() == 1


def test_a_signed_statement_about_a_widget_is_an_event_too(client):
    sent, token = signed(widget_statement())
    auth = bearer(OPAQUE)
    assert send(client, multipart(json.dumps(sent).encode(), part(token)), auth).status_code == 200
    assert Event.objects.count() == 1 and StatementAttachment.objects.count() == 1


def test_the_signature_verifies_with_a_certificate_in_its_header(client):
    original = statement()
    token = jws(original, headers={"x5c": [certificate(OTHER_KEY)]}, key=OTHER_KEY)
    sent, _ = signed(original, token)
    assert send(client, multipart(json.dumps(sent).encode(), part(token))).status_code == 200


def test_other_attachments_are_stored_too_and_a_file_url_needs_no_part(client):
    notes = b"Ada's working, as a photo would be."
    sent = statement(
        attachments=[
            attachment(notes, usage="https://x.example/notes", content_type="text/plain"),
            {**attachment(b"elsewhere", usage="https://x.example/video"),
             "fileUrl": "https://content.example/v.mp4"},
        ]
    )  # fmt: skip
    body = multipart(json.dumps(sent).encode(), part(notes, content_type="text/plain"))
    assert send(client, body).status_code == 200
    answer = get(client, basic(), statementId=sent["id"], attachments="true")
    assert [content for _, content in parts_of(answer)[1:]] == [notes]


def test_an_attachment_without_its_content_sent_as_json_is_a_400(client):
    from tests.xapi.helpers import post

    sent, _ = signed(statement())
    response = post(client, sent, basic())
    assert response.status_code == 400
    assert response.json()["field"] == "/attachments/0/sha2"
    assert_nothing_stored()


ORIGINAL = statement()
TOKEN = jws(ORIGINAL)


def _swap_hash(body: bytes) -> bytes:
    return body.replace(hashlib.sha256(TOKEN).hexdigest().encode(), b"0" * 64, 1)


def _case(token: bytes = TOKEN, **change):
    """A signed statement's body, changed in one way."""
    sent, _ = signed(ORIGINAL, token)
    if "statement" in change:
        sent = {**sent, **change["statement"]}
    attachment_part = part(token, **change.get("part", {}))
    return multipart(json.dumps(sent).encode(), attachment_part)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (_case(b"not a jws"), "not a JWS in compact serialization"),
        (_case(b"a.b.c"), "not a JWS in compact serialization"),
        (_case(jws(ORIGINAL, algorithm="HS256", key="secret" * 8)), "RS256, RS384 or RS512"),
        (_case(jws({**ORIGINAL, "verb": {"id": "https://x.example/other"}})), "payload is not"),
        (_case(jws({**ORIGINAL, "id": str(uuid.uuid4())})), "payload is not"),
        (_case(jws(ORIGINAL, headers={"x5c": [certificate(OTHER_KEY)]})), "x5c"),
        (_case(jws(ORIGINAL, headers={"x5c": ["not base64!"]})), "x5c"),
        (_case(part={"sha2": "0" * 64}), "not the hash of its content"),
        (_case(part={"content_type": "text/plain"}), "application/octet-stream"),
        (_case(statement={"attachments": [{**attachment(TOKEN), "length": 3}]}), "bytes"),
        (_case(statement={"attachments": [attachment(b"other")]}), "No part of the body"),
        (multipart(json.dumps(ORIGINAL).encode(), part(TOKEN)), "is not an attachment of any"),
        (multipart(b"{", part(TOKEN)), "not valid JSON"),
        (_case()[:-2], "end with '--<boundary>--'"),
        (_case().replace(b"Content-Type: application/json", b"Content-Type: text/plain"), "first"),
        (_case().replace(b"X-Experience-API-Hash", b"X-Hash"), "X-Experience-API-Hash"),
        (_case(part={"content_type": "application/octet-stream\x00"}), "printable"),
        (
            _case().replace(
                b"Content-Transfer-Encoding: binary", b"Content-Transfer-Encoding: base64"
            ),
            "must be binary",
        ),
    ],
)
def test_a_malformed_signed_statement_is_a_400_naming_the_problem(client, body, said):
    response = send(client, body)
    assert response.status_code == 400, response.content
    assert said in response.json()["error"]
    assert_nothing_stored()


def test_a_body_without_a_boundary_is_a_400(client):
    response = client.post(
        "/xapi/statements", _case(), content_type="multipart/mixed",
        headers={"Authorization": basic(), **VERSION},
    )  # fmt: skip
    assert response.status_code == 400 and "boundary" in response.json()["error"]
    assert_nothing_stored()


def test_an_attachment_over_the_size_limit_is_a_400(client):
    from collector.xapi.attachments import MAX_ATTACHMENT_BYTES

    big = b"x" * (MAX_ATTACHMENT_BYTES + 1)
    sent = statement(attachments=[attachment(big, usage="https://x.example/big")])
    response = send(client, multipart(json.dumps(sent).encode(), part(big)))
    assert response.status_code == 400 and "larger than" in response.json()["error"]
    assert_nothing_stored()


def test_erasing_a_learner_erases_their_attachments(client):
    sent, token = signed(statement())
    assert send(client, multipart(json.dumps(sent).encode(), part(token))).status_code == 200
    learner_erase(tenant_id=tenant_default().pk, learner=OPAQUE)
    assert_nothing_stored()
