"""POST /api/v1/events under fuzzing: batches generated from the OpenAPI document and the widget
registry's JSON Schemas, then broken in every way a client (or an attacker) could break them.

Whatever arrives, the answer is never a 500: a batch's valid events are stored (202) and exactly
once however often it is sent, its invalid ones named and quarantined; a batch with nothing valid
is refused whole with a 4xx and a JSON message a person can act on, and then not one Event or
Session row changed. Every example runs in a transaction rolled back afterwards,
so examples do not see each other's rows.

Text that no database can store (a NUL, a lone surrogate) is sent to every endpoint of the
document, in every string it takes: a 400 naming the field, never a 500.

Bounded so the file runs in well under half a minute; on CI (CI=true) the examples are the same on
every run (derandomize), so a red build can be reproduced.
"""

from __future__ import annotations

import contextlib
import copy
import gzip
import json
import os
import uuid
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from collector.apikeys import api_key_create
from collector.http import MAX_BODY_BYTES
from collector.models import Event, Session
from collector.openapi import openapi_document
from collector.tenants import tenant_default
from collector.validation import (
    MAX_EPOCH_MS,
    MAX_EVENTS,
    MIN_EPOCH_MS,
    SESSION_PATTERN,
    TYPE_PATTERN,
)
from tests.collector.helpers import OPAQUE, issue_token
from tests.support.db import BOTH_DATABASES
from tests.support.schema_strategies import UNSTORABLE_TEXT, from_schema, valid_for
from widgets.registry import all_widgets

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

CI = os.environ.get("CI") == "true"
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=CI,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # each example rolls its own rows back
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# --- Sending, and what every answer must look like ---------------------------------------------


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic(using="default"), transaction.atomic(using="analytics"):
        yield
        transaction.set_rollback(True, using="analytics")
        transaction.set_rollback(True, using="default")


def stored() -> tuple[int, int]:
    return Event.objects.count(), Session.objects.count()


def post(
    client: Client,
    body: bytes,
    *,
    token: str | None = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
):
    """One POST with a fresh token, so that the rate limit never speaks for the batch."""
    token = issue_token(OPAQUE) if token is None else token
    return client.generic(
        "POST",
        "/api/v1/events",
        body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}", **(headers or {})},
    )


def encode(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, allow_nan=True).encode()


def assert_refused(response, before: tuple[int, int], statuses: set[int] | None = None) -> dict:
    """A 4xx with a JSON message a person can act on, and nothing stored."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    if statuses is not None:
        assert response.status_code in statuses, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["error"], str)
    assert len(body["error"]) >= 15, body
    assert "Traceback" not in body["error"]
    for problem in body.get("errors", []):
        assert set(problem) == {"index", "field", "message"}
        assert problem["index"] is None or isinstance(problem["index"], int)
        assert isinstance(problem["field"], str)
        assert isinstance(problem["message"], str)
        assert len(problem["message"]) >= 10, problem
    if response.status_code == 400:
        assert body.get("errors") or body["error"], body
    assert stored() == before, "a refused batch stored something"
    return body


def assert_stored_once(client: Client, body: bytes, payload: dict, before: tuple[int, int]):
    """A 202 that stored each distinct event once; sending it again stores nothing more."""
    events = payload["events"]
    distinct = {str(uuid.UUID(event["id"])) for event in events}
    response = post(client, body)
    assert response.status_code == 202, response.content[:2000]
    assert response.json() == {"accepted": len(distinct), "duplicates": len(events) - len(distinct)}
    after = stored()
    assert after[0] == before[0] + len(distinct)
    assert Event.objects.filter(event_id__in=distinct).count() == len(distinct)
    sessions = {(event["widget"], event["session"]) for event in events}
    assert after[1] == before[1] + len(sessions)

    again = post(client, body)
    assert again.status_code == 202
    assert again.json() == {"accepted": 0, "duplicates": len(events)}
    assert stored() == after


# --- Batches -----------------------------------------------------------------------------------

OPENAPI = openapi_document()


def openapi_schema(name: str) -> dict:
    """A schema of the OpenAPI document, with the components its $refs point into."""
    return {**OPENAPI["components"]["schemas"][name], "components": OPENAPI["components"]}


event_ids = st.uuids().map(str)
sessions = st.from_regex(SESSION_PATTERN.pattern.replace("$", r"\Z"), fullmatch=True)
client_times = st.integers(MIN_EPOCH_MS, MAX_EPOCH_MS)


@st.composite
def valid_events(draw) -> dict:
    """One event a widget could really send: its data drawn from the registry's JSON Schema."""
    widget = draw(st.sampled_from(all_widgets()))
    event_type = draw(st.sampled_from(sorted(widget.all_event_schemas)))
    return {
        "id": draw(event_ids),
        "session": draw(sessions),
        "widget": widget.id,
        "type": event_type,
        "t": draw(client_times),
        "data": draw(valid_for(dict(widget.all_event_schemas[event_type]))),
    }


