"""How the school side talks to the platform: in-process by default, or over HTTP.

`get_client()` returns a `LocalCollector` (same process, same rules as the HTTP API) unless
COLLECTOR_URL and COLLECTOR_API_KEY are set, in which case it returns an `HttpCollector`. Both
speak the API's JSON shapes and raise `CollectorError` with the API's status and message, and
the same test suite runs against both.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings

from collector import datarequests, schemas
from collector.apikeys import internal_api_key
from collector.http import MAX_BODY_BYTES, ApiError
from collector.ingest import IdConflict
from collector.models import DataRequest, DataRequestStatus
from collector.quarantine import batch_store
from collector.selectors import MAX_SESSION_COUNT_LEARNERS, live_sessions_of, session_counts_of
from collector.summaries import event_streams
from collector.tokens import (
    TokenRefused,
    learner_known,
    learner_token_check,
    learner_token_issue,
    learner_tokens_revoke,
    now_ms,
)
from collector.validation import (
    MAX_EVENTS,
    BatchInvalid,
    BatchTooLarge,
    parse_batch_keeping_valid,
)

RESULTS_PAGE = 5000
STATEMENTS_PAGE = 1000
SESSIONS_PER_READ = 500
REJECTED = "The batch was rejected; nothing was stored."


class CollectorError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class DataRequestInfo:
    id: str
    kind: str
    status: str
    progress: int
    reason: str | None
    result_count: int
    parameters: dict[str, Any]

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> DataRequestInfo:
        return cls(
            id=payload["id"],
            kind=payload["kind"],
            status=payload["status"],
            progress=payload["progress"],
            reason=payload.get("reason"),
            result_count=payload.get("result_count", 0),
            parameters=payload.get("parameters", {}),
        )


@dataclass(frozen=True)
class ResultTable:
    """All of a DONE request's result rows at once: column names, then one tuple per session.

    What an import reads (no `duration`: it is `end - start`; `items`, when there, as JSON
    text, which the import stores as it is); `iter_results` gives the API's dicts page by page.
    """

    columns: list[str]
    rows: list[tuple]


def _chunks[T](values: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _event_batches(events: list[dict[str, Any]], sent_at: int | None) -> Iterator[bytes]:
    """Request bodies of at most MAX_EVENTS events and, where possible, MAX_BODY_BYTES each.

    An empty list still makes one (empty) batch, so that the collector refuses it as the API does.
    An event too large on its own travels alone and is refused with 413, as the API would.
    """
    head = (
        b'{"events": ['
        if sent_at is None
        else f'{{"sent_at": {json.dumps(sent_at)}, "events": ['.encode()
    )
    tail = b"]}"
    chunk: list[bytes] = []
    size = len(head) + len(tail)
    for event in events:
        encoded = json.dumps(event).encode()
        if chunk and (len(chunk) >= MAX_EVENTS or size + len(encoded) + 2 > MAX_BODY_BYTES):
            yield head + b", ".join(chunk) + tail
            chunk, size = [], len(head) + len(tail)
        chunk.append(encoded)
        size += len(encoded) + 2
    if chunk or not events:
        yield head + b", ".join(chunk) + tail


def _rejection(problems: list[dict[str, Any]]) -> str:
    """The API's 400 answer in one line: its message and the first problems it lists."""
    shown = [
        (f"events[{p['index']}]" if p.get("index") is not None else "batch")
        + (f".{p['field']}" if p.get("field") else "")
        + f": {str(p['message']).rstrip('.')}"
        for p in problems[:3]
    ]
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return f"{REJECTED} " + "; ".join(shown) + more


def _request_payload(
    kind: str, learners: list[str], widgets: list[str], time_from, time_to
) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "kind": kind,
        "learners": learners,
        "widgets": widgets,
        "from": iso(time_from),
        "to": iso(time_to),
    }


