"""The learning-path explorer and the session page, through the real views."""

from __future__ import annotations

import gzip
import json
import re
from html import unescape
from pathlib import Path

import plotly
import pytest
from django.conf import settings

from core.typedarrays import decode
from projects import charts
from projects.models import RunSession
from tests.factories import LearnerIdentityFactory
from tests.support.db import BOTH_DATABASES
from tests.support.projects import create_project, finished_project, record
from widgets.registry import get_widget

pytestmark = [
    pytest.mark.django_db(databases=BOTH_DATABASES),
    pytest.mark.usefixtures("eager_tasks"),
]


def figure_url(response) -> str:
    match = re.search(r'data-figure-url="([^"]+)"', response.content.decode())
    assert match, "the page names no figure"
    return unescape(match.group(1))


def figure(client, response) -> dict:
    """The figure the page's script fetches (and its <link rel=preload> asks for early)."""
    url = figure_url(response)
    assert f'<link rel="preload" href="{url.replace("&", "&amp;")}" as="fetch"' in (
        response.content.decode()
    )
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    return answer.json()


@pytest.fixture
def project(teacher_client, recorded, ada, grace, alan, django_capture_on_commit_callbacks):
    return finished_project(teacher_client, [ada, grace, alan], django_capture_on_commit_callbacks)


def explore(client, project, query="", **headers):
    return client.get(f"/projects/{project.pk}/explore/{query}", headers=headers)


def path_data(response) -> dict:
    match = re.search(r'<div id="path-data" hidden data-paths="([^"]*)"', response.content.decode())
    assert match, "no #path-data in the page"
    return json.loads(unescape(match.group(1)))


