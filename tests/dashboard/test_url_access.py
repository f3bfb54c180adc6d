"""Every URL of the site, generated from the URL configuration, answers each kind of visitor as
it should.

A view must declare who may use it (teacher_required, learner_required, public, or the
collector's api_view); a new URL that declares nothing fails here. Every URL must also have a
row in AUDIT (or, for the Django admin, a model object in ADMIN_OBJECTS): a new URL without one
fails `test_the_audit_covers_every_url`, so it cannot be forgotten.

Each row fills the URL's parameters with real ids from the `world` fixture and gives the
expected status for every visitor and every method the view accepts; the methods it does not
accept must answer 405. Visitors:

- anonymous, and `outsider` (a signed-in account whose email is not on the whitelist);
- `learner`, signed in by pick. Learner URLs carry no ids (the learner comes from the session),
  so there is no other learner's page to refuse;
- `teacher_a`, who owns the project, its runs and their sessions (so its replays), and
  `teacher_b`, who must get 404 for every one of them. Learner identities belong to the school,
  not to a teacher (dashboard/identity_views.py `_get_learner`): both teachers may manage them;
- bearer credentials of the collector API: a learner token, and the API keys of two schools in
  two tenants. School A's key is in the tenant of the data (the default tenant, where the school
  side records); school B's key is in another tenant and gets 404 for every URL that names A's
  learner, session or data request. What B may create (a data request, a token, counts) is made
  in B's own namespace and shows nothing of A's (`test_another_tenant_learns_nothing_of_a_`
  below). On any page outside the API a bearer credential counts for nothing: it is answered as
  an anonymous visitor.

Each request runs in a transaction that is rolled back, so a delete by one visitor does not
change what the next one sees.
"""

from __future__ import annotations

import copy
import json
import re
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from social_django.models import Association, Nonce, UserSocialAuth

from collector.apikeys import api_key_create
from collector.datarequests import data_request_process
from collector.models import (
    ApiKey,
    DataRequest,
    LrsForwarding,
    QuarantinedEvent,
    RagePlayer,
    RageTrackingCode,
    Tenant,
    WebhookDelivery,
    WebhookSubscription,
)
from collector.rage.sessions import rage_tracking_code_create
from collector.segment.keys import write_key_create
from collector.segment.models import SegmentWriteKey
from collector.tenants import tenant_default, tenant_get_or_create
from collector.xapi.iris import learner_home_page
from dashboard.access import LEARNER_SESSION_KEY
from dashboard.identities import opaque_id_of
from dashboard.models import LearnerIdentity, SchoolClass, User, WhitelistEntry
from lti.keys import signing_key
from lti.models import (
    LtiContext,
    LtiUser,
    Passback,
    Platform,
    ResourceLink,
    ToolKey,
)
from projects.models import Project, RunAttempt, RunSession
from replay.models import MomentNote
from tests.collector.helpers import issue_token, now_ms, post_events
from tests.factories import (
    LearnerIdentityFactory,
    SchoolClassFactory,
    UserFactory,
    WhitelistEntryFactory,
)
from tests.support.db import BOTH_DATABASES
from tests.support.replays import class_project, record_sessions, tei_event
from tests.xapi.helpers import OTHER_ACTIVITY
from tests.xapi.helpers import basic as xapi_basic
from tests.xapi.helpers import post as xapi_post
from tests.xapi.helpers import statement as xapi_statement_of_content

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"
LEARNER = "learner"
TEACHER_A = "teacher_a"
TEACHER_B = "teacher_b"
LEARNER_TOKEN = "learner_token"
API_KEY_A = "api_key_a"
API_KEY_B = "api_key_b"
BEARERS = (LEARNER_TOKEN, API_KEY_A, API_KEY_B)
STAFF = "staff"  # for the admin only
VISITORS = (ANONYMOUS, OUTSIDER, LEARNER, TEACHER_B, TEACHER_A, *BEARERS)


# --- Walking the URL configuration ----------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # as written in the URLconf, e.g. "projects/<int:project_id>/"
    name: str  # "namespace:name", or the route itself for an unnamed pattern
    pattern: URLPattern

    @property
    def callback(self):
        return self.pattern.callback