class Collector(Protocol):
    def issue_learner_token(self, learner: str) -> str: ...
    def revoke_learner(self, learner: str) -> None: ...
    def erase_learner(self, learner: str) -> dict[str, int]: ...
    def move_learner(self, learner: str, to: str) -> dict[str, int]: ...
    def create_data_request(
        self,
        *,
        kind: str,
        learners: list[str],
        widgets: list[str],
        time_from: datetime | None = None,
        time_to: datetime | None = None,
    ) -> DataRequestInfo: ...
    def get_data_request(self, request_id: str) -> DataRequestInfo: ...
    def iter_results(self, request_id: str) -> Iterator[dict[str, Any]]: ...
    def iter_statements(self, request_id: str) -> Iterator[dict[str, Any]]: ...
    def results_table(self, request_id: str) -> ResultTable: ...
    def session_events(
        self, *, learner: str, session: str, widget: str | None = None
    ) -> dict[str, Any]: ...
    def sessions_events(
        self, sessions: list[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], list[dict[str, Any]]]: ...

    def session_statements(
        self, *, learner: str, session: str, widget: str | None = None
    ) -> dict[str, Any]: ...
    def other_attempts(self, request_id: str) -> list[dict[str, Any]]: ...
    def attempt_statements(
        self, *, learner: str, activity: str, registration: str
    ) -> dict[str, Any]: ...
    def session_counts(self, learners: list[str]) -> dict[str, int]: ...
    def live_sessions(self, learners: list[str], within: int = 120) -> list[dict[str, Any]]: ...
    def other_activities(self, learners: list[str]) -> list[dict[str, Any]]: ...
    def ingest_events(
        self, token: str, events: list[dict[str, Any]], sent_at: int | None = None
    ) -> dict[str, int]: ...