def table(response, table_id: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{table_id}"')
    return html[start : html.index("</table>", start)]


def test_it_draws_every_session_in_its_widgets_lane(teacher_client, project):
    response = explore(teacher_client, project)
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 sessions of 2 learners in 2 widgets, 14 events" in html
    data = figure(teacher_client, response)
    traces = data["figure"]["data"]
    assert {t["type"] for t in traces} == {"scattergl"}
    assert sum(len(decode(t["x"])) for t in traces) == 4
    lanes = [get_widget(w).title for w in ("BLL002", "TEI001")]
    assert data["figure"]["layout"]["yaxis"]["ticktext"] == lanes
    # Numbers travel as typed arrays, never as lists of strings.
    assert all(set(t["x"]) == {"dtype", "bdata"} for t in traces)
    # Hover labels name learners by display name and real id; never by opaque id.
    assert sorted(data["labels"]) == ["Ada Lovelace · S-2001", "Grace Hopper · S-2002"]
    stored = set(RunSession.objects.values_list("pk", flat=True))
    marks = {int(i) for p in data["points"] for i in decode(p["ids"])}
    assert marks == stored
    assert data["sessionUrl"] == f"/projects/{project.pk}/sessions/0/"


def test_the_page_loads_plotly_from_our_own_static_files_under_the_csp(teacher_client, project):
    response = explore(teacher_client, project)
    html = response.content.decode()
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce
    assert (
        f'<script src="/static/vendor/plotly/plotly-pathlens.min.js" nonce="{nonce.group(1)}">'
        in html
    )
    assert f'src="/static/projects/explorer.js" nonce="{nonce.group(1)}"' in html
    assert not re.search(r'src="(https?:)?//', html)  # nothing from another site
    assert " onclick=" not in html


@pytest.mark.parametrize(
    ("bundle", "build"),
    [
        ("tests/fixtures/plotly/plotly-strict.min.js", "strict - minified"),
        ("static/vendor/plotly/plotly-pathlens.min.js", "strict, Pathlens"),
    ],
)
def test_the_vendored_plotly_is_a_strict_build_of_the_installed_plotly_packages_version(
    bundle, build
):
    def version(path: Path) -> str:
        return re.search(r"plotly\.js (?:\([^)]*\) )?v(\S+)", path.read_text()[:300])[1]

    vendored = Path(settings.BASE_DIR, bundle)
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert build in vendored.read_text()[:200]
    assert version(vendored) == version(shipped), (
        "plotly was upgraded: rebuild the bundles of the same version (docs/projects.md, “Plotly”)"
    )


def test_the_partial_bundle_is_built_from_the_version_its_build_pins():
    build = Path(settings.BASE_DIR, "static/vendor/plotly/build")
    pinned = json.loads((build / "package.json").read_text())["dependencies"]["plotly.js"]
    bundle = Path(build.parent, "plotly-pathlens.min.js").read_text()[:200]
    assert f"v{pinned}\n" in bundle
    whole = Path(build.parent, "plotly-pathlens.min.js").read_text()
    assert "eval(" not in whole and "new Function" not in whole  # the CSP forbids both


def test_the_page_is_sent_compressed(teacher_client, project):
    response = teacher_client.get(
        f"/projects/{project.pk}/explore/", headers={"Accept-Encoding": "gzip"}
    )
    assert response["Content-Encoding"] == "gzip"
    assert b"learner-table" in gzip.decompress(response.content)


def test_the_figure_is_versioned_cached_and_compressed(teacher_client, project, ada):
    url = figure_url(explore(teacher_client, project))
    first = teacher_client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert first["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(first.content))["figure"]["data"]
    assert first["Cache-Control"] == "private, max-age=31536000, immutable"
    assert "Accept-Encoding" in first["Vary"]
    again = teacher_client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    # Renaming a learner changes what the figure shows, so its version changes.
    ada.display_name = "Ada King"
    ada.save()
    renamed = figure_url(explore(teacher_client, project))
    assert renamed != url
    assert "Ada King · S-2001" in teacher_client.get(renamed).json()["labels"]
    # An old version still answers, with the current figure, but is not kept.
    old = teacher_client.get(url)
    assert old["Cache-Control"] == "private, no-cache"
    assert "Ada King · S-2001" in old.json()["labels"]


def test_the_figure_is_only_for_the_projects_owner(teacher_client, other_teacher, project):
    from django.test import Client

    url = figure_url(explore(teacher_client, project))
    other = Client()
    other.force_login(other_teacher)
    assert other.get(url).status_code == 404


def test_choosing_learners_draws_their_paths_and_lists_their_sessions(
    teacher_client, project, ada, grace
):
    response = explore(teacher_client, project, f"?learner={ada.pk}&learner={grace.pk}")
    assert response.status_code == 200
    data = path_data(response)
    assert [t["name"] for t in data["traces"]] == ["Ada Lovelace", "Grace Hopper"]
    ada_sessions = list(
        RunSession.objects.filter(learner=ada).order_by("start").values_list("pk", flat=True)
    )
    assert data["sessions"][str(ada.pk)] == ada_sessions
    assert [a["text"] for a in data["annotations"][str(ada.pk)]] == [
        # Active time: the minutes between events, plus 5 s after the last one.
        "2 min 05 s active · 3 events",
        "4 min 05 s active · 5 events",
        "1 min 05 s active · 2 events",
    ]
    html = response.content.decode()
    # Without JavaScript the same paths are lists of links to each session.
    for pk in ada_sessions:
        assert f'href="/projects/{project.pk}/sessions/{pk}/"' in html
    assert html.count('class="card path-card"') == 2
    assert f'name="learner" value="{ada.pk}" id="path-{ada.pk}" checked' in html


def test_adding_a_path_with_htmx_answers_with_the_panel_alone(teacher_client, project, ada):
    response = explore(
        teacher_client,
        project,
        f"?run=1&learner={ada.pk}&q=&lsort=name&wsort=widget&lpage=1&shown_q=",
        **{"HX-Request": "true", "HX-Target": "explorer-panel"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="explorer-panel"')
    # The big figure is not in the panel: only its URL, the page's own while the filters stay,
    # so the browser keeps the figure it drew and redraws the paths alone.
    assert figure_url(explore(teacher_client, project)) in unescape(html)
    assert '"bdata"' not in html.split('data-paths="')[0]
    assert path_data(response)["traces"][0]["name"] == "Ada Lovelace"
    assert response["HX-Push-Url"] == f"/projects/{project.pk}/explore/?run=1&learner={ada.pk}"


def test_removing_a_path_keeps_the_others(teacher_client, project, ada, grace):
    response = explore(
        teacher_client, project, f"?learner={ada.pk}&learner={grace.pk}&remove={ada.pk}"
    )
    assert [t["name"] for t in path_data(response)["traces"]] == ["Grace Hopper"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?learner=abc", "“abc” is not a learner number."),
        ("?learner=999999", "No learner with id 999999 has sessions in this run"),
        ("?lsort=height", "The learner table sorts by one of: name, sessions"),
        ("?wsort=colour", "The widget table sorts by one of"),
        ("?lpage=0", "Ensure this value is greater than or equal to 1."),
        ("?since=12/03/2026", "Write the first day as YYYY-MM-DD."),
        ("?since=2026-03-12&until=2026-03-01", "The last day comes before the first"),
        ("?widget=XYZ999", "“XYZ999” is not a widget of this project: choose from"),
        ("?outcome=won", "“won” is not an outcome: choose from not_started, in_progress"),
        ("?smin=60&smax=20", "The highest score is below the lowest: swap the two."),
        ("?smin=half", "The lowest score is a whole percentage, 0 to 100."),
        ("?x=diagonal", "Lay sessions out by “time” or by “sequence”."),
    ],
)
def test_bad_parameters_get_a_400_that_says_what_to_fix(teacher_client, project, query, message):
    response = explore(teacher_client, project, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    htmx = explore(teacher_client, project, query, **{"HX-Request": "true"})
    assert htmx.status_code == 400
    assert message in htmx.content.decode()
    assert "<html" not in htmx.content.decode()


def test_a_learner_without_sessions_cannot_be_compared(teacher_client, project, alan):
    response = explore(teacher_client, project, f"?learner={alan.pk}")
    assert response.status_code == 400


def test_at_most_twelve_paths_are_compared(
    client, teacher_client, django_capture_on_commit_callbacks
):
    learners = [LearnerIdentityFactory() for _ in range(charts.MAX_PATHS + 1)]
    for learner in learners:
        record(client, learner, "BLL002", f"s-{learner.pk}", 1_700_000_000_000, 1)
    project = finished_project(teacher_client, learners, django_capture_on_commit_callbacks)
    query = "?" + "&".join(f"learner={learner.pk}" for learner in learners)
    response = explore(teacher_client, project, query)
    assert response.status_code == 400
    assert "Compare at most 12 paths at once" in response.content.decode()


def test_the_learner_table_sorts_searches_and_pages(
    client, teacher_client, django_capture_on_commit_callbacks
):
    learners = [LearnerIdentityFactory(display_name=f"Learner {i:02d}") for i in range(60)]
    for i, learner in enumerate(learners):
        record(client, learner, "BLL002", f"s-{i}", 1_700_000_000_000, 2 + i % 7)
    project = finished_project(teacher_client, learners, django_capture_on_commit_callbacks)

    first = explore(teacher_client, project)
    rows = table(first, "learner-table")
    assert "Learner 00" in rows and "Learner 49" in rows and "Learner 50" not in rows
    assert "Page 1 of 2" in first.content.decode()
    rows = table(explore(teacher_client, project, "?lpage=2"), "learner-table")
    assert "Learner 50" in rows and "Learner 49" not in rows

    rows = table(explore(teacher_client, project, "?lsort=-time"), "learner-table")
    assert 'aria-sort="descending"' in rows
    # The 7-minute sessions (8 events) come first: learners 06, 13, 20, …; ties by name.
    assert rows.index("Learner 06") < rows.index("Learner 13") < rows.index("Learner 05")

    searched = explore(teacher_client, project, "?q=learner 1&lpage=2&shown_q=")
    rows = table(searched, "learner-table")
    # A new search starts on page 1 and says how many match.
    assert "Learner 10" in rows and "Learner 19" in rows and "Learner 20" not in rows
    assert "matching “learner 1”: 10 of 60" in rows
    # Paging through a search keeps the search and the page.
    paged = table(explore(teacher_client, project, "?q=learner&lpage=2"), "learner-table")
    assert "Learner 50" in paged and "Learner 49" not in paged
    nobody = table(explore(teacher_client, project, "?q=zebra"), "learner-table")
    assert "No learner matches “zebra”" in nobody


def test_the_widget_table_summarises_each_widget_and_sorts(teacher_client, project):
    tei, bll = get_widget("TEI001").title, get_widget("BLL002").title
    rows = table(explore(teacher_client, project, "?wsort=-learners"), "widget-table")
    assert 'aria-sort="descending"' in rows
    assert rows.index(tei) < rows.index(bll)  # TEI001: Ada and Grace; BLL002: Ada only
    rows = table(explore(teacher_client, project, "?wsort=learners"), "widget-table")
    assert rows.index(bll) < rows.index(tei)
    # Median active time in TEI001: (4 min 05 s + 3 min 05 s) / 2.
    assert "3 min 35 s" in rows


def test_before_a_run_is_done_the_explorer_shows_the_live_status(teacher_client, ada):
    project = create_project(teacher_client, [ada])
    response = explore(teacher_client, project)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No results to explore yet" in html
    assert 'hx-trigger="every 500ms"' in html


def test_a_project_without_sessions_says_so_and_suggests_why(
    teacher_client, alan, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [alan], django_capture_on_commit_callbacks)
    response = explore(teacher_client, project)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No sessions in this run" in html
    assert "have not opened these widgets yet" in html
    assert "the time window leaves their activity out" in html
    assert "plotly" not in html


def test_a_run_that_does_not_exist_is_a_404(teacher_client, project):
    assert explore(teacher_client, project, "?run=7").status_code == 404


def test_a_learner_deleted_later_leaves_the_explorer_working(teacher_client, project, ada, grace):
    run = project.runs.get()
    ada.delete()
    response = explore(teacher_client, project, f"?learner={grace.pk}")
    assert response.status_code == 200
    assert "Ada Lovelace" not in response.content.decode()
    assert figure(teacher_client, response)["labels"] == ["Grace Hopper · S-2002"]
    run.refresh_from_db()
    assert run.session_count == 4  # the run's figures stay as they were
    assert explore(teacher_client, project, f"?learner={ada.pk}").status_code == 400


def test_the_session_page_shows_the_session_and_links_back_to_the_path(
    teacher_client, project, ada
):
    session = RunSession.objects.get(session="ada-2")
    response = teacher_client.get(f"/projects/{project.pk}/sessions/{session.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Ada Lovelace in {get_widget('TEI001').title}" in html
    for text in ("S-2001", "ada-2", "4 min", "5", "run 1"):
        assert text in html
    assert f"/projects/{project.pk}/explore/?run=1&amp;learner={ada.pk}" in html
    missing = teacher_client.get(f"/projects/{project.pk}/sessions/999999/")
    assert missing.status_code == 404


def test_a_widget_filter_narrows_the_figure_the_tables_and_the_csv(teacher_client, project):
    response = explore(teacher_client, project, "?widget=TEI001")
    assert response.status_code == 200
    data = figure(teacher_client, response)
    assert {trace["meta"]["widget"] for trace in data["figure"]["data"]} == {"TEI001"}
    assert figure_url(response) != figure_url(explore(teacher_client, project))
    assert "Showing 2 sessions of 2 learners that the filters keep" in response.content.decode()
    csv = teacher_client.get(f"/projects/{project.pk}/explore/sessions.csv?widget=TEI001")
    assert csv.status_code == 200
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("real_id,display_name,widget,session")
    assert sorted(line.split(",")[3] for line in lines[1:]) == ["ada-2", "grace-1"]


def test_the_csv_of_the_view_refuses_a_bad_filter_with_a_400(teacher_client, project):
    response = teacher_client.get(f"/projects/{project.pk}/explore/sessions.csv?smin=200")
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.content.decode()


def test_the_filters_stay_in_every_link_of_the_page(teacher_client, project, ada):
    response = explore(
        teacher_client, project, f"?widget=BLL002&since=2020-01-01&x=sequence&learner={ada.pk}"
    )
    headers = re.findall(r'<a href="([^"]+)"[^>]*class="sort-link', response.content.decode())
    assert headers and all(
        "widget=BLL002" in unescape(h) and "since=2020-01-01" in unescape(h) for h in headers
    )


def test_no_static_file_names_a_cdn():
    # Nothing is loaded from another site at run time, and nothing shipped even names one.
    cdn = re.compile(rb"https?://(?:cdn\.|unpkg\.com|cdnjs\.|[a-z.]*jsdelivr\.)")
    found = [
        str(path.relative_to(settings.BASE_DIR))
        for path in Path(settings.BASE_DIR, "static").rglob("*")
        if path.is_file() and "node_modules" not in path.parts and cdn.search(path.read_bytes())
    ]
    assert found == []
