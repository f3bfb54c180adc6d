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
from typing import Any

from django.db.models import Max, QuerySet

from collector import schemas
from collector.models import DataRequest, Event
from collector.xapi.attachments import sendable_as_json
from collector.xapi.mapping import event_statement
from collector.xapi.models import Statement
from config.routers import ANALYTICS_ALIAS as ALIAS

# A page's position: "e<seq>" after that event, "s<seq>" after that statement (events first).
CURSOR = re.compile(r"([es])(\d{1,19})")
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


def _events(request: DataRequest) -> QuerySet[Event]:
    from collector.datarequests import matching_events  # datarequests imports this module

    return matching_events(request)


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


def cursor_check(raw: str | None) -> tuple[str, int]:
    """The cursor of a page ("" or None: the first); ValueError if it is not one."""
    if not raw:
        return "e", 0
    found = CURSOR.fullmatch(raw)
    if found is None:
        raise ValueError(raw)
    return found[1], int(found[2])


def offset_cursor(request: DataRequest, offset: int) -> str:
    """The cursor of the page that starts `offset` statements in, for a client that pages by
    offset (it reads the seqs before that once; `next` then carries a cursor)."""
    if offset == 0:
        return ""
    events = _events(request).filter(seq__lte=request.events_upto or 0)
    found = list(events.order_by("seq").values_list("seq", flat=True)[offset - 1 : offset])
    if found:
        return f"e{found[0]}"
    skipped = offset - events.count()
    statements = _other_statements(request).filter(seq__lte=request.statements_upto or 0)
    found = list(statements.order_by("seq").values_list("seq", flat=True)[skipped - 1 : skipped])
    return f"s{found[0] if found else request.statements_upto or 0}"  # past the end: no page


def _event_rows(request: DataRequest, after: int, limit: int) -> list[tuple]:
    rows = _events(request).filter(seq__gt=after, seq__lte=request.events_upto or 0)
    fields = ("seq", "event_id", "learner", "session", "widget", "type", "t", "data")
    return list(rows.order_by("seq").values_list(*fields)[:limit])


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
    phase, after = cursor_check(cursor)
    page: list[dict[str, Any]] = []
    if phase == "e":
        rows = _event_rows(request, after, limit + 1)
        for _, event_id, learner, session, widget, type_, t, data in rows[:limit]:
            event = {"id": event_id, "session": session, "widget": widget, "type": type_}
            page.append(event_statement({**event, "t": t, "data": data}, learner=learner))
        if len(rows) > limit:
            return page, f"e{rows[limit - 1][0]}"
        after = 0
    room = limit - len(page)
    statements = _other_statements(request).filter(
        seq__gt=after, seq__lte=request.statements_upto or 0
    )
    found = list(statements.order_by("seq").values_list("seq", "body")[: room + 1])
    page += [_exported(body) for _, body in found[:room]]
    if len(found) > room:
        last = found[room - 1][0] if room else after
        return page, f"s{last}"
    return page, None
