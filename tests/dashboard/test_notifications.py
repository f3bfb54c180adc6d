"""E-mails teachers ask for, sent through Django's locmem backend (the test runner's own)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from dashboard.models import NotificationSettings
from dashboard.notifications import attention_digests_send, run_done_email
from projects.models import Project
from tests.collector.helpers import now_ms
from tests.factories import SchoolClassFactory
from tests.support.db import BOTH_DATABASES
from tests.support.projects import create_project, platform_processes, record

pytestmark = [
    pytest.mark.django_db(databases=BOTH_DATABASES),
    pytest.mark.usefixtures("eager_tasks"),
]


def finish(teacher_client, project, capture):
    platform_processes(project.runs.get())
    with capture(execute=True):
        teacher_client.get(f"/projects/{project.pk}/status/", headers={"HX-Request": "true"})
    with capture(execute=True):
        teacher_client.get(f"/projects/{project.pk}/status/", headers={"HX-Request": "true"})


def test_a_teacher_chooses_what_to_be_emailed_about(teacher_client, teacher):
    page = teacher_client.get("/teacher/notifications/").content.decode()
    assert "alice@school.example" in page
    response = teacher_client.post("/teacher/notifications/", {"run_done": "on"})
    assert response.status_code == 302
    chosen = NotificationSettings.objects.get(user=teacher)
    assert (chosen.run_done, chosen.daily_digest) == (True, False)


def test_a_finished_run_is_emailed_to_its_owner_who_asked(
    client, teacher_client, teacher, ada, django_capture_on_commit_callbacks
):
    record(client, ada, "TEI001", "ada-1", now_ms() - 3_600_000, 3)
    NotificationSettings.objects.create(user=teacher, run_done=True)
    project = create_project(teacher_client, [ada], name="Fractions 7B")
    finish(teacher_client, project, django_capture_on_commit_callbacks)
    assert project.runs.get().status == "DONE"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@school.example"]
    assert message.subject == "“Fractions 7B” is ready (run 1)"
    assert "1 sessions of 1 learners" in message.body
    assert f"/projects/{project.pk}/explore/?run=1" in message.body
    assert ada.real_id not in message.body and ada.opaque_id not in message.body


def test_nobody_is_emailed_who_did_not_ask_and_class_overviews_never(
    client, teacher_client, teacher, ada, django_capture_on_commit_callbacks
):
    record(client, ada, "TEI001", "ada-1", now_ms() - 3_600_000, 3)
    project = create_project(teacher_client, [ada])
    finish(teacher_client, project, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    NotificationSettings.objects.create(user=teacher, run_done=True)
    feed = Project.objects.create(owner=teacher, name="7B overview", is_class_feed=True)
    assert run_done_email(run_id=project.runs.get().pk) is True
    feed_run = feed.runs.create(number=1, status="DONE")
    assert run_done_email(run_id=feed_run.pk) is False


def test_the_daily_digest_says_who_needs_attention_once_a_day_from_its_hour(
    client, teacher_client, teacher, ada, settings, django_capture_on_commit_callbacks
):
    settings.DIGEST_HOUR = 7
    seven_b = SchoolClassFactory(name="7B", owner=teacher)
    seven_b.learners.add(ada)
    record(client, ada, "TEI001", "ada-1", now_ms() - 3 * 3_600_000, 5)  # left unfinished
    teacher_client.get("/teacher/")  # the class's first overview
    platform_processes(Project.objects.get(is_class_feed=True).runs.get())
    with django_capture_on_commit_callbacks(execute=True):
        teacher_client.get(
            f"/teacher/classes/{seven_b.pk}/overview/", headers={"HX-Request": "true"}
        )
    NotificationSettings.objects.create(user=teacher, daily_digest=True)
    zone = ZoneInfo(settings.TIME_ZONE)
    early = datetime.now(zone).replace(hour=6)
    assert attention_digests_send(now=early) == 0
    later = early.replace(hour=8)
    assert attention_digests_send(now=later) == 1
    body = mail.outbox[0].body
    assert "7B:" in body and "Ada Lovelace: Left Fractions on a number line unfinished" in body
    assert "?at=" in body
    assert attention_digests_send(now=later.replace(hour=9)) == 0  # once a day
