"""Every URL of the site, generated from the URL configuration, refuses the wrong people.

A view must declare who may use it (teacher_required, learner_required or public); a new URL
that declares nothing fails here, so it cannot be forgotten.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Mounted third-party apps with their own access rules.
SELF_GUARDED_PREFIXES = ("admin/", "auth/")
SAMPLE_VALUES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.uuid4())}


def all_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from all_routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def sample_url(route: str) -> str:
    import re

    def fill(match: re.Match) -> str:
        converter = match.group(1) or "str"
        return SAMPLE_VALUES.get(converter, "x")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route).lstrip("^").rstrip("$")


ROUTES = [
    (route, pattern)
    for route, pattern in all_routes()
    if not route.startswith(SELF_GUARDED_PREFIXES) and not route.startswith("static/")
]
TEACHER_ROUTES = [r for r, p in ROUTES if getattr(p.callback, "pathlens_access", "") == "teacher"]


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r for r, _ in ROUTES])
def test_every_view_declares_who_may_use_it(route, pattern):
    access = getattr(pattern.callback, "pathlens_access", None)
    assert access in {"public", "teacher", "learner", "api"}, (
        f"/{route} ({pattern.callback.__module__}.{pattern.callback.__name__}) declares no access "
        "rule: decorate it with teacher_required, learner_required or public."
    )


def test_there_are_teacher_urls_to_check():
    assert "teacher/" in TEACHER_ROUTES


@pytest.mark.django_db
@pytest.mark.parametrize("route", TEACHER_ROUTES)
def test_every_teacher_url_sends_anonymous_visitors_to_signin(client, route):
    for method in ("get", "post"):
        response = getattr(client, method)(sample_url(route))
        if response.status_code == 405:
            continue
        assert response.status_code == 302, (method, route, response.status_code)
        assert response["Location"].startswith("/?next=") or response["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize("route", TEACHER_ROUTES)
def test_every_teacher_url_refuses_learners(learner_client, route):
    for method in ("get", "post"):
        response = getattr(learner_client, method)(sample_url(route))
        assert response.status_code in (403, 405), (method, route, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("route", TEACHER_ROUTES)
def test_every_teacher_url_refuses_a_signed_in_user_who_is_not_whitelisted(client, outsider, route):
    client.force_login(outsider)
    for method in ("get", "post"):
        response = getattr(client, method)(sample_url(route))
        assert response.status_code in (302, 405), (method, route, response.status_code)


@pytest.mark.django_db
def test_htmx_requests_from_signed_out_teachers_get_a_full_page_redirect(client):
    response = client.get("/teacher/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/"
