"""Grade passback without a worker: what waits, what the class switch stops, and the switch."""

from __future__ import annotations

import pytest
from django.test import Client

from lti.models import LtiContext, Passback
from lti.passback import passbacks_due
from tests.factories import WhitelistEntryFactory
from tests.support.lms import INSTRUCTOR, launch_through

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


@pytest.fixture
def lms_class(lms, platform):
    """A class made by an instructor's launch, and a learner's launch from a graded link."""
    WhitelistEntryFactory(value="grace@school.example")
    teacher_client = Client()
    instructor = lms.prepare_launch(sub="t-1", roles=(INSTRUCTOR,), email="grace@school.example")
    launch_through(teacher_client, lms, instructor)
    launch_through(Client(), lms, lms.prepare_launch(sub="u-1"))
    return LtiContext.objects.get().school_class, teacher_client


def test_a_graded_launch_waits_for_its_session(lms_class):
    assert passbacks_due() == [Passback.objects.get().pk]


def test_the_teacher_turns_passback_off_and_on_for_the_class(lms_class):
    school_class, teacher_client = lms_class
    page = teacher_client.get(f"/teacher/classes/{school_class.pk}/").content.decode()
    assert "Stop sending scores to the LMS" in page

    response = teacher_client.post(f"/lti/classes/{school_class.pk}/passback/")

    assert response.status_code == 302
    school_class.refresh_from_db()
    assert not school_class.lti_passback
    assert passbacks_due() == []
    page = teacher_client.get(f"/teacher/classes/{school_class.pk}/").content.decode()
    assert "Scores are not sent to the LMS" in page
    teacher_client.post(f"/lti/classes/{school_class.pk}/passback/", {"passback": "on"})
    school_class.refresh_from_db()
    assert school_class.lti_passback


def test_another_teacher_cannot_switch_the_class(lms_class, other_teacher):
    school_class, _ = lms_class
    client = Client()
    client.force_login(other_teacher)

    assert client.post(f"/lti/classes/{school_class.pk}/passback/").status_code == 404
    school_class.refresh_from_db()
    assert school_class.lti_passback


def test_a_class_made_by_hand_shows_no_lms_switch(teacher_client, teacher):
    from tests.factories import SchoolClassFactory

    school_class = SchoolClassFactory(owner=teacher)
    page = teacher_client.get(f"/teacher/classes/{school_class.pk}/").content.decode()
    assert "LMS gradebook" not in page
