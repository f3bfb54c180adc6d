"""Every page, in a real browser: no console error, no failed request, no 5xx, an <h1> and a
<title>. Signed in as the demo teacher over the demo class, and as one of its learners.

The pages come from the URL configuration: each route is either given real ids from the
fixtures below or set aside with a reason, so a new route fails this test until it is listed.
From each of those pages the crawl follows every same-origin link one step further (sorting,
pagination, moments of a replay…), at most twice per kind of page.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from playwright.sync_api import expect

from dashboard.models import LearnerIdentity, SchoolClass, User
from projects.models import Project, RunSession
from tests.e2e.conftest import sign_in_as_learner
from tests.support.projects import finished_project
from tests.support.replays import eager
from widgets.registry import all_widgets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]

# Routes that are not pages a person visits, and why.
NOT_PAGES = {
    "admin/": "Django's admin, for superusers only",
    "auth/": "the Google sign-in redirects: tests/e2e/test_google_browser.py",
    "api/v1/": "the collector's JSON API, not pages",
    "xapi/": "the collector's xAPI endpoint (JSON), not pages",
    "api/collector/": "the RAGE collector for games (JSON), not pages: tests/rage/",
    "segment/": "the collector's Segment-style tracking API (JSON, POST), not pages",
    "metacx/": "the collector's MetaCX-style events API (JSON, POST only), not pages",
    "replay/<int:project_id>/<int:run_session_id>/statements.json": "a JSON download (xAPI)",
    "projects/<int:project_id>/attempts/<int:attempt_id>/": "an other activity's attempt: the "
    "demo has none; tests/e2e/test_other_activity_browser.py visits it as the crawl would",
    "replay/<int:project_id>/attempts/<int:attempt_id>/": "the same, under replay: visited there",
    "healthz": "the load balancer's health probe",
    "signin/demo/": "POST only",
    "signout/": "POST only",
    "signin/denied/": "answers 403 on purpose: tests/e2e/test_google_browser.py",
    "teacher/learners/export/": "a CSV download",
    "projects/<int:project_id>/runs/": "POST only",
    "teacher/classes/<int:class_id>/edit/": "POST only",
    "teacher/classes/<int:class_id>/learners/": "POST only (add, remove, move)",
    "teacher/classes/<int:class_id>/teachers/": "POST only (share, stop sharing)",
    "projects/<int:project_id>/export.csv": "a CSV download",
    "projects/<int:project_id>/statements.json": "a JSON download (xAPI); its waiting page is "
    "tested in tests/projects/test_statements_download.py",
    "projects/<int:project_id>/explore/figure.json": "JSON the explorer fetches (checked there)",
    "projects/<int:project_id>/explore/sessions.csv": "a CSV download",
    "projects/<int:project_id>/items.csv": "a CSV download",
    "replay/<int:project_id>/<int:run_session_id>/notes/": "JSON the replay page reads and writes",
    "teacher/classes/<int:class_id>/overview/": "the home page's class card, fetched by htmx",
    "teacher/classes/<int:class_id>/live/": "the home page's live-now list, fetched by htmx",
    "lti/": "what an LMS calls (keyset, login, launch, deep-link return): tests/lti/",
}
# Documents shown inside another page's iframe: a <title>, but the page around has the <h1>.
FRAMES = ("replay/frame/<str:widget_id>/",)
PER_KIND = 2  # pages visited per (route, query parameters) found by following links
SLOW = 30_000  # ms: plotly and the replay take their time on a loaded machine
PHONE = {"width": 390, "height": 844}
# What widens a page past the screen: the first few elements sticking out, by tag and class.
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 4)};
}"""


def routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the URL configuration, as its pattern: "projects/<int:project_id>/"."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def route_of(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return f"(no route: {path})"


def is_set_aside(route: str) -> bool:
    return any(route == known or route.startswith(known) for known in NOT_PAGES if known)