@st.composite
def valid_batches(draw, max_size: int = 12) -> dict:
    """Valid events in any order (so out of order in time), some of them sent twice."""
    events = draw(
        st.lists(valid_events(), min_size=1, max_size=max_size, unique_by=lambda e: e["id"])
    )
    repeats = draw(st.lists(st.sampled_from(events), max_size=3))
    events = draw(st.permutations(events + [copy.deepcopy(event) for event in repeats]))
    payload = {"events": events}
    if draw(st.booleans()):
        payload["sent_at"] = draw(client_times)
    return payload


# --- Valid batches -----------------------------------------------------------------------------


@settings(FUZZ, max_examples=60)  # two or three requests an example
@given(payload=valid_batches())
def test_a_valid_batch_is_stored_exactly_once_however_often_it_is_sent(client, payload):
    with rolled_back():
        assert_stored_once(client, encode(payload), payload, stored())


@settings(FUZZ, max_examples=30)
@given(payload=valid_batches(max_size=4))
def test_a_valid_batch_gzipped_is_the_same_batch(client, payload):
    with rolled_back():
        before = stored()
        response = post(
            client, gzip.compress(encode(payload)), headers={"Content-Encoding": "gzip"}
        )
        assert response.status_code == 202, response.content[:2000]
        assert stored()[0] == before[0] + len({event["id"] for event in payload["events"]})


@FUZZ
@given(payload=from_schema(openapi_schema("Batch")))
def test_any_batch_the_openapi_document_describes_is_stored_whole_or_refused_whole(client, payload):
    with rolled_back():
        before = stored()
        response = post(client, encode(payload))
        if response.status_code == 202:
            distinct = {str(uuid.UUID(event["id"])) for event in payload["events"]}
            assert stored()[0] == before[0] + len(distinct)
            again = post(client, encode(payload))
            assert again.json() == {"accepted": 0, "duplicates": len(payload["events"])}
        else:
            assert_refused(response, before)


# --- Broken batches ----------------------------------------------------------------------------

REQUIRED = ("id", "session", "widget", "type", "t")
# Finite floats only: NaN and ±Infinity make the whole body invalid JSON, a body-level refusal
# that names no event; the "nan" mutation below covers them.
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
not_strings = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    finite_floats,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
not_integers = st.one_of(
    st.none(),
    st.booleans(),
    finite_floats,
    st.text(max_size=20),
    st.lists(st.integers(), max_size=2),
    st.integers().map(str),
)
non_ascii = st.text(min_size=1, max_size=40).filter(lambda text: not text.isascii())


