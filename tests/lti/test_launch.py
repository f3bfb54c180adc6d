"""LTI 1.3 launches through the test LMS: login, the LMS's signed id_token, and what follows."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from collector.tokens import learner_token_check
from dashboard.access import LEARNER_SESSION_KEY
from dashboard.models import LearnerIdentity, SchoolClass, User
from lti.models import LtiContext, LtiUser, Passback, ResourceLink
from tests.factories import WhitelistEntryFactory
from tests.support.lms import INSTRUCTOR, launch_through

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


def widget_config(response) -> dict:
    found = re.search(
        r'<script id="widget-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the launch did not show a widget page"
    return json.loads(found.group(1))


def test_it_opens_the_widget_for_a_learner_with_a_token_of_their_opaque_id(lms, platform):
    hint = lms.prepare_launch(sub="u-42", name="Ada Lovelace", email="ada@pupils.example")
    client = Client()
    response = launch_through(client, lms, hint)

    assert response.status_code == 200
    config = widget_config(response)
    assert config["widget"] == "TEI001"
    learner = LearnerIdentity.objects.get(lti_users__sub="u-42")
    assert learner.real_id == "TestLMS:u-42"
    assert learner.display_name == "Ada Lovelace"
    assert learner_token_check(config["token"]).learner == learner.opaque_id
    page = response.content.decode()
    assert "u-42" not in json.dumps(config) and "ada@pupils.example" not in page
    assert client.session[LEARNER_SESSION_KEY] == learner.pk
    assert "My activities" not in page and "Sign out" not in page  # the LMS is the way around
    # Framed by the LMS, and by nobody else.
    assert f"frame-ancestors {lms.url}" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    passback = Passback.objects.get()
    assert (passback.learner, passback.session) == (learner, config["session"])


def test_a_second_launch_finds_the_same_learner_and_follows_their_new_name(lms, platform):
    launch_through(Client(), lms, lms.prepare_launch(sub="u-42", name="Ada"))
    response = launch_through(Client(), lms, lms.prepare_launch(sub="u-42", name="Ada King"))

    assert response.status_code == 200
    assert LearnerIdentity.objects.get().display_name == "Ada King"
    assert LtiUser.objects.count() == 1


def test_a_learner_launch_rotates_the_session_and_ends_a_teacher_session(lms, platform, teacher):
    client = Client()
    client.force_login(teacher)
    before = client.session.session_key

    launch_through(client, lms, lms.prepare_launch())

    assert client.session.session_key != before
    assert "_auth_user_id" not in client.session
    assert client.get("/teacher/").status_code == 403  # a learner, never a teacher


def test_learners_who_come_first_join_the_class_the_instructor_makes(lms, platform):
    WhitelistEntryFactory(value="grace@school.example")
    launch_through(Client(), lms, lms.prepare_launch(sub="u-1", name="Ada"))
    teacher_client = Client()
    instructor = lms.prepare_launch(
        sub="t-1", roles=(INSTRUCTOR,), email="grace@school.example", name="Grace Hopper"
    )

    response = launch_through(teacher_client, lms, instructor)

    school_class = SchoolClass.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/teacher/classes/{school_class.pk}/"
    assert school_class.name == "Year 7 Fractions"
    assert school_class.owner.email == "grace@school.example"
    assert [learner.display_name for learner in school_class.learners.all()] == ["Ada"]
    assert teacher_client.get(response["Location"]).status_code == 200
    # A learner arriving later goes straight into the class.
    launch_through(Client(), lms, lms.prepare_launch(sub="u-2", name="Alan"))
    assert school_class.learners.count() == 2


def test_a_second_instructor_becomes_a_co_teacher(lms, platform):
    WhitelistEntryFactory(value="@school.example")
    first = lms.prepare_launch(sub="t-1", roles=(INSTRUCTOR,), email="grace@school.example")
    second = lms.prepare_launch(sub="t-2", roles=(INSTRUCTOR,), email="alan@school.example")
    launch_through(Client(), lms, first)
    response = launch_through(Client(), lms, second)

    school_class = SchoolClass.objects.get()
    assert response["Location"] == f"/teacher/classes/{school_class.pk}/"
    assert list(school_class.co_teachers.values_list("email", flat=True)) == ["alan@school.example"]


def test_an_instructor_off_the_whitelist_gets_the_refusal_page(lms, platform):
    hint = lms.prepare_launch(sub="t-9", roles=(INSTRUCTOR,), email="eve@elsewhere.example")
    client = Client()

    response = launch_through(client, lms, hint)

    assert response.status_code == 403
    assert "eve@elsewhere.example is not on the Pathlens teacher list" in response.content.decode()
    assert not User.objects.filter(email="eve@elsewhere.example").exists()
    assert SchoolClass.objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_a_link_without_a_widget_says_what_the_teacher_must_do(lms, platform):
    response = launch_through(Client(), lms, lms.prepare_launch(custom={}))

    assert response.status_code == 404
    assert "does not say which Pathlens activity to open" in response.content.decode()


def test_the_widget_may_be_named_on_the_target_link_uri(lms, platform):
    hint = lms.prepare_launch(
        custom={},
        **{"https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://x/?widget=BLL002"},
    )
    assert widget_config(launch_through(Client(), lms, hint))["widget"] == "BLL002"


def test_a_link_without_grade_services_expects_no_passback(lms, platform):
    launch_through(Client(), lms, lms.prepare_launch(grades=False))

    assert Passback.objects.count() == 0
    assert ResourceLink.objects.get().lineitem_url == ""


def test_a_course_is_one_context_however_many_launch(lms, platform):
    for sub in ("u-1", "u-2", "u-3"):
        launch_through(Client(), lms, lms.prepare_launch(sub=sub))

    context = LtiContext.objects.get()
    assert context.learners.count() == 3
    assert context.school_class is None


def handoff_link(response) -> str:
    found = re.search(r'href="(/lti/teacher/[^"]+/)"', response.content.decode())
    assert found, "no link to the class in a new window"
    return found.group(1)


def test_an_instructor_inside_the_lms_frame_gets_a_one_use_link_to_their_class(lms, platform):
    WhitelistEntryFactory(value="grace@school.example")
    hint = lms.prepare_launch(sub="t-1", roles=(INSTRUCTOR,), email="grace@school.example")
    framed = Client(headers={"Sec-Fetch-Dest": "iframe"})

    response = launch_through(framed, lms, hint)

    assert response.status_code == 200
    assert "_auth_user_id" not in framed.session  # the frame keeps no teacher sign-in
    window = Client()
    opened = window.get(handoff_link(response))
    school_class = SchoolClass.objects.get()
    assert opened.status_code == 302
    assert opened["Location"] == f"/teacher/classes/{school_class.pk}/"
    assert window.get(opened["Location"]).status_code == 200
    again = Client().get(handoff_link(response))
    assert again.status_code == 410
    assert "already used" in again.content.decode()


def test_the_link_to_the_class_checks_the_whitelist_again(lms, platform):
    entry = WhitelistEntryFactory(value="grace@school.example")
    hint = lms.prepare_launch(sub="t-1", roles=(INSTRUCTOR,), email="grace@school.example")
    response = launch_through(Client(headers={"Sec-Fetch-Dest": "iframe"}), lms, hint)
    entry.delete()

    window = Client()
    opened = window.get(handoff_link(response))

    assert opened.status_code == 403
    assert "_auth_user_id" not in window.session
