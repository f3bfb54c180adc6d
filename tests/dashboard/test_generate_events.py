"""generate_events: synthetic event sets of a given size, through the collector's client."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from collector.models import Event, Session
from dashboard.models import LearnerIdentity, WidgetOpening
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_events", "--until", "2025-03-14", *args, stdout=out)
    return out.getvalue()


def test_it_makes_learners_sessions_and_exactly_the_events_asked_for():
    output = generate("--learners", "3", "--sessions", "4", "--events", "25")
    assert "3 learners × 4 sessions × 25 events = 300 events (300 new, 0 duplicates)" in output
    assert "events/s through ingest_events, in-process" in output
    assert sorted(LearnerIdentity.objects.values_list("real_id", flat=True)) == [
        "gen-000001",
        "gen-000002",
        "gen-000003",
    ]
    assert Event.objects.count() == 300
    assert Session.objects.count() == 12
    assert set(Session.objects.values_list("event_count", flat=True)) == {25}
    assert WidgetOpening.objects.count() == 12
    assert Counter(Session.objects.values_list("widget", flat=True)).keys() >= {
        "TEI001",
        "chernoff_tutorial",
    }


def test_long_sessions_are_padded_and_short_ones_cut():
    generate("--learners", "1", "--sessions", "2", "--events", "400", "--widgets", "TEI001")
    generate("--learners", "1", "--sessions", "1", "--events", "3", "--widgets", "TEI001")
    counts = sorted(Session.objects.values_list("event_count", flat=True))
    assert counts == [3, 400, 400]
    short = Session.objects.get(event_count=3)
    assert list(Event.objects.filter(session=short.session).order_by("t").values_list("type")) == [
        ("session_started",),
        ("item_started",),
        ("card_placed",),
    ]


def test_running_it_again_reuses_the_learners_and_stores_nothing_new():
    generate("--learners", "2", "--sessions", "2", "--events", "10")
    output = generate("--learners", "2", "--sessions", "2", "--events", "10")
    assert "(0 new, 40 duplicates)" in output
    assert LearnerIdentity.objects.count() == 2
    assert Event.objects.count() == 40
    generate("--learners", "3", "--sessions", "2", "--events", "10", "--seed", "2")
    assert LearnerIdentity.objects.count() == 3
    assert Event.objects.count() == 40 + 60


def test_it_refuses_nonsense_sizes():
    with pytest.raises(CommandError):
        call_command("generate_events", "--learners", "0", "--sessions", "1", "--events", "1")
