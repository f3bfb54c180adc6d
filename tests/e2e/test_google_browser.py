"""Google sign-in as a teacher does it, in a real browser, against a real local OIDC server.

The server is oidc-provider-mock on 127.0.0.1; social-auth's real Google backend talks to it
through tests/support/google_local.py (test settings only). The browser clicks our button, goes
through the provider's own authorisation page, and comes back to our callback.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
import werkzeug.serving
from django.utils.csp import CSP
from oidc_provider_mock import app as oidc_app
from playwright.sync_api import expect

from dashboard.models import User
from tests.factories import WhitelistEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]


def is_callback(url: str) -> bool:
    # A glob would also match the provider's URL, whose redirect_uri names the callback.
    return urlsplit(url).path == "/auth/complete/google-oauth2/"


@pytest.fixture(scope="module")
def oidc_server() -> Iterator[str]:
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def google(oidc_server, settings, page) -> str:
    settings.TEST_OAUTH_SERVER_URL = oidc_server
    # The live server speaks plain http; production builds the callback with https.
    settings.SOCIAL_AUTH_REDIRECT_IS_HTTPS = False
    # Browsers hold the redirect after our sign-in POST to the CSP's form-action, which names
    # Google's origin in production: here, the local server's.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, oidc_server]}
    # The provider's page styles itself from a CDN; the test stays off the internet.
    page.route(
        "https://cdn.jsdelivr.net/**",
        lambda route: route.fulfill(status=200, content_type="text/css", body=""),
    )
    return oidc_server


def google_account(server: str, sub: str, email: str, given_name: str = "Test") -> None:
    response = requests.put(
        f"{server}/users/{sub}",
        json={"email": email, "email_verified": True, "given_name": given_name},
        timeout=5,
    )
    response.raise_for_status()


def go_to_google(page, server: str) -> None:
    page.goto("/")
    page.get_by_role("button", name="Sign in with Google").click()
    page.wait_for_url(f"{server}/oauth2/authorize?**")
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()


def authorize_as(page, sub: str) -> None:
    page.get_by_label("Subject").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()


def test_a_whitelisted_teacher_signs_in_with_google(page, google):
    WhitelistEntryFactory(value="grace@school.example")
    google_account(google, "g-grace", "grace@school.example", given_name="Grace")
    go_to_google(page, google)
    authorize_as(page, "g-grace")

    page.wait_for_url("**/teacher/")
    expect(page.get_by_role("heading", name="Hello, Grace", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Learners")).to_be_visible()
    assert User.objects.get(email="grace@school.example").first_name == "Grace"


def test_an_account_not_on_the_whitelist_is_told_so(page, google, page_problems):
    page_problems.allow("status of 403")  # the refusal page answers 403 Forbidden, on purpose
    WhitelistEntryFactory(value="@school.example")
    google_account(google, "g-eve", "eve@elsewhere.example")
    go_to_google(page, google)
    authorize_as(page, "g-eve")

    page.wait_for_url("**/signin/denied/")
    expect(
        page.get_by_role("heading", name="This account is not on the teacher list", level=1)
    ).to_be_visible()
    expect(page.get_by_text("You signed in with Google as eve@elsewhere.example")).to_be_visible()
    expect(page.get_by_text("To get access, ask")).to_be_visible()
    assert User.objects.count() == 0

    page.goto("/teacher/")  # still not a teacher
    page.wait_for_url("**/?next=/teacher/")
    expect(page.get_by_role("button", name="Sign in with Google")).to_be_visible()


def test_a_forged_state_on_the_callback_is_refused_with_a_page(page, google):
    WhitelistEntryFactory(value="grace@school.example")
    google_account(google, "g-grace2", "grace@school.example")
    go_to_google(page, google)

    # The provider's answer to the consent form redirects back with a real code; its state is
    # swapped for a forged one, as in a cross-site request that carries someone else's code.
    def forge(route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        location = urlsplit(answer.headers["location"])
        query = parse_qs(location.query)
        assert query["code"] and query["state"] != ["forged-state"]
        query["state"] = ["forged-state"]
        forged = urlunsplit(location._replace(query=urlencode(query, doseq=True)))
        route.fulfill(response=answer, headers={**answer.headers, "location": forged})

    page.route(f"{google}/oauth2/authorize?**", forge)
    with page.expect_request(lambda request: is_callback(request.url)) as callback:
        authorize_as(page, "g-grace2")
    assert parse_qs(urlsplit(callback.value.url).query)["state"] == ["forged-state"]

    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    expect(page.get_by_role("heading", name="Welcome to Pathlens", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "Google sign-in did not complete: The authentication session is unavailable. "
        "Please restart login."
    )
    assert User.objects.count() == 0
    page.goto("/teacher/")
    page.wait_for_url("**/?next=/teacher/")
