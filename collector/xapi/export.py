"""xAPI out: learners' work as xAPI statements, for another LRS.

- One session: its events as the statements they map onto (collector/xapi/mapping.py), served by
  `GET /api/v1/sessions/<session>/statements` (and the local client).
- A whole run: a `statements` data request. Its answer is the statements of the learners' events
  in its widgets and window, mapped, then the stored statements of the same learners about other
  activities in the window. It is not materialised (that would copy every event): processing
  notes the last event and the last statement it covers (`events_upto`, `statements_upto`), and
  each page reads on from a cursor up to them, a page at a time, so that a large run is never in
  memory and the answer does not change while a client is still paging.

What another LRS sets itself (`stored`, `authority`) is left out of stored statements, and so are
the attachments whose content only this LRS holds (a signature: answered to
`GET /xapi/statements?attachments=true`): the statements are accepted as they are by another LRS.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet

from collector import schemas
from collector.models import DataRequest, Event
from collector.xapi.attachments import sendable_as_json
from collector.xapi.mapping import event_statement
from collector.xapi.models import Statement
from config.routers import ANALYTICS_ALIAS as ALIAS

# A page's position (Position): "e<learner index>-<seq>" in the events, "s<seq>" in the statements.
CURSOR = re.compile(r"e(?P<learner>\d{1,9})-(?P<seq>\d{1,19})|s(?P<statement>\d{1,19})")
NOT_EXPORTED = ("stored", "authority")


def session_statements_payload(
    *, tenant_id: int, learner: str, session: str, widget: str | None
) -> dict[str, Any]:
    """The session's events, in time order, as statements; 404 (ApiError) as for its events."""
    found = schemas.session_events_payload(
        tenant_id=tenant_id, learner=learner, session=session, widget=widget
    )
    return {
        "learner": found["learner"],
        "session": session,
        "statements": [
            event_statement({**event, "session": session}, learner=found["learner"])
            for event in found["events"]
        ],
    }


def _events(request: DataRequest, learner: str | None = None) -> QuerySet[Event]:
    from collector.datarequests import matching_events  # datarequests imports this module

    return matching_events(request, learner=learner)


def _other_statements(request: DataRequest) -> QuerySet[Statement]:
    """The learners' statements about activities that are not our widgets (those are events),
    not voided, whose timestamp is in the window."""
    rows = (
        Statement.objects.using(ALIAS)
        .filter(tenant_id=request.tenant_id, learner__in=request.learners, widget="", voided=False)
        .exclude(activity="")
    )
    if request.time_from is not None:
        rows = rows.filter(timestamp__gte=request.time_from)
    if request.time_to is not None:
        rows = rows.filter(timestamp__lt=request.time_to)
    return rows


def statements_snapshot(request: DataRequest) -> dict[str, int]:
    """What processing a `statements` request records: the last event and statement it covers
    (what arrives later is not in its answer) and how many statements it answers."""
    events_upto = Event.objects.using(ALIAS).aggregate(last=Max("seq"))["last"] or 0
    statements_upto = Statement.objects.using(ALIAS).aggregate(last=Max("seq"))["last"] or 0
    count = _events(request).filter(seq__lte=events_upto).count()
    count += _other_statements(request).filter(seq__lte=statements_upto).count()
    return {"events_upto": events_upto, "statements_upto": statements_upto, "result_count": count}


@dataclass(frozen=True)
class Position:
    """Where a page starts: after event `seq` of the `learner`-th learner (events come learner
    by learner, each in arrival order), or after statement `seq` (the other activities')."""

    phase: str  # "e" or "s"
    learner: int = 0
    seq: int = 0

    def __str__(self) -> str:
        return f"e{self.learner}-{self.seq}" if self.phase == "e" else f"s{self.seq}"


def cursor_check(raw: str | None) -> Position:
    """The position of a cursor ("" or None: the first page); ValueError if it is not one."""
    if not raw:
        return Position("e")
    found = CURSOR.fullmatch(raw)
    if found is None:
        raise ValueError(raw)
    if found["statement"] is not None:
        return Position("s", seq=int(found["statement"]))
    return Position("e", learner=int(found["learner"]), seq=int(found["seq"]))


def _learner_events(request: DataRequest, learner: str) -> QuerySet[Event]:
    return _events(request, learner).filter(seq__lte=request.events_upto or 0)


def offset_cursor(request: DataRequest, offset: int) -> str:
    """The cursor of the page that starts `offset` statements in, for a client that pages by
    offset (it counts what comes before once; `next` then carries a cursor)."""
    left = offset
    for index, learner in enumerate(request.learners):
        events = _learner_events(request, learner)
        count = events.count()
        if left < count:
            seqs = events.order_by("seq").values_list("seq", flat=True)
            return str(Position("e", index, seqs[left - 1] if left else 0))
        left -= count
    if left == 0:
        return str(Position("s"))
    statements = _other_statements(request).filter(seq__lte=request.statements_upto or 0)
    found = list(statements.order_by("seq").values_list("seq", flat=True)[left - 1 : left])
    # Past the end: a position after every statement, whose page is empty.
    return str(Position("s", seq=found[0] if found else request.statements_upto or 0))


EVENT_FIELDS = ("seq", "event_id", "learner", "session", "widget", "type", "t", "data")


def _event_rows(request: DataRequest, at: Position, limit: int) -> tuple[list[tuple], Position]:
    """Up to `limit` event rows from the position, and the position after them. One learner at
    a time: each query reads one learner's events through the learner index and sorts only
    those (by seq), where one query over all the learners sorted every remaining event of the
    request again for every page."""
    rows: list[tuple] = []
    index, after = at.learner, at.seq
    while index < len(request.learners) and len(rows) < limit:
        events = _learner_events(request, request.learners[index]).filter(seq__gt=after)
        found = list(events.order_by("seq").values_list(*EVENT_FIELDS)[: limit - len(rows)])
        rows += found
        if len(rows) < limit:  # this learner's events are all read
            index, after = index + 1, 0
        else:
            after = found[-1][0]
    return rows, Position("e", index, after)


def _exported(body: str) -> dict[str, Any]:
    statement = json.loads(body)
    for key in NOT_EXPORTED:
        statement.pop(key, None)
    return sendable_as_json(statement)


def statements_page(
    request: DataRequest, *, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to `limit` statements of a DONE `statements` request from the cursor, and the cursor
    of the next page (None after the last). ValueError for a cursor that is not one."""
    at = cursor_check(cursor)
    page: list[dict[str, Any]] = []
    if at.phase == "e":
        rows, at = _event_rows(request, at, limit)
        for _, event_id, learner, session, widget, type_, t, data in rows:
            event = {"id": event_id, "session": session, "widget": widget, "type": type_}
            page.append(event_statement({**event, "t": t, "data": data}, learner=learner))
        if len(page) == limit and at.learner < len(request.learners):
            return page, str(at)  # perhaps more events (else the next page is the statements')
        at = Position("s")
    room = limit - len(page)
    statements = _other_statements(request).filter(
        seq__gt=at.seq, seq__lte=request.statements_upto or 0
    )
    found = list(statements.order_by("seq").values_list("seq", "body")[: room + 1])
    page += [_exported(body) for _, body in found[:room]]
    if len(found) > room:
        return page, str(Position("s", seq=found[room - 1][0] if room else at.seq))
    return page, None
