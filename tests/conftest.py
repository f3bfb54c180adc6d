"""Shared fixtures: the owner / teammate / outsider trio of teachers, learners, and clients."""

from __future__ import annotations

import pytest
from django.test import Client

from dashboard.access import LEARNER_SESSION_KEY
from tests.factories import LearnerIdentityFactory, UserFactory, WhitelistEntryFactory

BOTH_DATABASES = ["default", "analytics"]


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