def all_routes(resolver=None, prefix: str = "", namespace: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from all_routes(entry, route, inner)
        elif isinstance(entry, URLPattern):
            yield Route(route, namespace + entry.name if entry.name else route, entry)


ROUTES = [route for route in all_routes() if not route.route.startswith("static/")]
OUR_ROUTES = [r for r in ROUTES if not r.route.startswith(("admin/", "auth/"))]
ADMIN_ROUTES = [r for r in ROUTES if r.route.startswith("admin/")]
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def fill(route: str, kwargs: dict[str, Any]) -> str:
    """The route with its parameters replaced by `kwargs` (regex routes included)."""

    def value(match: re.Match) -> str:
        return str(kwargs[match.group(2) or match.group(3)])

    return "/" + CONVERTER.sub(value, route).replace("^", "").replace("$", "")


# --- The world the audit runs in -------------------------------------------------------------


@dataclass
class World:
    teacher_a: User
    teacher_b: User
    outsider: User
    staff: User
    learner: LearnerIdentity
    other_learner: LearnerIdentity
    project: Project  # teacher A's, its run DONE
    run_session: RunSession  # the learner's session in that run
    api_key_a: ApiKey
    api_key_a_text: str
    api_key_b_text: str
    data_request: DataRequest  # API key A's, DONE
    social: UserSocialAuth  # teacher A's Google account
    school_class: SchoolClass  # teacher A's, with both learners; not shared with B
    note: MomentNote  # teacher A's note on run_session
    attempt: RunAttempt  # the learner's attempt at an activity that is not a widget (xAPI)

    @property
    def opaque(self) -> str:
        return opaque_id_of(self.learner)


@pytest.fixture
def world(client, django_capture_on_commit_callbacks) -> World:
    teacher_a = UserFactory(username="alice", email="alice@school.example")
    teacher_b = UserFactory(username="bob", email="bob@school.example")
    for teacher in (teacher_a, teacher_b):
        WhitelistEntryFactory(value=teacher.email)
    outsider = UserFactory(username="mallory", email="mallory@elsewhere.example")
    staff = User.objects.create_superuser("root", "root@school.example", "not-used")
    learner = LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")
    other = LearnerIdentityFactory(real_id="S-2002", display_name="Grace Hopper")
    record_sessions(client, learner, other)
    # An attempt at content that is not one of our widgets, sent as xAPI with school A's key.
    attempt_statement = xapi_statement_of(opaque_id_of(learner))
    stored = xapi_post(client, attempt_statement, xapi_basic(tenant_default()))
    assert stored.status_code == 200, stored.content
    # One event the ingestion API refused, in the quarantine of A's tenant.
    refused = post_events(
        client, [tei_event("ada-9", 0, "session_started")], learner=opaque_id_of(learner)
    )
    assert refused.status_code == 400 and refused.json()["quarantined"] == 1
    teacher_client = Client()
    teacher_client.force_login(teacher_a)
    project = class_project(teacher_client, [learner, other], django_capture_on_commit_callbacks)
    key_a, key_a_text = api_key_create(name="school A", tenant=tenant_default())
    # School B is another tenant: it may know A's real ids (opaque id, session, data request)
    # and must be told that none of them exist.
    _, key_b_text = api_key_create(name="school B", tenant=tenant_get_or_create(name="school B"))
    created = Client().post(
        "/api/v1/data-requests",
        {"kind": "sessions", "learners": [opaque_id_of(learner)]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key_a_text}"},
    )
    assert created.status_code == 201, created.content
    data_request_process(request_id=created.json()["id"])
    seven_b = SchoolClassFactory(name="7B", owner=teacher_a)
    seven_b.learners.add(learner, other)
    Group.objects.create(name="Heads of year")
    Nonce.objects.create(server_url="https://idp.example", timestamp=1, salt="pepper")
    Association.objects.create(
        server_url="https://idp.example",
        handle="h",
        secret="s",
        issued=1,
        lifetime=1,
        assoc_type="HMAC-SHA1",
    )
    return World(
        teacher_a=teacher_a,
        teacher_b=teacher_b,
        outsider=outsider,
        staff=staff,
        learner=learner,
        other_learner=other,
        project=project,
        run_session=RunSession.objects.get(run__project=project, learner=learner, session="ada-2"),
        api_key_a=key_a,
        api_key_a_text=key_a_text,
        api_key_b_text=key_b_text,
        data_request=DataRequest.objects.get(pk=created.json()["id"]),
        social=UserSocialAuth.objects.create(
            user=teacher_a, provider="google-oauth2", uid=teacher_a.email
        ),
        school_class=seven_b,
        attempt=RunAttempt.objects.get(run__project=project),
        note=MomentNote.objects.create(
            session=RunSession.objects.get(run__project=project, learner=learner, session="ada-2"),
            author=teacher_a,
            at_ms=1000,
            text="Placed 1/2 where 3/4 goes",
        ),
    )


class Visitors:
    """A client for each visitor, signed in as them, with its first cookies back on each request.

    Each visitor signs in once; the session stays valid because every request is rolled back (a
    refused outsider is signed out, and that is undone too). Clients are reused because each new
    one loads the middleware again, and WhiteNoise scans every static file when it starts.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self.clients: dict[str, tuple[Client, Any]] = {}
        self.token = issue_token(world.opaque)

    def client(self, visitor: str) -> Client:
        if visitor not in self.clients:
            bearer = {
                LEARNER_TOKEN: self.token,
                API_KEY_A: self.world.api_key_a_text,
                API_KEY_B: self.world.api_key_b_text,
            }.get(visitor)
            client = Client(headers={"Authorization": f"Bearer {bearer}"} if bearer else {})
            self._sign_in(client, visitor)
            self.clients[visitor] = (client, copy.deepcopy(client.cookies))
        client, cookies = self.clients[visitor]
        client.cookies = copy.deepcopy(cookies)
        return client

    def _sign_in(self, client: Client, visitor: str) -> Client:
        user = {
            OUTSIDER: self.world.outsider,
            TEACHER_A: self.world.teacher_a,
            TEACHER_B: self.world.teacher_b,
            STAFF: self.world.staff,
        }.get(visitor)
        if user is not None:
            client.force_login(user)
        if visitor == LEARNER:
            session = client.session
            session[LEARNER_SESSION_KEY] = self.world.learner.pk
            session.save()
        return client


# --- What each URL answers to whom ------------------------------------------------------------


@dataclass(frozen=True)
class To:
    """A redirect whose Location starts with `prefix`."""

    prefix: str
    status: int = 302


Expected = int | To
SIGN_IN = To("/?next=")  # teacher pages send visitors who are not teachers to sign in
LEARNER_LIST = To("/signin/learner/")  # learner pages send everyone else to the learner list


def teacher_page(a: Expected = 200, b: Expected = 200) -> dict[str, Expected]:
    return {ANONYMOUS: SIGN_IN, OUTSIDER: SIGN_IN, LEARNER: 403, TEACHER_A: a, TEACHER_B: b}


def owned_page(a: Expected = 200) -> dict[str, Expected]:
    """A page of teacher A's project: teacher B is told it does not exist."""
    return teacher_page(a=a, b=404)


def everyone(status: Expected) -> dict[str, Expected]:
    return dict.fromkeys((ANONYMOUS, OUTSIDER, LEARNER, TEACHER_A, TEACHER_B), status)


def api(**by_key: int) -> dict[str, Expected]:
    """An API URL: session cookies count for nothing, only the bearer credential does."""
    return {**everyone(401), LEARNER_TOKEN: 401, **by_key}


@dataclass(frozen=True)
class Url:
    """Expected statuses by method, then by visitor; the methods not listed must answer 405.

    Bearer visitors not listed are answered as anonymous visitors are.
    """

    answers: dict[str, dict[str, Expected]]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    query: Callable[[World], str] = lambda world: ""
    # What a POST sends: form data, or for the API a JSON body.
    data: Callable[[World], Any] = lambda world: {}
    json: bool = False
    extra: dict[str, str] = field(default_factory=dict)


XAPI_VERSION = {"X-Experience-API-Version": "1.0.3"}


def rage_code(world: World) -> RageTrackingCode:
    """School A's tracking code for a game."""
    tenant = world.api_key_a.tenant
    return RageTrackingCode.objects.filter(tenant=tenant).first() or rage_tracking_code_create(
        tenant_id=tenant.pk, name="Fractions quest", activity="https://games.example/quest"
    )


def xapi_agent(world: World) -> dict[str, Any]:
    return {"account": {"homePage": learner_home_page(), "name": world.opaque}}


def xapi_statement(world: World) -> dict[str, Any]:
    return {
        "actor": xapi_agent(world),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://content.example/video-1"},
    }


def xapi_state_query(world: World) -> str:
    agent = urllib.parse.quote(json.dumps(xapi_agent(world)))
    return f"?activityId=https://content.example/sim&agent={agent}&stateId=resume"


def project_kwargs(world: World) -> dict[str, Any]:
    return {"project_id": world.project.pk}


def session_kwargs(world: World) -> dict[str, Any]:
    return {"project_id": world.project.pk, "run_session_id": world.run_session.pk}


def learner_kwargs(world: World) -> dict[str, Any]:
    return {"pk": world.other_learner.pk}


def class_kwargs(world: World) -> dict[str, Any]:
    return {"class_id": world.school_class.pk}


def xapi_statement_of(opaque: str) -> dict[str, Any]:
    return xapi_statement_of_content(
        actor={"objectType": "Agent", "account": {"homePage": learner_home_page(), "name": opaque}},
        context={"registration": ATTEMPT_REGISTRATION},
        timestamp="2026-01-05T09:00:00Z",
    )


ATTEMPT_REGISTRATION = "cccccccc-0000-4000-8000-000000000001"


def attempt_kwargs(world: World) -> dict[str, Any]:
    return {"project_id": world.project.pk, "attempt_id": world.attempt.pk}


def opaque_kwargs(world: World) -> dict[str, Any]:
    return {"learner": world.opaque}


def csv_upload(world: World) -> dict[str, Any]:
    content = b"real_id,display_name\nS-3001,Katherine Johnson\n"
    return {"file": SimpleUploadedFile("class.csv", content, content_type="text/csv")}


def valid_batch(world: World) -> dict[str, Any]:
    return {"events": [tei_event("ada-9", now_ms(), "session_started")]}


NEW_LEARNER = To("/teacher/learners/new/")
LEARNER_PAGES = To("/teacher/learners/")
IMPORT_PREVIEW = To("/teacher/learners/import/preview/")
SIGNIN_PAGE = {
    "GET": {
        ANONYMOUS: 200,
        OUTSIDER: 200,
        LEARNER: To("/learn/"),
        TEACHER_A: To("/teacher/"),
        TEACHER_B: To("/teacher/"),
    }
}


def GOOGLE(world: World) -> dict[str, Any]:
    return {"backend": "google-oauth2"}


SIGNED_IN = (OUTSIDER, TEACHER_A, TEACHER_B)
DISCONNECT = {
    "GET": {**everyone(SIGN_IN), **dict.fromkeys(SIGNED_IN, 405)},
    "POST": {**everyone(SIGN_IN), **dict.fromkeys(SIGNED_IN, To("https://testserver/teacher/"))},
}

AUDIT: dict[str, Url] = {
    "healthz": Url({"GET": everyone(200)}),
    # Sign-in and sign-out: open to everyone.
    "dashboard:signin": Url(SIGNIN_PAGE),
    "signin/": Url(SIGNIN_PAGE),
    "dashboard:signin_denied": Url({"GET": everyone(403)}),
    "dashboard:demo_signin": Url({"POST": everyone(To("/teacher/"))}),
    "dashboard:learner_signin": Url({"GET": everyone(200)}),
    "dashboard:learner_signin_class": Url(
        {"GET": everyone(200), "POST": everyone(To("/learn/"))},
        kwargs=lambda world: {"code": world.school_class.code},
        data=lambda world: {"learner": world.learner.pk},
    ),
    "dashboard:signout": Url({"POST": everyone(To("/"))}),
    # Teacher pages.
    "dashboard:home": Url({"GET": teacher_page()}),
    "dashboard:learners": Url({"GET": teacher_page()}),
    "dashboard:learners_new": Url(
        {
            "GET": teacher_page(),
            "POST": teacher_page(NEW_LEARNER, NEW_LEARNER),
        },
        data=lambda world: {"real_id": "S-3001", "display_name": "Katherine Johnson"},
    ),
    "dashboard:learners_import": Url(
        {"GET": teacher_page(), "POST": teacher_page(IMPORT_PREVIEW, IMPORT_PREVIEW)},
        data=csv_upload,
    ),
    # Without an upload waiting in the session, the preview sends the teacher back to upload.
    "dashboard:learners_import_preview": Url(
        {
            "GET": teacher_page(To("/teacher/learners/import/"), To("/teacher/learners/import/")),
            "POST": teacher_page(To("/teacher/learners/import/"), To("/teacher/learners/import/")),
        },
        data=lambda world: {"preview": "0" * 32, "action": "import"},
    ),
    "dashboard:learners_export": Url({"GET": teacher_page()}),
    # School-wide identities: teacher B may manage them as well as teacher A.
    "dashboard:learners_edit": Url(
        {"GET": teacher_page(), "POST": teacher_page(LEARNER_PAGES, LEARNER_PAGES)},
        kwargs=learner_kwargs,
        data=lambda world: {"real_id": "S-2002", "display_name": "Grace B. Hopper"},
    ),
    "dashboard:learners_rotate": Url(
        {"GET": teacher_page(), "POST": teacher_page(LEARNER_PAGES, LEARNER_PAGES)},
        kwargs=learner_kwargs,
        data=lambda world: {"move_events": "on"},
    ),
    "dashboard:learners_delete": Url(
        {"GET": teacher_page(), "POST": teacher_page(LEARNER_PAGES, LEARNER_PAGES)},
        kwargs=learner_kwargs,
        data=lambda world: {"events": "erase"},
    ),
    "dashboard:learner_profile": Url({"GET": teacher_page()}, kwargs=learner_kwargs),
    # Notes and the compare view: on teacher A's sessions, so 404 for B.
    "replay:notes": Url(
        {"GET": owned_page(), "POST": owned_page(201)},
        kwargs=session_kwargs,
        data=lambda world: {"at": 2000, "text": "Checked too early"},
        json=True,
    ),
    "replay:note": Url(
        {"GET": owned_page(), "POST": owned_page(), "DELETE": owned_page()},
        kwargs=lambda world: {**session_kwargs(world), "note_id": world.note.pk},
        data=lambda world: {"text": "Placed 1/2 where 3/4 goes, twice"},
        json=True,
    ),
    "replay:compare": Url(
        {"GET": owned_page()},
        kwargs=lambda world: {
            "project_id": world.project.pk,
            "first_id": world.run_session.pk,
            "second_id": RunSession.objects.filter(run__project=world.project, widget="TEI001")
            .exclude(pk=world.run_session.pk)
            .values_list("pk", flat=True)
            .first(),
        },
    ),
    "dashboard:notifications": Url(
        {
            "GET": teacher_page(),
            "POST": teacher_page(To("/teacher/notifications/"), To("/teacher/notifications/")),
        },
        data=lambda world: {"run_done": "on"},
    ),
    # Classes: teacher A's, not shared with B, so 404 for B.
    "dashboard:class_list": Url(
        {
            "GET": teacher_page(),
            "POST": teacher_page(To("/teacher/classes/"), To("/teacher/classes/")),
        },
        data=lambda world: {"name": "8A"},
    ),
    "dashboard:class_detail": Url({"GET": owned_page()}, kwargs=class_kwargs),
    "dashboard:class_live": Url({"GET": owned_page(To("/teacher/#class-"))}, kwargs=class_kwargs),
    "dashboard:class_edit": Url(
        {"POST": owned_page(To("/teacher/classes/"))},
        kwargs=class_kwargs,
        data=lambda world: {"name": "7B maths"},
    ),
    "dashboard:class_delete": Url(
        {"GET": owned_page(), "POST": owned_page(To("/teacher/classes/"))}, kwargs=class_kwargs
    ),
    "dashboard:class_overview": Url(
        {"GET": owned_page(To("/teacher/#class-")), "POST": owned_page(To("/teacher/#class-"))},
        kwargs=class_kwargs,
    ),
    "dashboard:class_learners_add": Url(
        {"POST": owned_page(To("/teacher/classes/"))},
        kwargs=class_kwargs,
        data=lambda world: {"learner": [world.learner.pk]},
    ),
    "dashboard:class_learner_remove": Url(
        {"POST": owned_page(To("/teacher/classes/"))},
        kwargs=lambda world: {**class_kwargs(world), "learner_id": world.learner.pk},
    ),
    "dashboard:class_learner_move": Url(
        {"POST": owned_page(To("/teacher/classes/"))},
        kwargs=lambda world: {**class_kwargs(world), "learner_id": world.learner.pk},
        data=lambda world: {"to": world.school_class.pk},
    ),
    "dashboard:class_share": Url(
        {"POST": owned_page(To("/teacher/classes/"))},
        kwargs=class_kwargs,
        data=lambda world: {"email": world.teacher_b.email},
    ),
    "dashboard:class_unshare": Url(
        {"POST": owned_page(To("/teacher/classes/"))},
        kwargs=lambda world: {**class_kwargs(world), "teacher_id": 999_999},
    ),
    # Learner pages.
    "dashboard:learner_home": Url({"GET": {**everyone(LEARNER_LIST), LEARNER: 200}}),
    "dashboard:widget_page": Url(
        {"GET": {**everyone(LEARNER_LIST), LEARNER: 200}},
        kwargs=lambda world: {"widget_id": "TEI001"},
    ),
    # Projects: teacher A's, so 404 for teacher B.
    "projects:list": Url({"GET": teacher_page()}),
    "projects:create": Url(
        {"GET": teacher_page(), "POST": teacher_page(To("/projects/"), To("/projects/"))},
        data=lambda world: {
            "name": "Fractions 7C",
            "learners": [world.learner.pk],
            "widgets": ["TEI001"],
        },
    ),
    "projects:detail": Url({"GET": owned_page()}, kwargs=project_kwargs),
    # Without HX-Request the status fragment sends the browser to the project page.
    "projects:status": Url({"GET": owned_page(To("/projects/"))}, kwargs=project_kwargs),
    "projects:rerun": Url({"POST": owned_page(To("/projects/"))}, kwargs=project_kwargs),
    "projects:delete": Url(
        {"GET": owned_page(), "POST": owned_page(To("/projects/"))}, kwargs=project_kwargs
    ),
    "projects:export": Url({"GET": owned_page()}, kwargs=project_kwargs),
    "projects:statements": Url({"GET": owned_page()}, kwargs=project_kwargs),
    "projects:explore": Url({"GET": owned_page()}, kwargs=project_kwargs),
    "projects:explore_csv": Url({"GET": owned_page()}, kwargs=project_kwargs),
    "projects:explore_figure": Url({"GET": owned_page()}, kwargs=project_kwargs),
    "projects:items": Url({"GET": owned_page()}, kwargs=project_kwargs),
    "projects:items_csv": Url({"GET": owned_page()}, kwargs=project_kwargs),
    "projects:session": Url({"GET": owned_page()}, kwargs=session_kwargs),
    "replay:session": Url({"GET": owned_page()}, kwargs=session_kwargs),
    "replay:statements": Url({"GET": owned_page()}, kwargs=session_kwargs),
    "projects:attempt": Url({"GET": owned_page()}, kwargs=attempt_kwargs),
    "replay:attempt": Url({"GET": owned_page()}, kwargs=attempt_kwargs),
    "replay:frame": Url({"GET": teacher_page()}, kwargs=lambda world: {"widget_id": "TEI001"}),
    # The collector's API: bearer credentials only.
    "collector:events": Url({"POST": api(**{LEARNER_TOKEN: 202})}, data=valid_batch, json=True),
    "collector:data_requests": Url(
        {"POST": api(**{API_KEY_A: 201, API_KEY_B: 201})},
        data=lambda world: {"kind": "sessions", "learners": [world.opaque]},
        json=True,
    ),
    "collector:data_request": Url(
        {"GET": api(**{API_KEY_A: 200, API_KEY_B: 404})},
        kwargs=lambda world: {"request_id": world.data_request.pk},
    ),
    "collector:data_request_results": Url(
        {"GET": api(**{API_KEY_A: 200, API_KEY_B: 404})},
        kwargs=lambda world: {"request_id": world.data_request.pk},
    ),
    "collector:data_request_attempts": Url(
        {"GET": api(**{API_KEY_A: 200, API_KEY_B: 404})},
        kwargs=lambda world: {"request_id": world.data_request.pk},
    ),
    # Another tenant's key finds no statements of this learner: 404, as for no such attempt.
    "collector:learner_attempt_statements": Url(
        {"GET": api(**{API_KEY_A: 200, API_KEY_B: 404})},
        opaque_kwargs,
        query=lambda world: (
            "?"
            + urllib.parse.urlencode(
                {"activity": OTHER_ACTIVITY, "registration": ATTEMPT_REGISTRATION}
            )
        ),
    ),
    "collector:session_events": Url(
        {"GET": api(**{API_KEY_A: 200, API_KEY_B: 404})},
        kwargs=lambda world: {"session": world.run_session.session},
        query=lambda world: f"?learner={world.opaque}&widget=TEI001",
    ),
    "collector:learner_session_counts": Url(
        {"POST": api(**{API_KEY_A: 200, API_KEY_B: 200})},
        data=lambda world: {"learners": [world.opaque]},
        json=True,
    ),
    # Another tenant's key gets an empty list: nobody of its own is live (tested on its own).
    "collector:learners_live": Url(
        {"POST": api(**{API_KEY_A: 200, API_KEY_B: 200})},
        data=lambda world: {"learners": [world.opaque]},
        json=True,
    ),
    # Another tenant's key gets an empty list: its statements are its own (tested on its own).
    "collector:learners_other_activities": Url(
        {"POST": api(**{API_KEY_A: 200, API_KEY_B: 200})},
        data=lambda world: {"learners": [world.opaque]},
        json=True,
    ),
    "collector:session_statements": Url(
        {"GET": api(**{API_KEY_A: 200, API_KEY_B: 404})},
        kwargs=lambda world: {"session": world.run_session.session},
        query=lambda world: f"?learner={world.opaque}&widget=TEI001",
    ),
    "collector:learner": Url({"DELETE": api(**{API_KEY_A: 200, API_KEY_B: 404})}, opaque_kwargs),
    "collector:learner_revoke": Url(
        {"POST": api(**{API_KEY_A: 200, API_KEY_B: 404})}, opaque_kwargs, json=True
    ),
    "collector:learner_move": Url(
        {"POST": api(**{API_KEY_A: 200, API_KEY_B: 404})},
        opaque_kwargs,
        data=lambda world: {"to": "ab" * 16},
        json=True,
    ),
    "collector:learner_tokens": Url(
        {"POST": api(**{API_KEY_A: 201, API_KEY_B: 201})},
        data=lambda world: {"learner": world.opaque},
        json=True,
    ),
    # A list of the key's own tenant's quarantine: B's is empty (checked below).
    "collector:quarantine": Url({"GET": api(**{API_KEY_A: 200, API_KEY_B: 200})}),
    "collector:openapi": Url({"GET": everyone(200)}),
    # The xAPI endpoint: an API key (as Basic or Bearer) or a learner token, and the version
    # header. A learner token writes its own learner's statements and state, and reads none.
    "xapi:about": Url({"GET": everyone(200)}),
    "xapi:statements": Url(
        {
            "GET": api(**{API_KEY_A: 200, API_KEY_B: 200, LEARNER_TOKEN: 403}),
            "POST": api(**{API_KEY_A: 200, API_KEY_B: 200, LEARNER_TOKEN: 200}),
        },
        data=xapi_statement,
        json=True,
        extra=XAPI_VERSION,
    ),
    "xapi:activity_state": Url(
        {
            "GET": api(**{API_KEY_A: 404, API_KEY_B: 404, LEARNER_TOKEN: 404}),
            "POST": api(**{API_KEY_A: 204, API_KEY_B: 204, LEARNER_TOKEN: 204}),
            "DELETE": api(**{API_KEY_A: 204, API_KEY_B: 204, LEARNER_TOKEN: 204}),
        },
        query=xapi_state_query,
        data=lambda world: {"page": 3},
        json=True,
        extra=XAPI_VERSION,
    ),
    # The RAGE collector (games): anyone holding a tracking code starts an anonymous player, a
    # learner token an identified one, and any other Authorization is a 400 (RAGE's contract);
    # a track takes only the authToken a start answered.
    "rage:start": Url(
        {"POST": {**everyone(200), LEARNER_TOKEN: 200, API_KEY_A: 400, API_KEY_B: 400}},
        kwargs=lambda world: {"tracking_code": rage_code(world).code},
        json=True,
    ),
    "rage:track": Url({"POST": api()}, data=lambda world: [], json=True),
    # The Segment-style door takes a Segment write key only (tests/segment/ send with one):
    # cookies, learner tokens and API keys are refused alike.
    **{
        f"segment:{kind}": Url(
            {"POST": api(**{API_KEY_A: 401, API_KEY_B: 401})},
            data=lambda world: {
                "batch": [{"type": "page", "messageId": "m", "userId": world.opaque}]
            },
            json=True,
        )
        for kind in ("batch", "track", "page", "identify")
    },
    # The MetaCX-style door: getToken takes an API key's id and secret in its body (none here:
    # a 400 naming clientId, whoever asks); events takes only getToken's access token, never an
    # API key or a learner token (tests/metacx/ go through both with real credentials).
    "metacx:get_token": Url({"POST": everyone(400)}, json=True),
    "metacx:events": Url({"POST": api()}, data=lambda world: {"eventKey": "x"}, json=True),
    # Google sign-in (social-auth). Starting it takes a POST (no sign-in by a cross-site link)
    # and is open to everyone, as is finishing it: without the state it started with, the finish
    # goes back to the sign-in page.
    "social:begin": Url(
        {"POST": everyone(To("/oauth2/authorize?"))},
        kwargs=GOOGLE,
    ),
    "social:complete": Url(
        {"GET": everyone(To("/")), "POST": everyone(To("/"))},
        kwargs=GOOGLE,
    ),
    # Launch bridges (IdP- and app-initiated sign-in) are not turned on.
    "social:idp_launch": Url({"GET": everyone(404)}, kwargs=GOOGLE),
    "social:app_launch": Url({"GET": everyone(404)}, kwargs=GOOGLE),
    # Unlinking a Google account: signed-in users only, each their own account (see
    # test_a_teacher_cannot_unlink_another_teachers_google_account).
    # LTI: what an LMS calls. Without a registered LMS, a valid token or a pick, each refuses
    # with the clear page (tests/lti/ go through them with a real test LMS).
    "lti:jwks": Url({"GET": everyone(200)}),
    "lti:login": Url({"GET": everyone(400), "POST": everyone(400)}),
    "lti:launch": Url({"POST": everyone(400)}),
    "lti:deep_link": Url(
        {"POST": everyone(410)},
        kwargs=lambda world: {"pick_id": "no-such-pick"},
        data=lambda world: {"widget": "TEI001"},
    ),
    "lti:teacher_handoff": Url(
        {"GET": everyone(410)}, kwargs=lambda world: {"token": "no-such-link"}
    ),
    "lti:class_passback": Url({"POST": owned_page(To("/teacher/classes/"))}, kwargs=class_kwargs),
    "social:disconnect": Url(DISCONNECT, kwargs=GOOGLE),
    "social:disconnect_individual": Url(
        DISCONNECT,
        kwargs=lambda world: {"backend": "google-oauth2", "association_id": world.social.pk},
    ),
}

# The Django admin: one real object of each registered model fills its object URLs.
ADMIN_OBJECTS: dict[type, Callable[[World], Any]] = {
    Group: lambda world: Group.objects.get(),
    UserSocialAuth: lambda world: world.social,
    Nonce: lambda world: Nonce.objects.get(),
    Association: lambda world: Association.objects.get(),
    ApiKey: lambda world: world.api_key_a,
    Tenant: lambda world: world.api_key_a.tenant,
    QuarantinedEvent: lambda world: QuarantinedEvent.objects.get(),
    DataRequest: lambda world: world.data_request,
    LrsForwarding: lambda world: LrsForwarding.objects.get_or_create(
        tenant=world.api_key_a.tenant,
        endpoint="https://lrs.example.org/xapi/",
        defaults={"username": "plk_other", "password": "its-secret"},
    )[0],
    RageTrackingCode: rage_code,
    RagePlayer: lambda world: RagePlayer.objects.get_or_create(
        tenant=world.api_key_a.tenant, learner=world.opaque, defaults={"anonymous": False}
    )[0],
    SegmentWriteKey: lambda world: write_key_create(tenant=world.api_key_a.tenant, name="app"),
    WebhookSubscription: lambda world: webhook_subscription(world),
    WebhookDelivery: lambda world: WebhookDelivery.objects.get_or_create(
        subscription=webhook_subscription(world),
        defaults={"status_code": 200, "attempted_at": timezone.now()},
    )[0],
    User: lambda world: world.teacher_a,
    WhitelistEntry: lambda world: WhitelistEntry.objects.first(),
    LearnerIdentity: lambda world: world.learner,
    Project: lambda world: world.project,
    Platform: lambda world: lti_objects(world).platform,
    ToolKey: lambda world: signing_key(),
    LtiContext: lambda world: lti_objects(world).context,
    ResourceLink: lambda world: lti_objects(world).link,
    Passback: lambda world: Passback.objects.get_or_create(
        link=lti_objects(world).link,
        learner=world.learner,
        session="ada-2",
        defaults={"lti_user": lti_objects(world).user},
    )[0],
}


def webhook_subscription(world: World) -> WebhookSubscription:
    return WebhookSubscription.objects.get_or_create(
        tenant=world.api_key_a.tenant,
        url="https://hooks.example.org/pathlens",
        defaults={"secret": "whsec_its-secret-never-shown"},
    )[0]


@dataclass
class LtiObjects:
    platform: Platform
    context: LtiContext
    link: ResourceLink
    user: LtiUser


def lti_objects(world: World) -> LtiObjects:
    """An LMS registration and what a launch from it leaves (for the admin's object pages)."""
    platform, _ = Platform.objects.get_or_create(
        name="Moodle",
        defaults={
            "issuer": "https://moodle.school.example",
            "client_id": "pathlens",
            "auth_login_url": "https://moodle.school.example/mod/lti/auth.php",
            "auth_token_url": "https://moodle.school.example/mod/lti/token.php",
            "jwks_url": "https://moodle.school.example/mod/lti/certs.php",
            "deployment_ids": "1",
        },
    )
    context, _ = LtiContext.objects.get_or_create(
        platform=platform, context_id="c-7", defaults={"school_class": world.school_class}
    )
    link, _ = ResourceLink.objects.get_or_create(
        platform=platform, resource_link_id="l-1", defaults={"context": context}
    )
    user, _ = LtiUser.objects.get_or_create(
        platform=platform, sub="u-1", defaults={"learner": world.learner}
    )
    return LtiObjects(platform, context, link, user)


def admin_model(route: Route) -> type | None:
    """The model an admin URL is about, from its name or its route."""
    for model in admin.site._registry:
        meta = model._meta
        if route.route.startswith(f"admin/{meta.app_label}/{meta.model_name}/"):
            return model
    return None


def admin_kwargs(route: Route, world: World) -> dict[str, Any]:
    model = admin_model(route)
    kwargs: dict[str, Any] = {}
    params = set(route.pattern.pattern.converters) | set(route.pattern.pattern.regex.groupindex)
    if "object_id" in params or "id" in params:
        obj = ADMIN_OBJECTS[model](world) if model else world.learner
        kwargs["object_id"] = kwargs["id"] = obj.pk
    if "content_type_id" in params:
        kwargs["content_type_id"] = ContentType.objects.get_for_model(LearnerIdentity).pk
    if "app_label" in params:
        kwargs["app_label"] = "dashboard"
    if "url" in params:
        kwargs["url"] = "no-such-page/"
    return kwargs


# --- The tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", OUR_ROUTES, ids=[r.route for r in OUR_ROUTES])
def test_every_view_declares_who_may_use_it(route):
    access = getattr(route.callback, "pathlens_access", None)
    assert access in {"public", "teacher", "learner", "api"}, (
        f"/{route.route} ({route.callback.__module__}.{route.callback.__name__}) declares no "
        "access rule: decorate it with teacher_required, learner_required or public."
    )


def test_the_audit_covers_every_url():
    names = {route.name for route in ROUTES if not route.route.startswith("admin/")}
    assert sorted(names - AUDIT.keys()) == [], "URLs missing from AUDIT: add a row for each"
    assert sorted(AUDIT.keys() - names) == [], "AUDIT rows for URLs that no longer exist"
    models = {admin_model(route) for route in ADMIN_ROUTES} - {None}
    assert set(admin.site._registry) <= models
    assert sorted(m.__name__ for m in models - ADMIN_OBJECTS.keys()) == [], (
        "Admin models without an object in ADMIN_OBJECTS"
    )


def send(client: Client, method: str, url: str, spec: Url, world: World):
    if method == "GET":
        return client.get(url, headers=spec.extra)
    if method == "DELETE":
        return client.delete(url, headers=spec.extra)
    data = spec.data(world)
    if spec.json:
        return client.post(
            url, json.dumps(data), content_type="application/json", headers=spec.extra
        )
    return client.post(url, data, headers=spec.extra)


def answer(client: Client, method: str, url: str, spec: Url, world: World):
    """One request, rolled back afterwards in both databases."""
    with transaction.atomic(using="default"), transaction.atomic(using="analytics"):
        response = send(client, method, url, spec, world)
        transaction.set_rollback(True, using="analytics")
        transaction.set_rollback(True, using="default")
    return response


def matches(response, expected: Expected) -> bool:
    if isinstance(expected, To):
        return response.status_code == expected.status and response.get("Location", "").startswith(
            expected.prefix
        )
    return response.status_code == expected


def describe(response) -> str:
    location = response.get("Location")
    return f"{response.status_code}" + (f" → {location}" if location else "")


def area(name: str) -> str:
    """Which part of the site a URL belongs to: the tests below take one part at a time."""
    namespace = name.partition(":")[0] if ":" in name else "dashboard"
    return namespace


AREAS = sorted({area(name) for name in AUDIT})


@pytest.mark.django_db(databases=BOTH_DATABASES)
@pytest.mark.parametrize("part", AREAS)
def test_every_url_answers_each_visitor_as_expected(world, part):
    visitors = Visitors(world)
    wrong = []
    for route in ROUTES:
        if route.name not in AUDIT or area(route.name) != part:
            continue
        spec = AUDIT[route.name]
        url = fill(route.route, spec.kwargs(world)) + spec.query(world)
        for method in ("GET", "POST", "DELETE"):
            answers = spec.answers.get(method)
            if answers is None and method == "DELETE":
                continue
            for visitor in VISITORS:
                if answers is None:
                    expected: Expected = 405
                elif visitor in BEARERS:
                    expected = answers.get(visitor, answers[ANONYMOUS])
                else:
                    expected = answers[visitor]
                response = answer(visitors.client(visitor), method, url, spec, world)
                if not matches(response, expected):
                    wrong.append(
                        f"{method} {url} as {visitor}: {describe(response)}, not {expected}"
                    )
    assert not wrong, "\n".join(wrong)


def admin_answers(route: Route) -> dict[str, Expected]:
    """Only staff get past the admin's own sign-in; everyone else sees just that page."""
    if route.name == "admin:login":
        return {"GET": 200, "POST": 200}
    if route.name == "admin:logout":
        return {"GET": To("/admin/"), "POST": To("/admin/")}
    return {"GET": To("/admin/login/?next="), "POST": To("/admin/login/?next=")}


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_the_admin_is_for_staff_only(world):
    visitors = Visitors(world)
    wrong = []
    for route in ADMIN_ROUTES:
        url = fill(route.route, admin_kwargs(route, world))
        for method, expected in admin_answers(route).items():
            for visitor in (ANONYMOUS, OUTSIDER, LEARNER, TEACHER_A, API_KEY_A):
                response = answer(visitors.client(visitor), method, url, Url({}), world)
                if not matches(response, expected):
                    wrong.append(
                        f"{method} {url} as {visitor}: {describe(response)}, not {expected}"
                    )
        if route.name.endswith("_change"):
            # Staff open each object's page, filled from a real object in either database.
            response = answer(visitors.client(STAFF), "GET", url, Url({}), world)
            if response.status_code != 200:
                wrong.append(f"GET {url} as staff: {describe(response)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_another_tenant_learns_nothing_of_a_learner_from_what_it_may_create(world):
    """The collector URLs that answer school B with a 2xx name no object of A's in the URL: B's
    data request over A's opaque id finishes with no results, its counts are 0, and a token it
    mints writes into B's tenant (tests/collector/test_tenants.py has the rest)."""
    b = Visitors(world).client(API_KEY_B)
    counts = b.post(
        "/api/v1/learners/session-counts",
        {"learners": [world.opaque]},
        content_type="application/json",
    )
    assert counts.json() == {"counts": {world.opaque: 0}}
    created = b.post(
        "/api/v1/data-requests",
        {"kind": "sessions", "learners": [world.opaque]},
        content_type="application/json",
    )
    data_request_process(request_id=created.json()["id"])
    results = b.get(f"/api/v1/data-requests/{created.json()['id']}/results")
    assert results.json()["count"] == 0
    a_results = (
        Visitors(world)
        .client(API_KEY_A)
        .get(f"/api/v1/data-requests/{world.data_request.pk}/results")
    )
    assert a_results.json()["count"] > 0
    assert b.get("/api/v1/quarantine").json()["count"] == 0
    assert Visitors(world).client(API_KEY_A).get("/api/v1/quarantine").json()["count"] == 1


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_a_teacher_cannot_unlink_another_teachers_google_account(world):
    url = reverse("social:disconnect_individual", args=["google-oauth2", world.social.pk])
    visitors = Visitors(world)
    visitors.client(TEACHER_B).post(url)
    assert UserSocialAuth.objects.filter(pk=world.social.pk, user=world.teacher_a).exists()
    visitors.client(TEACHER_A).post(url)
    assert not UserSocialAuth.objects.filter(pk=world.social.pk).exists()


def test_a_uuid_placeholder_is_filled_with_a_real_id():
    assert fill("api/v1/data-requests/<uuid:request_id>", {"request_id": uuid.UUID(int=1)}) == (
        "/api/v1/data-requests/00000000-0000-0000-0000-000000000001"
    )


@pytest.mark.django_db
def test_htmx_requests_from_signed_out_teachers_get_a_full_page_redirect(client):
    response = client.get(reverse("dashboard:home"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/"
