"""Signing a learner in as a child does: their class (found by its code), then their name."""

from __future__ import annotations

from django.test import Client

from dashboard.models import LearnerIdentity, SchoolClass
from tests.factories import SchoolClassFactory


def class_of(learner: LearnerIdentity) -> SchoolClass:
    """One of the learner's classes; a new class with them in it if they have none."""
    school_class = learner.classes.first()
    if school_class is None:
        school_class = SchoolClassFactory()
        school_class.learners.add(learner)
    return school_class


def pick_url(learner: LearnerIdentity) -> str:
    return f"/signin/learner/{class_of(learner).code}/"


def sign_in_by_pick(client: Client, learner: LearnerIdentity):
    """POSTs the learner's pick on their class's name list; returns the response."""
    return client.post(pick_url(learner), {"learner": learner.pk})
