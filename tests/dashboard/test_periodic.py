"""The school side's periodic task (celery beat): expired sign-in sessions are deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from dashboard.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def expired_session() -> str:
    store = SessionStore()
    store["signed_in"] = True
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    return store.session_key


def test_it_deletes_expired_sessions_and_keeps_the_live_ones(teacher_client):
    gone = [expired_session() for _ in range(3)]
    live = teacher_client.session.session_key
    assert clear_expired_sessions() == 3
    assert not Session.objects.filter(pk__in=gone).exists()
    assert Session.objects.filter(pk=live).exists()
    # The teacher is still signed in.
    assert teacher_client.get("/teacher/").status_code == 200
    assert clear_expired_sessions() == 0
