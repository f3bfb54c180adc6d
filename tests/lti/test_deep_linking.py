"""Deep Linking 2.0 round trip: the instructor picks a widget, the LMS gets a signed link to it,
and a learner who follows that link lands in the widget."""

from __future__ import annotations

import re

import pytest
import requests
from django.test import Client

from lti.models import DeepLinkRequest
from tests.factories import WhitelistEntryFactory
from tests.lti.test_launch import widget_config
from tests.support.lms import INSTRUCTOR, form_fields, launch_through

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "analytics"])

CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


def picker_launch(lms, email="grace@school.example"):
    return lms.prepare_launch(
        sub="t-1", roles=(INSTRUCTOR,), email=email, message_type="LtiDeepLinkingRequest"
    )


def test_a_picked_widget_goes_back_to_the_lms_and_opens_for_learners(lms, platform, live_server):
    lms.tool_jwks_url = f"{live_server.url}/lti/jwks.json"
    WhitelistEntryFactory(value="grace@school.example")
    client = Client()

    picker = launch_through(client, lms, picker_launch(lms))
    assert picker.status_code == 200
    page = picker.content.decode()
    assert "Pick an activity for your course" in page
    action = re.search(r'action="(/lti/deep-link/[^"]+/)"', page).group(1)
    chosen = client.post(action, {"widget": "BLL002"})
    assert chosen.status_code == 200
    fields = form_fields(chosen.content.decode())
    return_url = re.search(r'action="([^"]+deep-link-return)"', chosen.content.decode()).group(1)
    assert lms.url in chosen["Content-Security-Policy"].split("form-action")[1].split(";")[0]

    received = requests.post(return_url, data={"JWT": fields["JWT"]}, timeout=10)

    assert received.status_code == 200, received.text
    [response] = lms.deep_link_responses
    assert response["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
        "LtiDeepLinkingResponse"
    )
    assert response["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "picker-session-9"
    [item] = response[CONTENT_ITEMS]
    assert item["type"] == "ltiResourceLink"
    assert item["url"].endswith("/lti/launch/")
    assert item["lineItem"]["resourceId"] == "BLL002"
    # The LMS's new link carries the custom parameter the tool put in it.
    learner = lms.prepare_launch(sub="u-7", resource_link="link-2", custom=item["custom"])
    assert widget_config(launch_through(Client(), lms, learner))["widget"] == "BLL002"


def test_a_pick_is_sent_once(lms, platform):
    WhitelistEntryFactory(value="grace@school.example")
    client = Client()
    launch_through(client, lms, picker_launch(lms))
    pick = DeepLinkRequest.objects.get()
    assert client.post(f"/lti/deep-link/{pick.pk}/", {"widget": "TEI001"}).status_code == 200

    again = client.post(f"/lti/deep-link/{pick.pk}/", {"widget": "TEI001"})

    assert again.status_code == 410
    assert "already sent to the LMS" in again.content.decode()


def test_an_unknown_widget_is_a_400_and_the_pick_stays_open(lms, platform):
    WhitelistEntryFactory(value="grace@school.example")
    client = Client()
    launch_through(client, lms, picker_launch(lms))
    pick = DeepLinkRequest.objects.get()

    response = client.post(f"/lti/deep-link/{pick.pk}/", {"widget": "NOPE"})

    assert response.status_code == 400
    pick.refresh_from_db()
    assert pick.used_at is None


def test_the_picker_is_for_whitelisted_instructors_only(lms, platform):
    response = launch_through(Client(), lms, picker_launch(lms, email="eve@elsewhere.example"))

    assert response.status_code == 403
    assert DeepLinkRequest.objects.count() == 0
