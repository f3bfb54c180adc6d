"""Grade passback without a worker: what waits, what the class switch stops, and the switch."""

from __future__ import annotations

import pytest
from django.test import Client

from collector.datarequests import data_request_process
from lti.models import LtiContext, Passback
from lti.passback import Step, passback_step, passbacks_due
from tests.factories import SchoolClassFactory, WhitelistEntryFactory
from tests.lti.test_launch import widget_config
from tests.lti.test_passback_worker import complete_session
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
    school_class = SchoolClassFactory(owner=teacher)
    page = teacher_client.get(f"/teacher/classes/{school_class.pk}/").content.decode()
    assert "LMS gradebook" not in page


@pytest.mark.django_db(transaction=True, databases=["default", "analytics"])
def test_without_a_named_line_item_one_is_made_for_the_link_and_the_score_goes_there(
    lms, platform, live_server
):
    lms.tool_jwks_url = f"{live_server.url}/lti/jwks.json"
    client = Client()
    config = widget_config(launch_through(client, lms, lms.prepare_launch(lineitem=False)))
    passback = Passback.objects.get()
    assert passback_step(passback_id=passback.pk) == Step.WAITING  # not completed yet
    complete_session(client, config)
    assert passback_step(passback_id=passback.pk) == Step.WAITING  # its score is asked for
    passback.refresh_from_db()
    data_request_process(request_id=passback.data_request)

    assert passback_step(passback_id=passback.pk) == Step.SENT

    [(item_id, item)] = lms.gradebook.lineitems.items()
    assert (item["resourceLinkId"], item["resourceId"]) == ("link-1", "TEI001")
    [score] = lms.gradebook.scores
    assert score["lineitem"] == item_id
    passback.link.refresh_from_db()
    assert passback.link.lineitem_url == item["id"]  # found again next time, not made twice