def _replace(field: str, values: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(st.just("replace"), st.just(field), values)


MUTATIONS = st.one_of(
    st.tuples(st.just("drop"), st.sampled_from(REQUIRED), st.none()),
    _replace("id", not_strings | st.text(max_size=80).filter(lambda s: not _is_uuid(s))),
    _replace(
        "session", not_strings | st.text(min_size=129, max_size=300) | non_ascii | st.just("")
    ),
    _replace("session", sessions.map(lambda s: s[:127] + "\n")),
    _replace("widget", not_strings | non_ascii | st.text(min_size=65, max_size=200)),
    _replace("type", not_strings | non_ascii | st.from_regex(r"\A[a-z][a-z0-9_]{64,80}\Z")),
    _replace("type", st.from_regex(TYPE_PATTERN.pattern.replace("$", r"\Z"), fullmatch=True)),
    _replace("t", not_integers),
    _replace(
        "t", st.integers(max_value=MIN_EPOCH_MS - 1) | st.integers(min_value=MAX_EPOCH_MS + 1)
    ),
    _replace("data", not_strings.filter(lambda value: not isinstance(value, dict))),
    _replace("data", st.dictionaries(st.text(min_size=1, max_size=10), st.integers(), min_size=1)),
    _replace("data", st.just({"blob": "x" * 9000})),
    st.tuples(st.just("nan"), st.sampled_from(["NaN", "Infinity", "-Infinity"]), st.none()),
)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def mutate(payload: dict, index: int, mutation) -> tuple[bytes, str | None]:
    """The broken body, and the field that the answer must name for event `index`."""
    kind, name, value = mutation
    event = payload["events"][index]
    if kind == "drop":
        del event[name]
        return encode(payload), name
    if kind == "replace":
        event[name] = value
        return encode(payload), name
    # JSON's missing numbers: Python writes and reads them, JSON does not have them.
    event["widget"], event["type"] = "chernoff_tutorial", "match_checked"
    event["data"] = {"step": "match_1", "attempt": 1, "distance": 0.5, "matched": True}
    return encode(payload).replace(b'"distance": 0.5', f'"distance": {name}'.encode()), None


@FUZZ
@given(payload=valid_batches(max_size=5), position=st.integers(0, 20), mutation=MUTATIONS)
def test_a_batch_with_one_broken_event_stores_the_others_and_names_it(
    client, payload, position, mutation
):
    index = position % len(payload["events"])
    body, field = mutate(payload, index, mutation)
    if mutation[0] == "replace" and mutation[1] == "type" and isinstance(mutation[2], str):
        # A well-formed type is broken only if the widget does not have it.
        widget = next(w for w in all_widgets() if w.id == payload["events"][index]["widget"])
        assume(mutation[2] not in widget.all_event_schemas)
    with rolled_back():
        before = stored()
        response = post(client, body)
        if field is None or len(payload["events"]) == 1:
            # Not JSON any more, or nothing valid left: refused whole (the event quarantined).
            body_json = assert_refused(response, before, {400})
        else:
            assert response.status_code == 202, response.content[:500]
            body_json = response.json()
            assert body_json["refused"] == 1
            assert body_json["accepted"] + body_json["duplicates"] == len(payload["events"]) - 1
            assert stored()[0] - before[0] == body_json["accepted"]
        if field is not None:
            named = {
                (problem["index"], problem["field"].split(".")[0])
                for problem in body_json["errors"]
            }
            assert (index, field) in named or (index, "data") in named, body_json


@settings(FUZZ, max_examples=60)  # two or three requests an example
@given(
    payload=valid_batches(max_size=5),
    position=st.integers(0, 20),
    change=st.sampled_from(["t", "type", "data", "session"]),
)
def test_an_id_sent_again_with_other_content_is_a_409_and_nothing_is_stored(
    client, payload, position, change
):
    events = payload["events"]
    twin = copy.deepcopy(events[position % len(events)])
    if change == "t":
        twin["t"] = twin["t"] + 1 if twin["t"] < MAX_EPOCH_MS else twin["t"] - 1
    elif change == "type":
        twin["type"] = (
            "session_completed" if twin["type"] != "session_completed" else "session_started"
        )
        twin["data"] = {}
    elif change == "data":
        twin["widget"], twin["type"] = "BLL002", "challenge_started"
        twin["data"] = (
            {"challenge": 1}
            if events[position % len(events)]["data"] != {"challenge": 1}
            else {"challenge": 2}
        )
    else:
        twin["session"] = twin["session"][:120] + "-other"
    events.append(twin)
    with rolled_back():
        body = assert_refused(post(client, encode(payload)), stored(), {409})
        assert str(uuid.UUID(twin["id"])) in body["ids"]
        # The first half alone is fine, and is then stored; the twin alone is now the conflict.
        first = {"events": events[:-1]}
        assert_stored_once(client, encode(first), first, stored())
        assert_refused(post(client, encode({"events": [twin]})), stored(), {409})


@FUZZ
@given(
    shape=st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=20),
        st.lists(st.integers(), max_size=3),
        st.fixed_dictionaries({"events": not_strings.filter(lambda v: not isinstance(v, list))}),
        st.fixed_dictionaries({"events": st.just([])}),
        st.fixed_dictionaries({"events": st.lists(not_strings, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"events": st.just([{}]), "sent_at": not_integers}),
        st.dictionaries(
            st.text(max_size=10).filter(lambda k: k != "events"), st.integers(), max_size=3
        ),
    )
)
def test_a_body_of_the_wrong_shape_is_a_400(client, shape):
    with rolled_back():
        assert_refused(post(client, encode(shape)), stored(), {400})


