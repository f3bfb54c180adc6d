"""Classes: create, rename, delete, add / remove / move learners, share with co-teachers.

The owner / teammate / outsider trio: Alice owns the class, Bob is whitelisted but it is not
shared with him (404 everywhere) until she shares it, Mallory is not a teacher at all.
"""

from __future__ import annotations

import pytest
from django.test import Client

from dashboard.models import ClassTeacher, LearnerIdentity, SchoolClass
from tests.factories import LearnerIdentityFactory, SchoolClassFactory, WhitelistEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_b(teacher, learner):
    school_class = SchoolClassFactory(name="7B", owner=teacher)
    school_class.learners.add(learner)
    return school_class


@pytest.fixture
def bob_client(other_teacher) -> Client:
    client = Client()
    client.force_login(other_teacher)
    return client


def test_it_creates_a_class_with_a_code_and_says_what_to_do_next(teacher_client, teacher):
    response = teacher_client.post(
        "/teacher/classes/", {"name": "  8A  maths ", "year": "Year 8", "subject": ""}
    )
    school_class = SchoolClass.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/teacher/classes/{school_class.pk}/"
    assert (school_class.name, school_class.year, school_class.owner) == (
        "8A maths",
        "Year 8",
        teacher,
    )
    assert len(school_class.code) == 6
    page = teacher_client.get(response["Location"]).content.decode()
    assert school_class.code in page
    assert "No learners in this class yet" in page


