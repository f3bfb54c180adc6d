"""Shared fixtures: the owner / teammate / outsider trio of teachers, learners, and clients.

Helpers that are not fixtures (recording sessions, driving a project run) live in tests/support/.
"""

from __future__ import annotations

import pytest
from django.test import Client

from config.celery import app as celery_app
from dashboard.access import LEARNER_SESSION_KEY
from tests.factories import LearnerIdentityFactory, UserFactory, WhitelistEntryFactory
from tests.support.db import BOTH_DATABASES  # noqa: F401
from tests.support.replays import eager


@pytest.fixture
def teacher(db):
    """A whitelisted teacher: the owner in most tests."""
    user = UserFactory(username="alice", email="alice@school.example", first_name="Alice")
    WhitelistEntryFactory(value="alice@school.example")
    return user


@pytest.fixture
def other_teacher(db):
    """A second whitelisted teacher, who must not see the first one's objects."""
    user = UserFactory(username="bob", email="bob@school.example", first_name="Bob")
    WhitelistEntryFactory(value="bob@school.example")
    return user


@pytest.fixture
def outsider(db):
    """A signed-up user whose email is not on the whitelist."""
    return UserFactory(username="mallory", email="mallory@elsewhere.example")


@pytest.fixture
def learner(db):
    return LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")


@pytest.fixture
def teacher_client(teacher) -> Client:
    client = Client()
    client.force_login(teacher)
    return client


@pytest.fixture
def learner_client(learner) -> Client:
    client = Client()
    session = client.session
    session[LEARNER_SESSION_KEY] = learner.pk
    session.save()
    return client


@pytest.fixture
def ada(db):
    return LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")


@pytest.fixture
def grace(db):
    return LearnerIdentityFactory(real_id="S-2002", display_name="Grace Hopper")


@pytest.fixture
def alan(db):
    """A learner with no sessions at all."""
    return LearnerIdentityFactory(real_id="S-2003", display_name="Alan Turing")


@pytest.fixture
def eager_tasks():
    """Our Celery tasks run in the test's own process (the import a status check enqueues)."""
    with eager():
        yield


@pytest.fixture(autouse=True)
def empty_queue_for_a_real_worker(request):
    """A test that starts a real worker (marked `worker`) finds the queue empty. Tests without a
    worker leave the tasks they enqueued there (CI's suite: dozens, each for a data request its
    test has since deleted), and the worker would work through all of them first: 52 such
    tasks made the ping test wait 12 s on the filesystem broker."""
    if request.node.get_closest_marker("worker"):
        celery_app.control.purge()
