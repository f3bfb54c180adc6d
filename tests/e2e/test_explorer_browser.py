"""The learning-path explorer as a teacher uses it, in a real browser: the default view, ticking
and highlighting paths, a filter kept in the address, labels that open their own session and
never scroll the page, the chart's export, and a phone-sized screen.

The class is made through the real ingestion API and a real project run (its import run inline);
every wait is for a state the page shows, never for a time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from projects.models import RunSession
from tests.collector.helpers import event, now_ms, post_events
from tests.factories import LearnerIdentityFactory
from tests.support.projects import MIN, finished_project, record
from tests.support.replays import eager

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

PATH_COUNT = """() => document.getElementById("path-chart").data
  .filter((t) => t.meta && t.meta.kind === "path").length"""


def record_scored(client, learner, session: str, start_ms: int, answer: str) -> None:
    """A Balance lever lab session with one challenge tried: 'left' is right, 'right' wrong."""
    events = [
        event(session=session, t=start_ms, type="session_started"),
        event(session=session, t=start_ms + MIN, type="challenge_started", data={"challenge": 1}),
        event(
            session=session, t=start_ms + 2 * MIN, type="prediction_made", data={"answer": answer}
        ),
        event(session=session, t=start_ms + 3 * MIN, type="released", data={"outcome": "left"}),
    ]
    response = post_events(client, events, learner=learner.opaque_id)
    assert response.status_code == 202, response.content


@pytest.fixture
def classroom(client, teacher, django_capture_on_commit_callbacks):
    """Four learners, each with sessions in both widgets; the teacher's project over them. Ada and
    Grace answer their lever challenge wrongly (score 0 %), Alan and Katherine rightly."""
    base = now_ms() - 5 * 3_600_000
    names = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson"]
    learners = []
    for n, name in enumerate(names):
        learner = LearnerIdentityFactory(real_id=f"S-40{n}", display_name=name)
        record(client, learner, "BLL002", f"{n}-a", base + n * 7 * MIN, 2 + n)
        record(client, learner, "TEI001", f"{n}-b", base + (40 + n * 9) * MIN, 3 + n)
        answer = "right" if n < 2 else "left"
        record_scored(client, learner, f"{n}-c", base + (100 + n * 5) * MIN, answer)
        learners.append(learner)
    teacher_client = Client()
    teacher_client.force_login(teacher)
    with eager():
        project = finished_project(teacher_client, learners, django_capture_on_commit_callbacks)
    return {"project": project, "learners": learners}


def open_explorer(page, live_server, teacher, project, query="", *, width=1366, height=900):
    client = Client()
    client.force_login(teacher)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/projects/{project.pk}/explore/{query}")
    expect(page.locator("#path-chart")).to_have_attribute("data-state", "drawn")


def paths_drawn(page, count: int) -> None:
    page.wait_for_function(f"() => ({PATH_COUNT})() === {count}")


def test_the_default_view_already_shows_paths(page, live_server, teacher, classroom):
    open_explorer(page, live_server, teacher, classroom["project"])
    note = page.locator("#default-note")
    expect(note).to_contain_text("with the lowest mean score")
    cards = page.locator(".path-card")
    expect(cards).to_have_count(4)
    paths_drawn(page, 4)
    # The struggling learners first: Ada and Grace scored 0 %.
    first_two = {cards.nth(0).locator("h3").inner_text(), cards.nth(1).locator("h3").inner_text()}
    assert first_two == {"Ada Lovelace S-400", "Grace Hopper S-401"}
    # Each path has its own legend entry, and its own colour.
    colours = page.evaluate(
        """() => document.getElementById("path-chart").data
          .filter((t) => t.meta && t.meta.kind === "path").map((t) => t.line.color)"""
    )
    assert len(set(colours)) == len(colours)


def test_ticking_a_learner_adds_a_path_and_hovering_its_legend_entry_highlights_it(
    page, live_server, teacher, classroom
):
    project, learners = classroom["project"], classroom["learners"]
    open_explorer(page, live_server, teacher, project, "?picked=1")
    paths_drawn(page, 0)
    for learner in learners[:2]:
        page.get_by_label(f"Show the path of {learner.display_name}").check()
        expect(page.locator(".path-card", has_text=learner.display_name)).to_be_visible()
    paths_drawn(page, 2)
    assert "learner=" in page.url

    grace = learners[1]
    entry = page.locator("#path-chart .legend .traces", has_text=grace.display_name)
    entry.hover()
    chart = page.locator("#path-chart")
    expect(chart).to_have_attribute("data-highlighted", str(grace.pk))
    opacities = page.evaluate(
        """() => Object.fromEntries(document.getElementById("path-chart")._fullData
          .filter((t) => t.meta && t.meta.kind === "path")
          .map((t) => [t.meta.learner, t.opacity]))"""
    )
    assert opacities[str(grace.pk)] == 1
    assert opacities[str(learners[0].pk)] < 0.5
    page.mouse.move(5, 5)
    expect(chart).to_have_attribute("data-highlighted", "")


def test_a_filter_change_redraws_in_place_and_stays_in_the_address(
    page, live_server, teacher, classroom
):
    open_explorer(page, live_server, teacher, classroom["project"])
    page.evaluate("window.pathlensNotReloaded = true")
    page.locator('input[name="widget"][value="TEI001"]').check()
    page.wait_for_url("**widget=TEI001**")
    page.wait_for_function(
        """() => {
          const chart = document.getElementById("path-chart");
          const lanes = new Set(chart.data.filter((t) => t.meta && t.meta.kind === "sessions")
            .map((t) => t.meta.widget));
          return chart.dataset.state === "drawn" && lanes.size === 1 && lanes.has("TEI001");
        }"""
    )
    assert page.evaluate("window.pathlensNotReloaded") is True
    expect(page.locator("#view-summary")).to_contain_text("that the filters keep")

    page.reload()
    expect(page.locator("#path-chart")).to_have_attribute("data-state", "drawn")
    expect(page.locator('input[name="widget"][value="TEI001"]')).to_be_checked()


def test_a_refused_filter_says_why_on_the_page(
    page, page_problems, live_server, teacher, classroom
):
    # The refusal is a 400 on purpose; leaving the first box sends a request the second replaces.
    for expected in ("status of 400", "Status Error Code 400", "htmx:", "ERR_ABORTED"):
        page_problems.allow(expected)
    open_explorer(page, live_server, teacher, classroom["project"])
    page.locator('input[name="smin"]').fill("80")
    page.locator('input[name="smax"]').fill("20")
    page.locator('input[name="smax"]').dispatch_event("change")
    expect(page.locator("#explore-problems")).to_contain_text("swap the two")


def label_box(page, learner_pk: int, index: int):
    """The bounding box of the background of one path label (plotly's annotation rect)."""
    return page.evaluate(
        """([learner, index]) => {
          const chart = document.getElementById("path-chart");
          const name = `path-${learner}-${index}`;
          const i = chart.layout.annotations.findIndex((a) => a.name === name);
          const group = chart.querySelectorAll(".annotation")[i];
          const box = group.querySelector("rect.bg").getBoundingClientRect();
          return { left: box.left, top: box.top, width: box.width, height: box.height };
        }""",
        [learner_pk, index],
    )


def test_labelling_a_path_keeps_the_page_still_and_a_label_box_opens_its_own_session(
    page, live_server, teacher, classroom
):
    learners = classroom["learners"]
    pks = "&".join(f"learner={learner.pk}" for learner in learners)
    open_explorer(page, live_server, teacher, classroom["project"], f"?{pks}")
    paths_drawn(page, 4)
    grace = learners[1]
    button = page.locator(f'[data-path-labels="{grace.pk}"]')
    expect(button).to_be_visible()
    # From the bottom of the page, where a page that grows or shrinks for a moment would move.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    before = page.evaluate("[window.scrollX, window.scrollY]")
    button.dispatch_event("click")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#path-chart .annotation").first).to_be_visible()
    assert page.evaluate("[window.scrollX, window.scrollY]") == before

    page.locator("#path-chart").scroll_into_view_if_needed()
    box = label_box(page, grace.pk, 1)
    # The middle of the box: this label's own session, never a mark under the label.
    page.mouse.click(box["left"] + box["width"] / 2, box["top"] + box["height"] / 2)
    page.wait_for_url("**/sessions/*/")
    session = RunSession.objects.get(session="1-b")
    assert page.url.endswith(f"/sessions/{session.pk}/")


def test_the_chart_and_the_shown_sessions_can_be_saved(page, live_server, teacher, classroom):
    open_explorer(page, live_server, teacher, classroom["project"], "?widget=BLL002")
    for format in ("png", "svg"):
        button = page.locator(f'button[data-export="{format}"]')
        expect(button).to_be_visible()
        with page.expect_download() as download:
            button.click()
        assert download.value.suggested_filename == f"learning-paths.{format}"
        head = Path(download.value.path()).read_bytes()[:64]
        assert head.startswith(b"\x89PNG") if format == "png" else b"<svg" in head
    link = page.locator('a[data-export="csv"]')
    with page.expect_download() as download:
        link.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 8  # the header, then the 8 Balance lever lab sessions shown
    assert all(",BLL002," in line for line in lines[1:])


def test_a_phone_shows_the_chart_full_width_without_sideways_scrolling(
    page, live_server, teacher, classroom
):
    open_explorer(page, live_server, teacher, classroom["project"], width=390, height=844)
    sizes = page.evaluate(
        """() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
          chart: document.querySelector("#path-chart .main-svg").getBoundingClientRect().width,
          search: document.getElementById("learner-q").getBoundingClientRect().width,
        })"""
    )
    assert sizes["scroll"] <= sizes["client"]
    assert sizes["chart"] >= 0.85 * sizes["client"]
    assert sizes["search"] >= 0.6 * sizes["client"]
    # The learner list's names are whole: no cell is cut off by its own width.
    clipped = page.evaluate(
        """() => [...document.querySelectorAll("#learner-table tbody th")]
          .filter((cell) => cell.scrollWidth > cell.clientWidth + 1).length"""
    )
    assert clipped == 0
    # Both tables fit their cards: nothing to scroll sideways inside them either.
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll(".summary")]
          .filter((card) => card.scrollWidth > card.clientWidth + 1).length"""
    )
    assert overflowing == 0
    # The plot itself has the width: its drawing area is most of the screen.
    plot = page.evaluate(
        """() => document.querySelector("#path-chart .nsewdrag").getBoundingClientRect().width"""
    )
    assert plot >= 0.75 * sizes["client"]
