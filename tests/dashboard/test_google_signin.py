"""Google sign-in against a real local OIDC server, through social-auth's real Google backend.

The test client plays the browser: it starts the flow, the OIDC server's consent form is
submitted over HTTP, and the callback comes back to our /auth/complete/ view.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from oidc_provider_mock import run_server_in_thread

from dashboard.models import User
from tests.factories import WhitelistEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def oidc_server():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oauth_server(oidc_server, settings):
    settings.TEST_OAUTH_SERVER_URL = oidc_server
    return oidc_server


def google_account(server: str, sub: str, email: str, *, verified: bool = True) -> None:
    response = requests.put(
        f"{server}/users/{sub}",
        json={"email": email, "email_verified": verified, "given_name": "Test"},
        timeout=5,
    )
    response.raise_for_status()


def sign_in_with_google(client, sub: str):
    """Runs the whole redirect dance and returns our final response to the browser."""
    begin = client.post("/auth/login/google-oauth2/")
    assert begin.status_code == 302, begin
    consent = requests.post(begin["Location"], data={"sub": sub}, allow_redirects=False, timeout=5)
    assert consent.status_code == 302, consent.text
    callback = urlsplit(consent.headers["Location"])
    assert callback.path == "/auth/complete/google-oauth2/"
    return client.get(f"{callback.path}?{callback.query}")


def test_it_lets_a_whitelisted_teacher_in(client, oauth_server):
    WhitelistEntryFactory(value="grace@school.example")
    google_account(oauth_server, "g-grace", "grace@school.example")
    response = sign_in_with_google(client, "g-grace")
    assert response.status_code == 302
    assert response["Location"] == "/teacher/"
    assert client.get("/teacher/").status_code == 200
    assert User.objects.get(email="grace@school.example")


def test_it_lets_in_anyone_from_a_whitelisted_domain_in_any_case(client, oauth_server):
    WhitelistEntryFactory(value="@school.example")
    google_account(oauth_server, "g-ken", "Ken.Thompson@SCHOOL.example")
    response = sign_in_with_google(client, "g-ken")
    assert response["Location"] == "/teacher/"
    assert client.get("/teacher/").status_code == 200


def test_it_matches_an_email_entry_whatever_its_case(client, oauth_server):
    WhitelistEntryFactory(value="Linus@School.Example")
    google_account(oauth_server, "g-linus", "linus@school.example")
    assert sign_in_with_google(client, "g-linus")["Location"] == "/teacher/"


def test_it_refuses_an_account_that_is_not_on_the_whitelist(client, oauth_server):
    WhitelistEntryFactory(value="@school.example")
    google_account(oauth_server, "g-eve", "eve@elsewhere.example")
    response = sign_in_with_google(client, "g-eve")
    assert response.status_code == 302
    assert response["Location"] == "/signin/denied/"
    assert User.objects.count() == 0
    assert "_auth_user_id" not in client.session

    page = client.get("/signin/denied/")
    assert page.status_code == 403
    html = page.content.decode()
    assert "not on the teacher list" in html
    assert "eve@elsewhere.example" in html
    assert "ask" in html.lower()
    assert client.get("/teacher/").status_code == 302


def test_a_domain_entry_does_not_match_a_lookalike_domain(client, oauth_server):
    WhitelistEntryFactory(value="@school.example")
    google_account(oauth_server, "g-spoof", "eve@evilschool.example")
    assert sign_in_with_google(client, "g-spoof")["Location"] == "/signin/denied/"


def test_it_refuses_an_unverified_google_email(client, oauth_server):
    WhitelistEntryFactory(value="@school.example")
    google_account(oauth_server, "g-unverified", "new@school.example", verified=False)
    response = sign_in_with_google(client, "g-unverified")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert User.objects.count() == 0
    assert (
        "Google sign-in did not complete: Google has not verified the email address of this "
        "account. Verify it in your Google account, then sign in again.</p>"
    ) in client.get("/").content.decode()


def test_it_ends_access_at_the_next_request_when_the_email_is_removed(client, oauth_server):
    entry = WhitelistEntryFactory(value="grace@school.example")
    google_account(oauth_server, "g-grace2", "grace@school.example")
    sign_in_with_google(client, "g-grace2")
    assert client.get("/teacher/").status_code == 200

    entry.delete()
    response = client.get("/teacher/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "no longer has access" in client.get("/").content.decode()


def test_it_refuses_a_forged_state(client, oauth_server, caplog):
    WhitelistEntryFactory(value="grace@school.example")
    google_account(oauth_server, "g-grace3", "grace@school.example")
    begin = client.post("/auth/login/google-oauth2/")
    consent = requests.post(begin["Location"], data={"sub": "g-grace3"}, allow_redirects=False)
    callback = urlsplit(consent.headers["Location"])
    code = parse_qs(callback.query)["code"][0]
    response = client.get(callback.path, {"code": code, "state": "forged-state"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 0
    assert (
        "Google sign-in did not complete: The authentication session is unavailable. "
        "Please restart login.</p>"
    ) in client.get("/").content.decode()
    failures = [
        r for r in caplog.records if r.name == "pathlens.access" and r.levelname == "WARNING"
    ]
    assert [r.getMessage() for r in failures] == [
        "Google sign-in failed: AuthSessionError (session_context_missing)"
    ]


def test_the_google_login_url_is_post_only(client, oauth_server):
    assert client.get("/auth/login/google-oauth2/").status_code == 405
