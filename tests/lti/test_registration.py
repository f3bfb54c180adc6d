"""Registering an LMS: the management command, and what it tells the administrator to paste."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lti.models import Platform, ToolKey

pytestmark = pytest.mark.django_db

MOODLE = [
    "--name=Moodle",
    "--issuer=https://moodle.school.example",
    "--client-id=pathlens-1",
    "--auth-login-url=https://moodle.school.example/mod/lti/auth.php",
    "--auth-token-url=https://moodle.school.example/mod/lti/token.php",
    "--jwks-url=https://moodle.school.example/mod/lti/certs.php",
    "--deployment-id=3",
    "--deployment-id=4",
]


def register(*args: str) -> str:
    out = StringIO()
    call_command("register_lti_platform", *args, stdout=out)
    return out.getvalue()


def test_it_registers_a_platform_and_prints_the_urls_to_paste(settings):
    settings.SITE_URL = "https://pathlens.school.example"

    printed = register(*MOODLE)

    platform = Platform.objects.get()
    assert platform.deployments == ["3", "4"]
    assert "Public keyset URL (JWKS): https://pathlens.school.example/lti/jwks.json" in printed
    assert "Initiate login URL: https://pathlens.school.example/lti/login/" in printed
    assert "Redirection URI(s): https://pathlens.school.example/lti/launch/" in printed
    assert ToolKey.objects.count() == 1


def test_the_printed_keyset_serves_the_tools_key():
    register(*MOODLE)

    keys = Client().get("/lti/jwks.json").json()["keys"]

    assert [key["kid"] for key in keys] == [ToolKey.objects.get().kid]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]  # the public half only


def test_running_it_again_updates_and_a_new_key_joins_the_keyset():
    register(*MOODLE)
    register("--name=Moodle", "--deployment-id=5", "--new-key")

    assert Platform.objects.get().deployments == ["5"]
    assert len(Client().get("/lti/jwks.json").json()["keys"]) == 2


def test_a_bad_url_is_refused_naming_the_option():
    with pytest.raises(CommandError, match="--jwks-url"):
        register(*[arg if "jwks" not in arg else "--jwks-url=not a url" for arg in MOODLE])
    assert Platform.objects.count() == 0


def test_an_unknown_name_alone_is_refused():
    with pytest.raises(CommandError, match="No platform is named"):
        register("--name=Canvas")


def test_the_admin_shows_the_urls_to_paste(admin_client):
    register(*MOODLE)

    page = admin_client.get(f"/admin/lti/platform/{Platform.objects.get().pk}/change/")

    assert page.status_code == 200
    assert "/lti/jwks.json" in page.content.decode()
