"""An instructor first made by an LMS launch signs in with Google later: the same account, so
the class the launch made is theirs there too."""

from __future__ import annotations

import pytest
from django.test import Client

from dashboard.models import SchoolClass, User
from tests.dashboard.test_google_signin import google_account, oidc_server, sign_in_with_google
from tests.factories import WhitelistEntryFactory
from tests.support.lms import INSTRUCTOR, launch_through

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])

__all__ = ["oidc_server"]  # the fixture, used through `oauth_server`


@pytest.fixture
def oauth_server(oidc_server, settings):
    settings.TEST_OAUTH_SERVER_URL = oidc_server
    return oidc_server


def test_google_signs_in_the_teacher_the_lms_made(lms, platform, oauth_server):
    WhitelistEntryFactory(value="grace@school.example")
    hint = lms.prepare_launch(sub="t-1", roles=(INSTRUCTOR,), email="grace@school.example")
    launch_through(Client(), lms, hint)
    google_account(oauth_server, "g-grace", "grace@school.example")
    client = Client()

    response = sign_in_with_google(client, "g-grace")

    assert response["Location"] == "/teacher/"
    assert User.objects.filter(email="grace@school.example").count() == 1
    school_class = SchoolClass.objects.get()
    assert client.get(f"/teacher/classes/{school_class.pk}/").status_code == 200
