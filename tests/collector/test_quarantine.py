"""No valid event is lost for an invalid one beside it: the valid remainder of a batch is stored,
the invalid events are kept in a bounded quarantine, counted per session, and listed for
operators (the Django admin and GET /api/v1/quarantine), tenant by tenant."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from collector import quarantine as quarantine_module
from collector.apikeys import api_key_create
from collector.client import CollectorError, LocalCollector
from collector.models import Event, QuarantinedEvent, Session
from collector.tasks import delete_old_quarantined_events
from collector.tenants import tenant_default, tenant_get_or_create
from collector.tokens import learner_token_issue
from config.celery import app as celery_app
from tests.collector.helpers import OPAQUE, event, issue_token, now_ms, post_events
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def four_with_one_invalid() -> list[dict]:
    """The issue's batch: four events of one session, the third against its widget's schema."""
    base = now_ms()
    events = [
        event(session="s-q", type="session_started", t=base),
        event(session="s-q", type="weight_placed", t=base + 1, data={"peg": -2, "mass": 1}),
        event(session="s-q", type="weight_placed", t=base + 2, data={"peg": "nowhere"}),
        event(session="s-q", type="session_completed", t=base + 3),
    ]
    return events


def api_key(tenant=None) -> dict[str, str]:
    _, text = api_key_create(name="school", tenant=tenant or tenant_default())
    return {"Authorization": f"Bearer {text}"}


def test_the_three_valid_events_of_a_four_event_batch_with_one_invalid_arrive(client):
    events = four_with_one_invalid()
    response = post_events(client, events)
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["accepted"], body["refused"], body["quarantined"]) == (3, 1, 1)
    assert {e["index"] for e in body["errors"]} == {2}
    stored = set(Event.objects.values_list("event_id", flat=True))
    assert stored == {uuid.UUID(events[i]["id"]) for i in (0, 1, 3)}
    kept = QuarantinedEvent.objects.get()
    assert (kept.learner, kept.session, kept.widget) == (OPAQUE, "s-q", "BLL002")
    assert json.loads(kept.raw)["id"] == events[2]["id"]
    assert kept.reason.startswith("data")
    assert Session.objects.get(session="s-q").refused == 1


def test_the_valid_remainder_is_stored_all_or_nothing_and_a_conflict_keeps_nothing(client):
    first = event(session="s-q")
    post_events(client, [first])
    reused = {**first, "type": "session_completed"}
    response = post_events(client, [event(session="s-q"), reused, event(t="later")])
    assert response.status_code == 409
    assert Event.objects.count() == 1
    assert not QuarantinedEvent.objects.exists()
    assert Session.objects.get().refused == 0


def test_a_retried_batch_keeps_and_counts_its_refused_event_once(client):
    events = four_with_one_invalid()
    token = issue_token()
    post_events(client, events, token=token)
    again = post_events(client, events, token=token).json()
    assert (again["accepted"], again["duplicates"], again["refused"]) == (0, 3, 1)
    assert again["quarantined"] == 0
    assert QuarantinedEvent.objects.count() == 1
    assert Session.objects.get(session="s-q").refused == 1


def test_only_the_events_own_fields_are_kept_never_a_learner_field(client):
    sneaky = event(session="s-q", t="soon")
    sneaky["learner"] = "S-2001"
    sneaky["name"] = "Ada Lovelace"
    post_events(client, [event(session="s-q"), sneaky])
    raw = QuarantinedEvent.objects.get().raw
    assert "S-2001" not in raw and "Ada" not in raw
    assert sorted(json.loads(raw)) == ["data", "id", "session", "t", "type", "widget"]


def test_anything_sent_is_kept_storable_nul_bytes_and_non_objects_included(client):
    response = post_events(
        client,
        [event(), "just a string", {"widget": "BLL\u0000", "session": "s\u0000", "t": 1}, 7],
    )
    assert response.status_code == 202
    kept = QuarantinedEvent.objects.order_by("id")
    assert [row.raw for row in kept][:1] == ['"just a string"']
    assert kept[1].widget == "" and kept[1].session == ""  # not filterable, still in raw
    assert "\\u0000" in kept[1].raw
    assert kept.count() == 3


def test_past_the_bound_per_token_and_day_refused_events_are_counted_not_kept(
    client, monkeypatch, caplog
):
    monkeypatch.setattr(quarantine_module, "QUARANTINE_PER_TOKEN_PER_DAY", 2)
    token = issue_token()
    bad = [event(session="s-q", t=f"bad {i}") for i in range(3)]
    first = post_events(client, [event(session="s-q"), *bad], token=token).json()
    assert (first["refused"], first["quarantined"]) == (3, 2)
    second = post_events(client, [event(session="s-q"), event(session="s-q", t="x")], token=token)
    assert second.json()["quarantined"] == 0
    assert QuarantinedEvent.objects.count() == 2
    assert Session.objects.get(session="s-q").refused == 4
    assert "quarantine bound reached" in caplog.text
    # Another learner token has a bound of its own.
    other = post_events(client, [event(t="nope")], token=issue_token("ab" * 16))
    assert other.json()["quarantined"] == 1


def test_erasing_a_learner_erases_their_quarantined_events(client):
    post_events(client, four_with_one_invalid())
    response = client.delete(f"/api/v1/learners/{OPAQUE}", headers=api_key())
    assert response.status_code == 200
    assert not QuarantinedEvent.objects.exists()


def test_moving_a_learner_moves_their_quarantined_events_and_refused_counts(client):
    post_events(client, four_with_one_invalid())
    target = "ab" * 16
    client.post(
        f"/api/v1/learners/{OPAQUE}/move",
        {"to": target},
        content_type="application/json",
        headers=api_key(),
    )
    assert list(QuarantinedEvent.objects.values_list("learner", flat=True)) == [target]
    assert Session.objects.get(learner=target).refused == 1


def test_the_api_lists_a_tenants_quarantine_newest_first_a_page_at_a_time(client):
    auth = api_key()
    for number in range(3):
        post_events(client, [event(session=f"s-{number}", widget="NOPE01")])
    first = client.get("/api/v1/quarantine?limit=2", headers=auth).json()
    assert first["count"] == 3
    assert [row["session"] for row in first["results"]] == ["s-2", "s-1"]
    assert first["results"][0]["learner"] == OPAQUE
    assert "Unknown widget" in first["results"][0]["reason"]
    second = client.get(first["next"], headers=auth).json()
    assert [row["session"] for row in second["results"]] == ["s-0"]
    assert second["next"] is None
    bad_limit = client.get("/api/v1/quarantine?limit=many", headers=auth)
    assert bad_limit.status_code == 400


def test_another_tenant_sees_none_of_the_quarantine(client):
    post_events(client, four_with_one_invalid())
    other = api_key(tenant_get_or_create(name="school-b"))
    assert client.get("/api/v1/quarantine", headers=other).json()["count"] == 0
    assert client.get("/api/v1/quarantine", headers=api_key()).json()["count"] == 1
    assert client.get("/api/v1/quarantine").status_code == 401


def test_the_session_events_answer_counts_refused_events(client):
    post_events(client, four_with_one_invalid())
    response = client.get(f"/api/v1/sessions/s-q/events?learner={OPAQUE}", headers=api_key())
    assert response.json()["sessions"][0]["refused"] == 1


def test_the_in_process_client_keeps_the_valid_events_and_quarantines_the_rest():
    collector = LocalCollector()
    token = collector.issue_learner_token(OPAQUE)
    answer = collector.ingest_events(token, four_with_one_invalid())
    assert answer == {"accepted": 3, "duplicates": 0, "refused": 1}
    assert QuarantinedEvent.objects.count() == 1
    with pytest.raises(CollectorError) as refused:
        collector.ingest_events(token, [event(t="never")])
    assert refused.value.status == 400
    assert "events[0].t" in refused.value.message


def test_it_deletes_quarantined_events_older_than_the_retention_in_every_tenant(client, settings):
    settings.QUARANTINE_RETENTION_DAYS = 90
    school_b = tenant_get_or_create(name="school-b")
    for tenant_id in (tenant_default().pk, school_b.pk):
        token = learner_token_issue(tenant_id=tenant_id, learner=OPAQUE)
        for session in ("s-old", "s-new"):
            bad = event(session=session, type="weight_placed", data={"peg": "nowhere"})
            post_events(client, [event(session=session), bad], token=token)
    now = timezone.now()
    QuarantinedEvent.objects.filter(session="s-old").update(received_at=now - timedelta(days=91))
    QuarantinedEvent.objects.filter(session="s-new").update(received_at=now - timedelta(days=89))

    assert delete_old_quarantined_events() == 2
    assert set(QuarantinedEvent.objects.values_list("session", flat=True)) == {"s-new"}
    assert QuarantinedEvent.objects.count() == 2
    # The sessions still say that an event was refused.
    assert set(Session.objects.values_list("session", "refused")) == {("s-old", 1), ("s-new", 1)}
    assert delete_old_quarantined_events() == 0


def test_celery_beat_deletes_old_quarantined_events_hourly():
    entry = django_settings.CELERY_BEAT_SCHEDULE["delete-old-quarantined-events"]
    assert entry["task"] == delete_old_quarantined_events.name
    assert entry["schedule"] == 3600
    assert entry["task"] in celery_app.tasks
