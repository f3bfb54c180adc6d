"""Each session's measures, kept by the collector: the same whatever order events arrive in.

Real recorded sessions of the three widgets are delivered as a browser on a bad network would:
in any order, in batches of any size, some events sent twice. After the summariser's round the
stored row must equal the measures computed from scratch over the whole session.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.ingest import events_ingest
from collector.models import Session
from collector.summaries import session_values, sessions_summarise
from collector.tenants import tenant_default
from collector.validation import parse_batch
from core.measures import measure_rules
from tests.collector.helpers import OPAQUE
from tests.support.db import BOTH_DATABASES
from widgets.responses import SessionReading, group_key, read_session, stored_reading

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

FIXTURES = Path(__file__).parents[1] / "widgets" / "fixtures"
SESSIONS = {
    widget: json.loads((FIXTURES / f"{name}_session.json").read_text())
    for widget, name in (
        ("BLL002", "bll002"),
        ("TEI001", "tei001"),
        ("chernoff_tutorial", "chernoff_tutorial"),
    )
}
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic(using="analytics"), transaction.atomic(using="default"):
        yield
        transaction.set_rollback(True, using="analytics")
        transaction.set_rollback(True, using="default")


def deliver(events: list[dict], received_ms: int = 1_900_000_000_000) -> None:
    body = json.dumps({"events": events}).encode()
    events_ingest(
        tenant_id=tenant_default().pk,
        learner=OPAQUE,
        batch=parse_batch(body),
        received_ms=received_ms,
    )


def expected(widget: str) -> dict:
    """The measures and readings from scratch, as they come back from the JSON column."""
    return json.loads(json.dumps(session_values(widget, SESSIONS[widget], measure_rules())))


@st.composite
def deliveries(draw):
    """A widget's recorded session, shuffled, cut into batches, with some events sent twice."""
    widget = draw(st.sampled_from(sorted(SESSIONS)))
    events = draw(st.permutations(SESSIONS[widget]))
    twice = draw(st.lists(st.sampled_from(events), max_size=5))
    stream = events + twice
    cuts = sorted(draw(st.lists(st.integers(1, len(stream) - 1), max_size=6, unique=True)))
    bounds = [0, *cuts, len(stream)]
    return widget, [stream[a:b] for a, b in itertools.pairwise(bounds)]


@PROPERTY
@given(delivery=deliveries(), summarise_between=st.booleans())
def test_it_keeps_the_same_measures_for_any_delivery_order(delivery, summarise_between):
    widget, batches = delivery
    with rolled_back():
        for batch in batches:
            deliver(batch)
            if summarise_between:  # the summariser may run between any two batches
                sessions_summarise()
        sessions_summarise()
        row = Session.objects.using("analytics").get(learner=OPAQUE, widget=widget)
        assert row.event_count == len(SESSIONS[widget])
        assert row.summarised_count == row.event_count
        stored = {name: getattr(row, name) for name in expected(widget)}
        assert stored == expected(widget)


def test_a_session_is_stale_until_summarised_and_summarised_again_only_after_new_events():
    events = SESSIONS["TEI001"]
    deliver(events[:10])
    row = Session.objects.using("analytics").get(learner=OPAQUE)
    assert row.is_stale and row.active_ms == 0
    assert sessions_summarise() == 1
    assert sessions_summarise() == 0  # nothing new: nothing folded again
    deliver(events[10:])
    assert Session.objects.using("analytics").get(learner=OPAQUE).is_stale
    assert sessions_summarise() == 1
    row = Session.objects.using("analytics").get(learner=OPAQUE)
    assert row.active_ms == expected("TEI001")["active_ms"]
    assert row.score == expected("TEI001")["score"]


def as_kept(reading: SessionReading) -> SessionReading:
    """A reading as kept: its wrong answers' groups as JSON text, without the values only the
    rules read."""
    return replace(
        reading,
        items=tuple(
            replace(
                trace,
                wrong=tuple(replace(a, group=group_key(a.group), value={}) for a in trace.wrong),
            )
            for trace in reading.items
        ),
    )


@pytest.mark.parametrize("widget", sorted(SESSIONS))
def test_the_summary_keeps_the_widgets_reading_of_each_item(widget):
    events = SESSIONS[widget]
    deliver(events[::-1])  # the last first: the reading folds them in play order all the same
    sessions_summarise()
    row = Session.objects.using("analytics").get(learner=OPAQUE, widget=widget)
    kept = stored_reading(row.items)
    read = read_session(widget, events)
    assert kept == as_kept(read)
    assert kept.items and all(trace.active_ms > 0 for trace in kept.items)
    assert kept.spotted or any(trace.wrong for trace in kept.items)


def test_the_command_summarises_in_chunks_and_reports_progress(capsys):
    from django.core.management import call_command

    deliver(SESSIONS["TEI001"])
    deliver(SESSIONS["BLL002"])
    call_command("summarise_sessions", "--chunk", "1")
    out = capsys.readouterr().out
    assert "1 of 2 sessions summarised" in out and "Summarised 2 sessions" in out
    call_command("summarise_sessions")
    assert "up to date" in capsys.readouterr().out
    call_command("summarise_sessions", "--all")
    assert "Summarised 2 sessions" in capsys.readouterr().out