def test_a_class_needs_a_name(teacher_client):
    response = teacher_client.post("/teacher/classes/", {"name": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not SchoolClass.objects.exists()


def test_the_list_shows_own_and_shared_classes_only(teacher_client, seven_b, other_teacher):
    SchoolClassFactory(name="Bob's 9C", owner=other_teacher)
    html = teacher_client.get("/teacher/classes/").content.decode()
    assert "7B" in html and "Bob&#x27;s 9C" not in html


def test_another_teacher_gets_404_until_the_class_is_shared(
    teacher_client, bob_client, seven_b, learner, other_teacher
):
    base = f"/teacher/classes/{seven_b.pk}/"
    assert bob_client.get(base).status_code == 404
    assert bob_client.post(f"{base}edit/", {"name": "x"}).status_code == 404
    assert bob_client.post(f"{base}learners/{learner.pk}/remove/").status_code == 404
    assert bob_client.post(f"{base}teachers/", {"email": "bob@school.example"}).status_code == 404
    assert seven_b.learners.count() == 1

    response = teacher_client.post(f"{base}teachers/", {"email": "BOB@school.example"})
    assert response.status_code == 302
    assert bob_client.get(base).status_code == 200
    assert "7B" in bob_client.get("/teacher/classes/").content.decode()
    # A co-teacher teaches, but only the class's maker deletes it.
    assert bob_client.post(f"{base}delete/").status_code == 302
    assert SchoolClass.objects.filter(pk=seven_b.pk).exists()


def test_it_shares_only_with_whitelisted_teachers_and_once(teacher_client, seven_b):
    url = f"/teacher/classes/{seven_b.pk}/teachers/"
    refused = teacher_client.post(url, {"email": "mallory@elsewhere.example"})
    assert refused.status_code == 400
    assert "not on the teacher whitelist" in refused.content.decode()
    WhitelistEntryFactory(value="@school.example")
    assert teacher_client.post(url, {"email": "carol@school.example"}).status_code == 302
    again = teacher_client.post(url, {"email": "Carol@School.example"})
    assert again.status_code == 400
    assert "already teaches this class" in again.content.decode()
    assert teacher_client.post(url, {"email": "not an email"}).status_code == 400
    assert ClassTeacher.objects.count() == 1


def test_it_stops_sharing(teacher_client, bob_client, seven_b):
    teacher_client.post(f"/teacher/classes/{seven_b.pk}/teachers/", {"email": "bob@school.example"})
    share = ClassTeacher.objects.get()
    response = teacher_client.post(f"/teacher/classes/{seven_b.pk}/teachers/{share.pk}/remove/")
    assert response.status_code == 302
    assert bob_client.get(f"/teacher/classes/{seven_b.pk}/").status_code == 404


def test_it_adds_learners_from_the_school_with_a_search(teacher_client, seven_b, learner):
    grace = LearnerIdentityFactory(real_id="S-2002", display_name="Grace Hopper")
    alan = LearnerIdentityFactory(real_id="S-2003", display_name="Alan Turing")
    url = f"/teacher/classes/{seven_b.pk}/"
    picker = teacher_client.get(
        url, {"q": "grace"}, headers={"HX-Request": "true", "HX-Target": "learner-picker"}
    )
    html = picker.content.decode()
    assert "<html" not in html and "Grace Hopper" in html and "Alan Turing" not in html
    assert "Ada Lovelace" not in html  # already in the class
    response = teacher_client.post(f"{url}learners/", {"learner": [grace.pk, alan.pk, learner.pk]})
    assert response.status_code == 302
    assert set(seven_b.learners.all()) == {learner, grace, alan}
    nothing = teacher_client.post(f"{url}learners/", {})
    assert nothing.status_code == 400
    assert "Tick at least one learner" in nothing.content.decode()


def test_removing_a_learner_keeps_their_identity(teacher_client, seven_b, learner):
    response = teacher_client.post(f"/teacher/classes/{seven_b.pk}/learners/{learner.pk}/remove/")
    assert response.status_code == 302
    assert not seven_b.learners.exists()
    assert LearnerIdentity.objects.filter(pk=learner.pk).exists()
    # Not in the class any more: a second removal is a 404, not a silent success.
    again = teacher_client.post(f"/teacher/classes/{seven_b.pk}/learners/{learner.pk}/remove/")
    assert again.status_code == 404


def test_it_moves_a_learner_to_another_of_the_teachers_classes(
    teacher_client, teacher, seven_b, learner, other_teacher
):
    eight_a = SchoolClassFactory(name="8A", owner=teacher)
    bobs = SchoolClassFactory(name="Bob's", owner=other_teacher)
    url = f"/teacher/classes/{seven_b.pk}/learners/{learner.pk}/move/"
    assert teacher_client.post(url, {"to": bobs.pk}).status_code == 404
    assert teacher_client.post(url, {"to": eight_a.pk}).status_code == 302
    assert list(learner.classes.all()) == [eight_a]


def test_a_learner_may_be_in_several_classes(teacher, learner, seven_b):
    SchoolClassFactory(name="Chess club", owner=teacher).learners.add(learner)
    assert learner.classes.count() == 2


def test_it_renames_and_deletes_a_class_but_keeps_its_learners(teacher_client, seven_b, learner):
    base = f"/teacher/classes/{seven_b.pk}/"
    assert teacher_client.post(f"{base}edit/", {"name": "7B maths", "year": "7"}).status_code == 302
    seven_b.refresh_from_db()
    assert (seven_b.name, seven_b.year) == ("7B maths", "7")
    assert teacher_client.post(f"{base}edit/", {"name": ""}).status_code == 400
    confirm = teacher_client.get(f"{base}delete/").content.decode()
    assert "Its learners stay" in confirm
    assert teacher_client.post(f"{base}delete/").status_code == 302
    assert not SchoolClass.objects.exists()
    assert LearnerIdentity.objects.filter(pk=learner.pk).exists()


def test_the_class_page_warns_of_names_a_child_cannot_tell_apart(teacher_client, seven_b):
    seven_b.learners.add(*(LearnerIdentityFactory(display_name="Sam Lee") for _ in range(2)))
    html = teacher_client.get(f"/teacher/classes/{seven_b.pk}/").content.decode()
    assert "Two or more learners are called Sam Lee" in html


def test_classes_are_for_teachers_only(client, learner_client, seven_b):
    for visitor in (client, learner_client):
        response = visitor.get("/teacher/classes/")
        assert response.status_code in (302, 403)