@pytest.fixture
def demo_class(client, django_capture_on_commit_callbacks):
    """The demo class with its weeks of lessons, and the demo teacher's project over all of it."""
    call_command("seed_demo", verbosity=0)
    teacher = User.objects.get(username="demo-teacher")  # seed_demo made them the class's teacher
    teacher_client = Client()
    teacher_client.force_login(teacher)
    learners = list(LearnerIdentity.objects.order_by("pk"))
    with eager():
        project = finished_project(
            teacher_client,
            learners,
            django_capture_on_commit_callbacks,
            name="The demo class",
            widgets=[widget.id for widget in all_widgets()],
        )
    sessions = {
        widget.id: RunSession.objects.filter(run__project=project, widget=widget.id)
        .order_by("-events")
        .first()
        for widget in all_widgets()
    }
    assert all(sessions.values()), sessions
    return {
        "project": project,
        "learner": learners[0],
        "sessions": sessions,
        "class": SchoolClass.objects.get(owner=teacher),
    }


def teacher_pages(demo_class) -> dict[str, list[str]]:
    project: Project = demo_class["project"]
    learner: LearnerIdentity = demo_class["learner"]
    school_class: SchoolClass = demo_class["class"]
    first, second = (
        RunSession.objects.filter(run__project=project, widget="TEI001")
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    replays = [(s.run.project_id, s.pk) for s in demo_class["sessions"].values()]
    return {
        "": ["/"],
        "signin/": ["/signin/"],
        "signin/learner/": ["/signin/learner/"],
        "signin/learner/<str:code>/": [f"/signin/learner/{school_class.code}/"],
        "teacher/": ["/teacher/"],
        "teacher/classes/": ["/teacher/classes/"],
        "teacher/classes/<int:class_id>/": [f"/teacher/classes/{school_class.pk}/"],
        "teacher/classes/<int:class_id>/delete/": [f"/teacher/classes/{school_class.pk}/delete/"],
        "teacher/notifications/": ["/teacher/notifications/"],
        "teacher/learners/<int:pk>/profile/": [f"/teacher/learners/{learner.pk}/profile/"],
        "replay/<int:project_id>/compare/<int:first_id>/<int:second_id>/": [
            f"/replay/{project.pk}/compare/{first}/{second}/"
        ],
        "teacher/learners/": ["/teacher/learners/"],
        "teacher/learners/new/": ["/teacher/learners/new/"],
        "teacher/learners/import/": ["/teacher/learners/import/"],
        "teacher/learners/import/preview/": ["/teacher/learners/import/preview/"],
        "teacher/learners/<int:pk>/": [f"/teacher/learners/{learner.pk}/"],
        "teacher/learners/<int:pk>/rotate/": [f"/teacher/learners/{learner.pk}/rotate/"],
        "teacher/learners/<int:pk>/delete/": [f"/teacher/learners/{learner.pk}/delete/"],
        "projects/": ["/projects/"],
        "projects/new/": ["/projects/new/"],
        "projects/<int:project_id>/": [f"/projects/{project.pk}/"],
        "projects/<int:project_id>/status/": [f"/projects/{project.pk}/status/"],
        "projects/<int:project_id>/delete/": [f"/projects/{project.pk}/delete/"],
        "projects/<int:project_id>/explore/": [f"/projects/{project.pk}/explore/"],
        "projects/<int:project_id>/items/": [f"/projects/{project.pk}/items/"],
        "projects/<int:project_id>/sessions/<int:run_session_id>/": [
            f"/projects/{p}/sessions/{s}/" for p, s in replays
        ],
        "replay/<int:project_id>/<int:run_session_id>/": [f"/replay/{p}/{s}/" for p, s in replays],
        "replay/frame/<str:widget_id>/": [f"/replay/frame/{w.id}/" for w in all_widgets()],
    }


def learner_pages() -> dict[str, list[str]]:
    return {
        "": ["/"],
        "signin/": ["/signin/"],
        "signin/learner/": ["/signin/learner/"],
        "learn/": ["/learn/"],
        "learn/<str:widget_id>/": [f"/learn/{widget.id}/" for widget in all_widgets()],
    }


@dataclass
class Crawl:
    page: object
    problems: object
    phone: bool = False  # on a phone's screen, a page must not scroll sideways
    visited: dict[str, str] = field(default_factory=dict)  # url -> its route
    found: dict[str, list[str]] = field(default_factory=dict)  # url -> what was wrong there

    def run(self, seeds: list[str], *, allowed_routes) -> None:
        queue = deque((url, 0) for url in seeds)
        kinds: dict[tuple, int] = {}
        while queue:
            url, depth = queue.popleft()
            if url in self.visited:
                continue
            links = self.visit(url)
            if depth >= 1:
                continue
            for link in links:
                parts = urlsplit(link)
                route = route_of(parts.path)
                if link in self.visited or is_set_aside(route) or route not in allowed_routes:
                    continue
                kind = (route, tuple(sorted({key for key, _ in parse_qsl(parts.query)})))
                if kinds.get(kind, 0) >= PER_KIND:
                    continue
                kinds[kind] = kinds.get(kind, 0) + 1
                queue.append((link, depth + 1))

    def visit(self, url: str) -> list[str]:
        page = self.page
        before = len(self.problems.errors)
        wrong = []
        response = page.goto(url, timeout=SLOW)
        route = route_of(urlsplit(page.url).path)
        self.visited[url] = route_of(urlsplit(url).path)
        if response is None or response.status != 200:
            wrong.append(f"answered {response and response.status} (at {page.url})")
        # Scripts that draw (plotly charts, the replay) say when they are done.
        page.wait_for_function(
            "() => !document.querySelector('[data-state=loading]')", timeout=SLOW
        )
        # Leaving sooner would cut loads short; a replay loads two widgets (slow on a busy machine).
        page.wait_for_load_state("networkidle", timeout=SLOW)
        if not page.title().strip():
            wrong.append("no <title>")
        if route not in FRAMES:
            headings = page.locator("h1").all_text_contents()
            if len(headings) != 1 or not headings[0].strip():
                wrong.append(f"not one <h1> with text: {headings}")
        if self.phone:
            sideways = page.evaluate(SIDEWAYS)
            if sideways["scroll"] > sideways["width"]:
                wrong.append(f"scrolls sideways on a phone: {sideways}")
        unexpected = self.problems.unexpected()
        wrong += [problem for problem in self.problems.errors[before:] if problem in unexpected]
        if wrong:
            self.found[url] = wrong
        links = page.eval_on_selector_all(
            "a[href]:not([download])",
            """(links) => links
                 .filter((a) => a.origin === location.origin)
                 .map((a) => a.pathname + a.search)""",
        )
        return sorted(set(links))

    def report(self) -> str:
        return "\n".join(f"{url}: {'; '.join(wrong)}" for url, wrong in self.found.items())


def check_every_route_is_listed(pages: dict[str, list[str]], other_role: tuple[str, ...]) -> None:
    """Fails on a route that is neither visited by a role nor set aside with a reason."""
    unlisted = [
        route
        for route in routes()
        if not is_set_aside(route) and route not in pages and route not in other_role
    ]
    assert not unlisted, (
        f"routes the crawl does not know: list them with ids, or say why not: {unlisted}"
    )


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_every_teacher_page_loads_cleanly(page, page_problems, demo_class, phone):
    pages = teacher_pages(demo_class)
    check_every_route_is_listed(pages, tuple(learner_pages()))
    if phone:
        page.set_viewport_size(PHONE)
    page.goto("/")
    page.get_by_role("button", name="Try the demo as a teacher").click()
    page.wait_for_url("**/teacher/")
    expect(page.get_by_role("heading", name="Hello, Demo")).to_be_visible()

    crawl = Crawl(page, page_problems, phone=phone)
    crawl.run([url for urls in pages.values() for url in urls], allowed_routes=set(pages))

    assert not crawl.found, "pages with problems:\n" + crawl.report()
    assert set(crawl.visited.values()) == set(pages)
    assert len(crawl.visited) > sum(len(urls) for urls in pages.values()), "links were followed"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_every_learner_page_loads_cleanly(page, page_problems, demo_class, phone):
    pages = learner_pages()
    learner: LearnerIdentity = demo_class["learner"]
    if phone:
        page.set_viewport_size(PHONE)
    sign_in_as_learner(page, learner.display_name)

    crawl = Crawl(page, page_problems, phone=phone)
    crawl.run([url for urls in pages.values() for url in urls], allowed_routes=set(pages))

    assert not crawl.found, "pages with problems:\n" + crawl.report()
    assert set(crawl.visited.values()) == set(pages)
