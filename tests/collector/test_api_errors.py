"""Every error under /api/ is JSON with a message, whoever produced it: our views, Django's URL
resolver (404), its host check (400), or an unforeseen exception (500). A client parses one
format, and never gets a teacher's HTML page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json", response.content[:300]
    body = response.json()
    assert isinstance(body["error"], str)
    assert len(body["error"]) >= 15, body
    return body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nope",
        "/api/v1/data-requests/not-a-uuid",
        "/api/v1/data-requests/",
        "/api/v1/learners/a/b",
        "/api/v2/events",
        "/api/",
    ],
)
def test_an_unknown_api_url_is_a_json_404(client, url):
    body = assert_json_error(client.get(url), 404)
    assert "openapi.json" in body["error"]


def test_an_unknown_api_url_is_a_json_404_with_debug_on_too(client, settings):
    settings.DEBUG = True
    assert_json_error(client.get("/api/v1/nope"), 404)


def test_a_page_outside_the_api_keeps_its_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_bad_host_under_the_api_is_a_json_400(client):
    assert_json_error(client.get("/api/v1/openapi.json", HTTP_HOST="evil.example"), 400)


@pytest.mark.urls("tests.collector.urls_failing")
def test_an_unforeseen_failure_under_the_api_is_a_json_500_with_the_request_id():
    response = Client(raise_request_exception=False).get("/api/v1/failing")
    body = assert_json_error(response, 500)
    assert response["X-Request-ID"] in body["error"]
    assert "a bug that nobody foresaw" not in body["error"]
