"""Launches that must be refused, each with a page that says why (and nothing written)."""

from __future__ import annotations

import html
import re
import time

import pytest
import requests
from django.test import Client

from dashboard.models import LearnerIdentity
from lti.models import LoginState
from tests.support.lms import form_fields, launch_through, new_key

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


def assert_refused(response, status: int, words: str) -> None:
    assert response.status_code == status, response.content.decode()[:500]
    page = response.content.decode()
    assert "Pathlens could not open this activity" in page
    assert words in page
    assert 'id="widget-config"' not in page
    assert LearnerIdentity.objects.count() == 0


def test_a_token_signed_by_someone_else_is_refused_as_forged(lms, platform):
    hint = lms.prepare_launch(sign_with=new_key(), kid="lms-key-1")

    assert_refused(launch_through(Client(), lms, hint), 403, "altered or forged")


def test_a_token_signed_with_a_key_the_lms_does_not_publish_is_refused(lms, platform):
    hint = lms.prepare_launch(sign_with=new_key(), kid="made-up")

    assert_refused(launch_through(Client(), lms, hint), 403, "does not publish")


def test_an_expired_token_is_refused(lms, platform):
    now = int(time.time())
    hint = lms.prepare_launch(iat=now - 900, exp=now - 600)

    assert_refused(launch_through(Client(), lms, hint), 403, "has expired")


def test_a_token_for_another_tool_is_refused(lms, platform):
    hint = lms.prepare_launch(aud="some-other-tool")

    assert_refused(launch_through(Client(), lms, hint), 403, "meant for another tool")


def test_an_unregistered_deployment_is_refused(lms, platform):
    hint = lms.prepare_launch(
        **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-9"}
    )

    assert_refused(launch_through(Client(), lms, hint), 403, "deployment-9")


def _login_and_authenticate(client, lms, hint) -> dict[str, str]:
    started = client.post("/lti/login/", lms.login_params(hint))
    return form_fields(requests.get(started["Location"], timeout=10).text)


def test_a_launch_posted_twice_is_refused_the_second_time(lms, platform):
    client = Client()
    fields = _login_and_authenticate(client, lms, lms.prepare_launch())
    assert client.post("/lti/launch/", fields).status_code == 200
    LearnerIdentity.objects.all().delete()

    assert_refused(client.post("/lti/launch/", fields), 403, "already used")


def test_a_used_token_replayed_with_a_fresh_login_is_refused_by_its_nonce(lms, platform):
    client = Client()
    hint = lms.prepare_launch()
    used = _login_and_authenticate(client, lms, hint)
    assert client.post("/lti/launch/", used).status_code == 200
    LearnerIdentity.objects.all().delete()
    fresh = _login_and_authenticate(client, lms, hint)

    response = client.post("/lti/launch/", {"id_token": used["id_token"], "state": fresh["state"]})

    assert_refused(response, 403, "nonce does not match")


def test_a_launch_without_the_login_cookie_is_refused_with_a_way_to_a_new_window(lms, platform):
    hint = lms.prepare_launch()
    fields = _login_and_authenticate(Client(), lms, hint)

    response = Client().post("/lti/launch/", fields)

    assert_refused(response, 401, "Open the activity in a new window")
    link = re.search(r'href="(/lti/login/\?[^"]+)" target="_blank"', response.content.decode())
    # The new window starts the same launch again, where the cookie is first-party.
    window = Client()
    started = window.get(html.unescape(link.group(1)))
    assert started.status_code == 302
    fresh = form_fields(requests.get(started["Location"], timeout=10).text)
    assert window.post("/lti/launch/", fresh).status_code == 200


def test_a_launch_with_a_made_up_state_is_refused(lms, platform):
    fields = _login_and_authenticate(Client(), lms, lms.prepare_launch())

    response = Client().post("/lti/launch/", {**fields, "state": "made-up"})

    assert_refused(response, 403, "already used, or took longer than ten minutes")


def test_a_login_from_an_unregistered_lms_is_refused(lms, platform):
    params = {**lms.login_params("x"), "iss": "https://lms.elsewhere.example"}

    response = Client().post("/lti/login/", params)

    assert_refused(response, 403, "is registered in Pathlens")
    assert LoginState.objects.count() == 0


def test_a_login_missing_its_parameters_is_a_400(lms, platform):
    assert_refused(Client().get("/lti/login/"), 400, "login_hint")


def test_a_launch_without_a_token_is_a_400(lms, platform):
    assert_refused(Client().post("/lti/launch/", {}), 400, "lacks its id_token")


def test_a_rotated_key_is_fetched_once_then_served_from_the_cache(lms, platform):
    assert launch_through(Client(), lms, lms.prepare_launch(sub="u-1")).status_code == 200
    assert lms.jwks_fetches == 1
    assert launch_through(Client(), lms, lms.prepare_launch(sub="u-2")).status_code == 200
    assert lms.jwks_fetches == 1  # cached
    lms.rotate_key()

    assert launch_through(Client(), lms, lms.prepare_launch(sub="u-3")).status_code == 200
    assert launch_through(Client(), lms, lms.prepare_launch(sub="u-4")).status_code == 200
    assert lms.jwks_fetches == 2  # the unknown kid made one fetch, no more
    forged = lms.prepare_launch(sub="u-5", sign_with=new_key(), kid="made-up")
    assert launch_through(Client(), lms, forged).status_code == 403
    assert lms.jwks_fetches == 2  # made-up kids right after a fetch fetch nothing