class LocalCollector:
    """The collector in this process: calls its services through the API's own validation."""

    def _call(self, function, *args, **kwargs):

        try:
            return function(*args, **kwargs)
        except ApiError as error:
            raise CollectorError(error.status, error.message) from None

    def _own(self, request_id: str):

        found = DataRequest.objects.filter(
            pk=request_id, tenant_id=internal_api_key().tenant_id
        ).first()
        if found is None:
            raise CollectorError(404, "No such data request for this API key.")
        return found

    @property
    def _tenant_id(self) -> int:
        return internal_api_key().tenant_id

    def _own_learner(self, learner: str) -> str:
        """The API's rule: a learner this tenant does not know is answered 404."""
        learner = self._call(schemas.opaque_id, learner, "learner")
        if not learner_known(tenant_id=self._tenant_id, learner=learner):
            raise CollectorError(404, "No such learner for this API key.")
        return learner

    def issue_learner_token(self, learner: str) -> str:

        return learner_token_issue(
            tenant_id=self._tenant_id,
            learner=self._call(schemas.new_learner_id, learner, "learner"),
        )

    def revoke_learner(self, learner: str) -> None:

        learner_tokens_revoke(tenant_id=self._tenant_id, learner=self._own_learner(learner))

    def erase_learner(self, learner: str) -> dict[str, int]:

        return datarequests.learner_erase(
            tenant_id=self._tenant_id, learner=self._own_learner(learner)
        )

    def move_learner(self, learner: str, to: str) -> dict[str, int]:

        if learner == to:
            raise CollectorError(400, "'to' must differ from the learner being moved.")
        return datarequests.learner_move(
            tenant_id=self._tenant_id,
            learner=self._own_learner(learner),
            to=self._call(schemas.new_learner_id, to, "to"),
        )

    def create_data_request(
        self, *, kind, learners, widgets, time_from=None, time_to=None
    ) -> DataRequestInfo:

        payload = _request_payload(kind, learners, widgets, time_from, time_to)
        params = self._call(schemas.request_params, payload)
        created = datarequests.data_request_create(api_key=internal_api_key(), params=params)
        return DataRequestInfo.from_json(schemas.describe(created))

    def get_data_request(self, request_id: str) -> DataRequestInfo:

        return DataRequestInfo.from_json(schemas.describe(self._own(request_id)))

    def _done(self, request_id: str):

        found = self._own(request_id)
        if found.status != DataRequestStatus.DONE:
            raise CollectorError(
                409, f"The request is {found.status}; results are ready once it is DONE."
            )
        return found

    def iter_results(self, request_id: str) -> Iterator[dict[str, Any]]:

        found = self._done(request_id)
        offset = 0
        while True:
            page = datarequests.data_request_results(
                request=found, offset=offset, limit=RESULTS_PAGE
            )
            yield from page
            if len(page) < RESULTS_PAGE:
                return
            offset += len(page)

    def iter_statements(self, request_id: str) -> Iterator[dict[str, Any]]:
        """A DONE `statements` request's statements, a page at a time (collector/xapi/export.py)."""
        from collector.xapi.export import statements_page

        found = self._done(request_id)
        cursor: str | None = None
        while True:
            page, cursor = statements_page(found, cursor=cursor, limit=STATEMENTS_PAGE)
            yield from page
            if cursor is None:
                return

    def results_table(self, request_id: str) -> ResultTable:
        """Every result row in one query, as tuples: the import's hot path."""
        found = self._done(request_id)
        return ResultTable(
            columns=datarequests.result_fields(found.kind),
            rows=datarequests.data_request_rows(request=found, items_as_text=True),
        )

    def other_attempts(self, request_id: str) -> list[dict[str, Any]]:
        """A DONE request's attempts at activities that are not our widgets (xAPI content)."""
        from collector.xapi.attempts import attempt_rows

        return attempt_rows(request=self._done(request_id))

    def attempt_statements(self, *, learner: str, activity: str, registration: str) -> dict:
        """One such attempt's statements in time order; 404 when there are none."""
        from collector.xapi.attempts import attempt_statements_payload

        return self._call(
            attempt_statements_payload,
            tenant_id=self._tenant_id,
            learner=learner,
            activity=activity,
            registration=registration,
        )

    def session_events(self, *, learner: str, session: str, widget: str | None = None) -> dict:

        return self._call(
            schemas.session_events_payload,
            tenant_id=self._tenant_id,
            learner=learner,
            session=session,
            widget=widget,
        )

    def sessions_events(
        self, sessions: list[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
        """The events of many sessions, each (opaque id, session, widget) → its events in play
        order (type, t, data), in one read per SESSIONS_PER_READ: the item analysis's input.
        Sessions this tenant does not hold are answered with no events."""
        tenant = self._tenant_id
        found: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for chunk in _chunks(list(dict.fromkeys(sessions)), SESSIONS_PER_READ):
            keys = [(tenant, learner, widget, session) for learner, session, widget in chunk]
            streams = event_streams(keys)
            for key in keys:
                found[(key[1], key[3], key[2])] = streams.get(key, [])
        return found

    def session_statements(self, *, learner: str, session: str, widget: str | None = None) -> dict:
        from collector.xapi.export import session_statements_payload

        return self._call(
            session_statements_payload,
            tenant_id=self._tenant_id,
            learner=learner,
            session=session,
            widget=widget,
        )

    def live_sessions(self, learners: list[str], within: int = 120) -> list[dict[str, Any]]:
        """Sessions of these opaque ids with an event in the last `within` s, newest first."""
        found: list[dict[str, Any]] = []
        for chunk in _chunks(list(learners), MAX_SESSION_COUNT_LEARNERS):
            found += self._call(
                live_sessions_of,
                {"learners": chunk, "within": within},
                tenant_id=self._tenant_id,
                at_ms=now_ms(),
            )
        return sorted(found, key=lambda row: -row["last_time"])

    def session_counts(self, learners: list[str]) -> dict[str, int]:
        """Sessions per opaque id (0 when none), in calls of at most the API's limit."""
        counts: dict[str, int] = {}
        for chunk in _chunks(list(learners), MAX_SESSION_COUNT_LEARNERS):
            counts.update(
                self._call(session_counts_of, {"learners": chunk}, tenant_id=self._tenant_id)
            )
        return counts

    def other_activities(self, learners: list[str]) -> list[dict[str, Any]]:
        """Generic measures per (opaque id, activity) in activities that are not our widgets
        (collector/xapi/other.py), in calls of at most the API's limit."""
        from collector.xapi.other import other_activities_of

        found: list[dict[str, Any]] = []
        for chunk in _chunks(list(learners), MAX_SESSION_COUNT_LEARNERS):
            found += self._call(other_activities_of, {"learners": chunk}, tenant_id=self._tenant_id)
        return found

    def ingest_events(
        self, token: str, events: list[dict[str, Any]], sent_at: int | None = None
    ) -> dict[str, int]:
        """Appends a learner's events as POST /api/v1/events does, in batches of at most 1000.

        The same checks and the same write path as the API: the learner token, the body limit,
        `parse_batch_keeping_valid` on the JSON bytes, then `batch_store`: a batch's valid events
        are stored all or nothing and its invalid ones quarantined (the answer then counts them
        as `refused`); a batch with no valid event is refused (400). Batches already stored stay
        stored when a later one is refused. The API's per-token rate limit is not applied: it
        protects the server from browsers, not from this process.
        """
        try:
            grant = learner_token_check(token)
        except TokenRefused as refusal:
            raise CollectorError(401, str(refusal)) from None
        totals = {"accepted": 0, "duplicates": 0, "refused": 0}
        for body in _event_batches(events, sent_at):
            received = now_ms()
            if len(body) > MAX_BODY_BYTES:
                raise CollectorError(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KiB.")
            try:
                batch, refused = parse_batch_keeping_valid(body)
            except BatchTooLarge as error:
                raise CollectorError(413, str(error)) from None
            except BatchInvalid as invalid:
                raise CollectorError(
                    400, _rejection([problem.as_dict() for problem in invalid.problems])
                ) from None
            try:
                stored = batch_store(
                    grant=grant, token=token, batch=batch, refused=refused, now=received
                )
            except IdConflict as conflict:
                raise CollectorError(
                    409,
                    "These event ids were already used for different content; nothing was "
                    f"stored: {', '.join(conflict.event_ids[:5])}",
                ) from None
            answer = stored.answer()
            if stored.result is None:
                raise CollectorError(400, _rejection(answer["errors"]))
            _add_up(totals, answer)
        return _totals(totals)


def _add_up(totals: dict[str, int], answer: dict[str, Any]) -> None:
    for name in totals:
        totals[name] += answer.get(name, 0)


def _totals(totals: dict[str, int]) -> dict[str, int]:
    """The API's shape: `refused` only when some events were refused (and quarantined)."""
    return {name: count for name, count in totals.items() if count or name != "refused"}


class HttpCollector:
    """A remote collector, reached with an API key over HTTP(S)."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.api_key = api_key
        self.timeout = timeout

    def _send(self, method: str, path: str, payload: dict | None = None) -> dict[str, Any]:
        body = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            self.base_url + path, data=body, method=method
        )
        request.add_header("Authorization", f"Bearer {self.api_key}")
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                message = json.loads(error.read()).get("error", error.reason)
            except ValueError:
                message = str(error.reason)
            raise CollectorError(error.code, message) from None
        except urllib.error.URLError as error:
            raise CollectorError(503, f"The collector cannot be reached: {error.reason}") from None

    def issue_learner_token(self, learner: str) -> str:
        return self._send("POST", "/learner-tokens", {"learner": learner})["token"]

    def revoke_learner(self, learner: str) -> None:
        self._send("POST", f"/learners/{urllib.parse.quote(learner, safe='')}/revoke")

    def erase_learner(self, learner: str) -> dict[str, int]:
        return self._send("DELETE", f"/learners/{urllib.parse.quote(learner, safe='')}")

    def move_learner(self, learner: str, to: str) -> dict[str, int]:
        return self._send(
            "POST", f"/learners/{urllib.parse.quote(learner, safe='')}/move", {"to": to}
        )

    def create_data_request(
        self, *, kind, learners, widgets, time_from=None, time_to=None
    ) -> DataRequestInfo:
        created = self._send(
            "POST", "/data-requests", _request_payload(kind, learners, widgets, time_from, time_to)
        )
        return self.get_data_request(created["id"])

    def get_data_request(self, request_id: str) -> DataRequestInfo:
        return DataRequestInfo.from_json(self._send("GET", f"/data-requests/{request_id}"))

    def iter_results(self, request_id: str) -> Iterator[dict[str, Any]]:
        path = f"/data-requests/{request_id}/results?offset=0&limit={RESULTS_PAGE}"
        while path:
            page = self._send("GET", path)
            yield from page["results"]
            following = page.get("next")
            path = following.split("/api/v1", 1)[1] if following else ""

    def iter_statements(self, request_id: str) -> Iterator[dict[str, Any]]:
        """As LocalCollector's, following each page's `next` (a cursor)."""
        path = f"/data-requests/{request_id}/results?limit={STATEMENTS_PAGE}"
        while path:
            page = self._send("GET", path)
            yield from page["results"]
            following = page.get("next")
            path = following.split("/api/v1", 1)[1] if following else ""

    def results_table(self, request_id: str) -> ResultTable:
        columns: list[str] = []
        rows: list[tuple] = []
        for result in self.iter_results(request_id):
            if not columns:
                columns = [name for name in result if name != "duration"]
            rows.append(
                tuple(json.dumps(result[n]) if n == "items" else result[n] for n in columns)
            )
        return ResultTable(columns=columns, rows=rows)

    def other_attempts(self, request_id: str) -> list[dict[str, Any]]:
        return self._send("GET", f"/data-requests/{request_id}/other-attempts")["attempts"]

    def attempt_statements(self, *, learner: str, activity: str, registration: str) -> dict:
        query = urllib.parse.urlencode({"activity": activity, "registration": registration})
        return self._send(
            "GET", f"/learners/{urllib.parse.quote(learner, safe='')}/attempt-statements?{query}"
        )

    def session_events(self, *, learner: str, session: str, widget: str | None = None) -> dict:
        query = {"learner": learner, **({"widget": widget} if widget else {})}
        return self._send(
            "GET",
            f"/sessions/{urllib.parse.quote(session, safe='')}/events?"
            + urllib.parse.urlencode(query),
        )

    def sessions_events(
        self, sessions: list[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
        """As LocalCollector's, one session at a time through the replay's own endpoint."""
        found: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for learner, session, widget in dict.fromkeys(sessions):
            try:
                answer = self.session_events(learner=learner, session=session, widget=widget)
            except CollectorError as error:
                if error.status != 404:
                    raise
                answer = {"events": []}
            found[(learner, session, widget)] = [
                {"type": e["type"], "t": e["t"], "data": e["data"]} for e in answer["events"]
            ]
        return found

    def session_statements(self, *, learner: str, session: str, widget: str | None = None) -> dict:
        query = {"learner": learner, **({"widget": widget} if widget else {})}
        return self._send(
            "GET",
            f"/sessions/{urllib.parse.quote(session, safe='')}/statements?"
            + urllib.parse.urlencode(query),
        )

    def live_sessions(self, learners: list[str], within: int = 120) -> list[dict[str, Any]]:
        """Sessions of these opaque ids with an event in the last `within` s, newest first."""
        found: list[dict[str, Any]] = []
        for chunk in _chunks(list(learners), MAX_SESSION_COUNT_LEARNERS):
            payload = {"learners": chunk, "within": within}
            found += self._send("POST", "/learners/live", payload)["sessions"]
        return sorted(found, key=lambda row: -row["last_time"])

    def session_counts(self, learners: list[str]) -> dict[str, int]:
        """Sessions per opaque id (0 when none), in calls of at most the API's limit."""
        counts: dict[str, int] = {}
        for chunk in _chunks(list(learners), MAX_SESSION_COUNT_LEARNERS):
            counts.update(
                self._send("POST", "/learners/session-counts", {"learners": chunk})["counts"]
            )
        return counts

    def other_activities(self, learners: list[str]) -> list[dict[str, Any]]:
        """As LocalCollector's, through POST /learners/other-activities."""
        found: list[dict[str, Any]] = []
        for chunk in _chunks(list(learners), MAX_SESSION_COUNT_LEARNERS):
            payload = {"learners": chunk}
            found += self._send("POST", "/learners/other-activities", payload)["activities"]
        return found

    def ingest_events(
        self, token: str, events: list[dict[str, Any]], sent_at: int | None = None
    ) -> dict[str, int]:
        """POSTs a learner's events to /api/v1/events with their learner token, 1000 at a time.

        Each batch's valid events are stored all or nothing, its invalid ones quarantined and
        counted as `refused`; batches already stored stay stored when a later one is refused.
        The API's rate limit per learner token applies (429).
        """
        totals = {"accepted": 0, "duplicates": 0, "refused": 0}
        for body in _event_batches(events, sent_at):
            request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
                self.base_url + "/events", data=body, method="POST"
            )
            request.add_header("Authorization", f"Bearer {token}")
            request.add_header("Accept", "application/json")
            request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    result = json.loads(response.read())
            except urllib.error.HTTPError as error:
                try:
                    answer = json.loads(error.read())
                except ValueError:
                    answer = {}
                if error.code == 400 and answer.get("errors"):
                    message = _rejection(answer["errors"])
                elif error.code == 409 and answer.get("ids"):
                    message = f"{answer.get('error', error.reason)}: {', '.join(answer['ids'][:5])}"
                else:
                    message = answer.get("error", str(error.reason))
                raise CollectorError(error.code, message) from None
            except urllib.error.URLError as error:
                raise CollectorError(
                    503, f"The collector cannot be reached: {error.reason}"
                ) from None
            _add_up(totals, result)
        return _totals(totals)


def get_client() -> Collector:
    if settings.COLLECTOR_URL:
        return HttpCollector(settings.COLLECTOR_URL, settings.COLLECTOR_API_KEY)
    return LocalCollector()