def test_more_than_the_largest_batch_is_a_413_and_nothing_is_stored(client):
    event = {"session": "s", "widget": "BLL002", "type": "session_started", "t": MIN_EPOCH_MS}
    payload = {"events": [{**event, "id": str(uuid.uuid4())} for _ in range(MAX_EVENTS + 1)]}
    assert_refused(post(client, encode(payload)), stored(), {413})


# --- Broken bodies, headers and tokens ---------------------------------------------------------


@FUZZ
@given(body=st.binary(max_size=2000))
@example(body=b"[" * 100_000)  # deeper than Python's recursion limit
@example(body=b'{"events": [' * 50_000)
@example(body=b'{"events": [], "sent_at": ' + b"9" * 5000 + b"}")  # past int's digit limit
@example(body=b'{"events": [{"t": ' + b"1" * 4301 + b"}]}")
@example(body=b"\xff\xfe{\x00}\x00")
@example(body=b'{"events": [{"id": "\xed\xa0\x80"}]}')  # a lone surrogate, as UTF-8
@example(body=b"")
def test_any_bytes_are_answered_with_a_4xx_never_a_500(client, body):
    with rolled_back():
        response = post(client, body)
        if response.status_code != 202:
            assert_refused(response, stored())


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"events": [], "sent_at": ' + b"9" * 5000 + b"}",
        b'{"events": [{"data": {"distance": NaN}}]}',
    ],
    ids=["nested too deep", "number too long", "NaN"],
)
def test_json_python_reads_but_no_client_should_send_is_a_400_with_a_reason(client, body):
    body_json = assert_refused(post(client, body), stored(), {400})
    assert "JSON" in json.dumps(body_json), body_json


def test_a_body_over_the_limit_is_a_413_without_being_read(client):
    body = b'{"events": [' + b" " * MAX_BODY_BYTES + b"]}"
    assert_refused(post(client, body), stored(), {413})


@FUZZ
@given(
    content_type=st.sampled_from(
        [
            "text/plain",
            "application/x-www-form-urlencoded",
            "text/json",
            "application/jsonx",
            "",
            "application/ld+json",
            "application/json-seq",
            "multipart/form-data; boundary=x",
        ]
    ),
    encoding=st.sampled_from([None, "br", "deflate", "gzip, gzip", "x" * 100]),
)
def test_a_body_that_says_it_is_not_json_is_a_415(client, content_type, encoding):
    headers = {"Content-Encoding": encoding} if encoding else {}
    payload = {"events": [{"id": str(uuid.uuid4())}]}
    with rolled_back():
        response = post(client, encode(payload), content_type=content_type, headers=headers)
        assert_refused(response, stored(), {415})


@FUZZ
@given(
    token=st.one_of(
        st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=300),
        st.builds(lambda: issue_token(OPAQUE)[:-3] + "abc"),
        st.just("plk_0000_notakey"),
    ),
    payload=valid_batches(max_size=2),
)
def test_a_bad_token_is_a_401_and_nothing_is_stored(client, token, payload):
    with rolled_back():
        response = post(client, encode(payload), token=token)
        body = assert_refused(response, stored(), {401})
        assert "token" in body["error"].lower() or "Bearer" in body["error"]


def test_an_api_key_is_no_learner_token(client):
    _, key = api_key_create(name="school", tenant=tenant_default())
    event = {
        "id": str(uuid.uuid4()),
        "session": "s",
        "widget": "BLL002",
        "type": "session_started",
        "t": MIN_EPOCH_MS,
    }
    assert_refused(post(client, encode({"events": [event]}), token=key), stored(), {401})


