"""Other activities in a real browser: xAPI statements about content that is not one of our
widgets (an H5P quiz), sent as a `tincan`-style client sends them to /xapi/statements with an API
key, show in the explorer as a lane of their own on the learner's path; the attempt's label opens
its statement timeline, in words. Every wait is for a state the page shows, never for a time.
"""

from __future__ import annotations

import base64
import json
import urllib.request
import uuid
from datetime import UTC, datetime

import pytest
from django.test import Client
from playwright.sync_api import expect

from collector.apikeys import api_key_create
from collector.tenants import tenant_default
from collector.xapi.iris import learner_home_page
from projects.models import RunAttempt
from tests.collector.helpers import now_ms
from tests.e2e.test_explorer_browser import label_box, open_explorer, paths_drawn
from tests.factories import LearnerIdentityFactory
from tests.support.projects import MIN, finished_project, record
from tests.support.replays import eager

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

QUIZ = "https://h5p.school.example/content/fractions-quiz"


def tincan_statement(opaque: str, moment_ms: int, verb: str, registration: str, **extra) -> dict:
    """A statement as TinCanJS writes one (`Statement.asVersion("1.0.3")`)."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": learner_home_page(), "name": opaque},
        },
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": QUIZ,
            "definition": {
                "name": {"en-US": "Fractions quiz"},
                "type": "http://adlnet.gov/expapi/activities/assessment",
            },
        },
        "context": {"registration": registration},
        "timestamp": datetime.fromtimestamp(moment_ms / 1000, tz=UTC).isoformat(),
        **extra,
    }


def send_statements(server_url: str, statements: list[dict]) -> None:
    """POST /xapi/statements over HTTP, with an API key as Basic credentials."""
    _, key = api_key_create(name="h5p", tenant=tenant_default())
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    credentials = base64.b64encode(f"{prefix}_{key_id}:{secret}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        f"{server_url}/xapi/statements",
        data=json.dumps(statements).encode(),
        method="POST",
        headers={
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/json",
            "X-Experience-API-Version": "1.0.3",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 200


@pytest.fixture
def classroom(client, teacher, live_server, django_capture_on_commit_callbacks):
    """Ada: a lever session, then the H5P quiz, then a fractions session; Grace: one session."""
    base = now_ms() - 5 * 3_600_000
    ada = LearnerIdentityFactory(real_id="S-501", display_name="Ada Lovelace")
    grace = LearnerIdentityFactory(real_id="S-502", display_name="Grace Hopper")
    record(client, ada, "BLL002", "ada-a", base, 3)
    record(client, ada, "TEI001", "ada-b", base + 60 * MIN, 4)
    record(client, grace, "TEI001", "grace-a", base + 10 * MIN, 3)
    attempt = str(uuid.uuid4())
    start = base + 20 * MIN
    send_statements(
        live_server.url,
        [
            tincan_statement(ada.opaque_id, start, "attempted", attempt),
            tincan_statement(
                ada.opaque_id, start + MIN, "answered", attempt, result={"response": "3/4"}
            ),
            tincan_statement(
                ada.opaque_id,
                start + 2 * MIN,
                "completed",
                attempt,
                result={"score": {"scaled": 0.5}, "completion": True, "success": False},
            ),
        ],
    )
    teacher_client = Client()
    teacher_client.force_login(teacher)
    with eager():
        project = finished_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
    return {"project": project, "ada": ada}


def test_an_other_activity_is_a_lane_and_its_attempt_opens_its_statements(
    page, live_server, teacher, classroom
):
    project, ada = classroom["project"], classroom["ada"]
    open_explorer(page, live_server, teacher, project, f"?learner={ada.pk}")
    paths_drawn(page, 1)
    lanes = page.evaluate('() => document.getElementById("path-chart").layout.yaxis.ticktext')
    assert lanes[-1] == "Fractions quiz"
    marks = page.evaluate(
        """() => document.getElementById("path-chart").data
          .filter((t) => t.meta && t.meta.kind === "attempts").map((t) => t.name)"""
    )
    assert marks == ["Fractions quiz attempts"]
    card = page.locator(".path-card", has_text="Ada Lovelace")
    expect(card.locator(".path-steps__attempt")).to_contain_text("3 statements")

    # Her path goes lever → quiz → fractions: the quiz's label is her second.
    page.locator(f'[data-path-labels="{ada.pk}"]').dispatch_event("click")
    expect(page.locator("#path-chart .annotation").first).to_be_visible()
    page.locator("#path-chart").scroll_into_view_if_needed()
    box = label_box(page, ada.pk, 1)
    page.mouse.click(box["left"] + box["width"] / 2, box["top"] + box["height"] / 2)
    page.wait_for_url("**/attempts/*/")
    attempt = RunAttempt.objects.get(run__project=project)
    assert page.url.endswith(f"/projects/{project.pk}/attempts/{attempt.pk}/")
    expect(page.locator("h1")).to_contain_text("Ada Lovelace in Fractions quiz")
    rows = page.locator(".statement-timeline tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("attempted")
    expect(rows.nth(1)).to_contain_text("answer “3/4”")
    expect(rows.nth(2)).to_contain_text("score 50\u00a0%, not passed, completed")
    assert "http" not in page.locator(".statement-timeline").inner_text()


ATTEMPT_MARK = """() => {
  const chart = document.getElementById("path-chart");
  const index = chart._fullData.findIndex((t) => t.meta && t.meta.kind === "attempts");
  const trace = chart._fullData[index];
  const { xaxis, yaxis } = chart._fullLayout;
  const box = chart.querySelector(".main-svg").getBoundingClientRect();
  return {
    x: box.left + xaxis._offset + xaxis.d2p(trace.x[0]),
    y: box.top + yaxis._offset + yaxis.d2p(trace.y[0]),
  };
}"""


def test_a_click_on_an_attempts_mark_opens_its_statements(page, live_server, teacher, classroom):
    project = classroom["project"]
    open_explorer(page, live_server, teacher, project, "?picked=1")  # no path drawn over it
    paths_drawn(page, 0)
    page.locator("#path-chart").scroll_into_view_if_needed()
    mark = page.evaluate(ATTEMPT_MARK)
    page.mouse.move(mark["x"], mark["y"])
    expect(page.locator("#path-chart .hoverlayer")).to_contain_text("3 statements")
    page.mouse.click(mark["x"], mark["y"])
    page.wait_for_url("**/attempts/*/")
    expect(page.locator(".statement-timeline tbody tr")).to_have_count(3)
    # The crawl's checks for the two attempt pages (its demo class has no other activities):
    # a title, one <h1>, and no console error (the page fixture fails on one).
    attempt = RunAttempt.objects.get(run__project=project)
    for url in (f"/projects/{project.pk}/attempts/{attempt.pk}/",
                f"/replay/{project.pk}/attempts/{attempt.pk}/"):  # fmt: skip
        assert page.goto(url).status == 200
        expect(page.locator(".statement-timeline tbody tr")).to_have_count(3)
        assert page.title().strip()
        expect(page.locator("h1")).to_have_count(1)


# What sticks out sideways at a phone's width: the page's overflow, and each element whose box
# ends past the screen or whose content is wider than its box (named, for the failure message).
SIDEWAYS = """() => {
  const width = window.innerWidth;
  const name = (el) => [el.tagName.toLowerCase(), ...(el.getAttribute("class") || "").split(" ")]
    .filter(Boolean).join(".");
  const wide = [...document.querySelectorAll("main *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width && (box.right > width + 0.5 || box.left < -0.5);
  }).map(name);
  // A table that scrolls inside its card is cut off on screen all the same.
  const cut = [...document.querySelectorAll("main .statement-timeline__scroll")]
    .filter((el) => el.scrollWidth > el.clientWidth + 1).map(name);
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10), cut};
}"""


def test_the_attempt_pages_and_the_statements_download_fit_a_phone(
    page, live_server, teacher, classroom
):
    """At 390 px nothing scrolls sideways: the statement timeline's four columns fit their card
    (neither the page nor the card scrolls), and so does the page that waits for the statements
    file (no worker runs here, so it stays on "Preparing")."""
    project = classroom["project"]
    attempt = RunAttempt.objects.get(run__project=project)
    open_explorer(page, live_server, teacher, project, width=390, height=844)
    for url in (f"/projects/{project.pk}/attempts/{attempt.pk}/",
                f"/replay/{project.pk}/attempts/{attempt.pk}/"):  # fmt: skip
        page.goto(url)
        expect(page.locator(".statement-timeline tbody tr")).to_have_count(3)
        sideways = page.evaluate(SIDEWAYS)
        assert sideways["scroll"] <= sideways["width"] and not sideways["cut"], (url, sideways)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Download as xAPI statements").click()
    expect(page.locator("#statements-download")).to_have_attribute("data-state", "preparing")
    sideways = page.evaluate(SIDEWAYS)
    assert sideways["scroll"] <= sideways["width"], sideways