# --- Text no database can store, in every endpoint ---------------------------------------------


@FUZZ
@given(
    payload=valid_batches(max_size=4),
    position=st.integers(0, 20),
    field=st.sampled_from(["id", "session", "widget", "type", "data value", "data key"]),
    bad=UNSTORABLE_TEXT,
)
def test_an_event_with_unstorable_text_is_refused_naming_it(client, payload, position, field, bad):
    index = position % len(payload["events"])
    event = payload["events"][index]
    if field == "data value":
        event["data"] = {**event.get("data", {}), "answer": bad}
    elif field == "data key":
        event["data"] = {**event.get("data", {}), bad: 1}
    else:
        event[field] = bad
    with rolled_back():
        # ensure_ascii: a surrogate goes as the escape \ud800, as a JavaScript client sends it.
        body = json.dumps(payload).encode()
        response = post(client, body)
        if response.status_code == 202:
            # The batch's other events were valid: they are stored, this one refused by index.
            body_json = response.json()
            assert body_json["refused"] >= 1
            assert Event.objects.count() == body_json["accepted"]
            assert body_json["accepted"] <= len(payload["events"]) - body_json["refused"]
        else:
            body_json = assert_refused(response, stored(), {400})
        named = {(p["index"], p["field"].split(".")[0]) for p in body_json["errors"]}
        assert (index, field.split(" ")[0]) in named, body_json


def _operations() -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in OPENAPI["paths"].items()
        # Not the /xapi/, /segment/ and /metacx/ paths (their own `servers`): tests/xapi/,
        # tests/segment/ and tests/metacx/ (test_fuzz.py) send them such text.
        if "servers" not in item
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _in_url(value) -> str:
    # A surrogate cannot be UTF-8; a client that sends it anyway sends its surrogatepass bytes.
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


@st.composite
def api_requests(draw, path: str, method: str, operation: dict):
    """A request to one operation of the document, any of its strings possibly unstorable."""
    root = {"components": OPENAPI["components"]}
    parameters = operation.get("parameters", [])
    url = path
    query = {}
    routable = True  # a "/" in a path parameter makes another URL, answered 404
    for parameter in parameters:
        value = draw(from_schema(parameter["schema"], root, strings=UNSTORABLE_TEXT))
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", _in_url(value))
            routable = routable and "/" not in str(value)
        elif parameter["in"] == "query" and (parameter.get("required") or draw(st.booleans())):
            query[parameter["name"]] = value
    if query:
        url += "?" + "&".join(f"{name}={_in_url(value)}" for name, value in query.items())
    body = None
    if "requestBody" in operation:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        body = draw(from_schema(schema, root, strings=UNSTORABLE_TEXT))
    return "/api/v1" + url, body, routable


def _holds_unstorable(value) -> bool:
    if isinstance(value, str):
        return any(char == "\x00" or "\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_holds_unstorable(key) or _holds_unstorable(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_unstorable(item) for item in value)
    return False


@pytest.mark.parametrize(
    ("path", "method", "operation"),
    _operations(),
    ids=[f"{method.upper()} {path}" for path, method, _ in _operations()],
)
def test_no_endpoint_answers_unstorable_text_with_a_500(client, path, method, operation):
    _, key = api_key_create(name="fuzz", tenant=tenant_default())

    @FUZZ
    @given(request=api_requests(path, method, operation))
    def run(request):
        url, body, routable = request
        token = key
        if operation.get("security") == [{"learnerToken": []}]:
            token = issue_token(OPAQUE)
        with rolled_back():
            before = stored()
            response = client.generic(
                method.upper(),
                url,
                b"" if body is None else json.dumps(body).encode(),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code < 500, (url, body, response.content[:300])
            assert response["Content-Type"] == "application/json", (url, response.status_code)
            if response.status_code >= 400:
                assert isinstance(response.json()["error"], str)
            if body is not None and _holds_unstorable(body) and routable:
                # 404 when the URL names a learner this tenant does not know: checked first.
                assert response.status_code in (400, 404), (url, body, response.content[:300])
                assert stored() == before

    run()
