"""Query projects: list, create, status, re-run, delete, exports, and the learning-path explorer.

Every view that takes a project id fetches it through `_get_project_for_user`, which 404s for
anyone but its owner. Pages work without JavaScript; htmx requests get the fragment they target.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url, trigger_client_event

from collector.client import CollectorError, get_client
from core.formatting import format_clock
from dashboard.access import TeacherRequest, teacher_required
from dashboard.classes import classes_for
from dashboard.models import LearnerIdentity
from dashboard.spreadsheets import csv_download, defuse_cell
from projects import explorer, selectors, services
from projects.forms import ExploreForm, ProjectForm
from projects.models import Project, ProjectRun
from replay.selectors import notes_for_run
from widgets.registry import all_widgets

log = logging.getLogger("pathlens.projects")

PROJECTS_PER_PAGE = 20
LEARNERS_PER_PAGE = 50
RUNS_CHANGED = "pathlens:runs-changed"


def _get_project_for_user(request: TeacherRequest, project_id: int) -> Project:
    return get_object_or_404(selectors.projects_visible_to(user=request.user), pk=project_id)


def _bad_request(request: TeacherRequest, problems: list[str]) -> HttpResponse:
    template = "projects/_problems.html" if request.htmx else "projects/bad_request.html"
    return render(request, template, {"problems": problems}, status=400)


# --- Projects --------------------------------------------------------------------------------


@require_GET
@teacher_required
def project_list(request: TeacherRequest) -> HttpResponse:
    page = Paginator(selectors.projects_for(owner=request.user), PROJECTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    projects = selectors.attach_latest_runs(list(page.object_list))
    for project in projects:
        if project.latest_run and project.latest_run.is_processing:
            project.latest_run = services.run_refresh(run=project.latest_run)
    template = "projects/list.html"
    if request.htmx and request.htmx.target == "project-list":
        template += "#project-list"
    return render(request, template, {"page": page, "projects": projects})


@require_http_methods(["GET", "POST"])
@teacher_required
def project_create(request: TeacherRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProjectForm(request.POST, owner=request.user)
        if form.is_valid():
            data = form.cleaned_data
            project = services.project_create(
                owner=request.user,
                name=data["name"],
                learners=data["learners"],
                widgets=data["widgets"],
                time_from=data["time_from"],
                time_to=data["time_to"],
                school_class=data["school_class"],
            )
            messages.success(
                request,
                f"“{project.name}” was submitted. Its status updates here by itself; "
                "you may also leave and come back later.",
            )
            return redirect("projects:detail", project.pk)
        status = 400
    else:
        school_class = _class_asked_for(request)
        form = ProjectForm(
            owner=request.user,
            initial={
                "widgets": [w.id for w in all_widgets()],
                "school_class": school_class,
                "learners": list(school_class.learners.values_list("pk", flat=True))
                if school_class
                else [],
            },
        )
        status = 200
    chosen = {str(value) for value in (form["learners"].value() or [])}
    school_class = form["school_class"].value()
    learners = LearnerIdentity.objects.order_by("display_name", "real_id_key").values_list(
        "pk", "display_name", "real_id"
    )
    return render(
        request,
        "projects/create.html",
        {
            "form": form,
            "learners": [(pk, name, real_id, str(pk) in chosen) for pk, name, real_id in learners],
            "chosen_widgets": set(form["widgets"].value() or []),
            "widgets": all_widgets(),
            "time_zone": timezone.get_current_timezone_name(),
            "classes": list(
                cast(forms.ModelChoiceField, form.fields["school_class"]).queryset or ()
            ),
            "chosen_class": str(getattr(school_class, "pk", school_class) or ""),
        },
        status=status,
    )


def _class_asked_for(request: TeacherRequest):
    """`?class=<id>`: the teacher starts the project from one of their classes (404 otherwise)."""
    raw = request.GET.get("class", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such class.")
    return get_object_or_404(classes_for(user=request.user), pk=int(raw))


def _status_context(project: Project, run: ProjectRun | None, **extra) -> dict:
    return {"project": project, "run": run, **extra}


@require_GET
@teacher_required
def project_detail(request: TeacherRequest, project_id: int) -> HttpResponse:
    project = _get_project_for_user(request, project_id)
    runs = list(project.runs.all())
    if runs and runs[0].is_processing:
        runs[0] = services.run_refresh(run=runs[0])
    can_rerun, why_not = services.run_can_start(project=project)
    learner_count = project.learners.count()
    sample = list(project.learners.order_by("display_name", "real_id_key")[:12])
    context = _status_context(
        project,
        runs[0] if runs else None,
        runs=runs,
        has_done_run=any(run.is_done for run in runs),
        can_rerun=can_rerun,
        why_not=why_not,
        lanes=selectors.lanes_for(project=project),
        learner_count=learner_count,
        learner_sample=sample,
        more_learners=learner_count - len(sample),
    )
    template = "projects/detail.html"
    if request.htmx and request.htmx.target == "run-history":
        template += "#run-history"
    return render(request, template, context)


@require_GET
@teacher_required
def project_status(request: TeacherRequest, project_id: int) -> HttpResponse:
    """The status fragment that the list and the project page poll while a run processes."""
    project = _get_project_for_user(request, project_id)
    if not request.htmx:
        return redirect("projects:detail", project.pk)
    run = selectors.latest_run(project=project)
    if run and run.is_processing:
        run = services.run_refresh(run=run)
    response = render(request, "projects/_status.html", _status_context(project, run))
    if run and not run.is_processing:
        # Polling stops with this answer (no trigger in it); the page refreshes what depends on it.
        trigger_client_event(response, RUNS_CHANGED)
    return response


@require_POST
@teacher_required
def project_rerun(request: TeacherRequest, project_id: int) -> HttpResponse:
    project = _get_project_for_user(request, project_id)
    try:
        run = services.run_submit(project=project)
    except services.RunRefused as refused:
        if request.htmx:
            latest = selectors.latest_run(project=project)
            context = _status_context(project, latest, refusal=str(refused))
            return render(request, "projects/_status.html", context)
        messages.error(request, str(refused))
        return redirect("projects:detail", project.pk)
    if request.htmx:
        response = render(request, "projects/_status.html", _status_context(project, run))
        return trigger_client_event(response, RUNS_CHANGED)
    if run.is_failed:
        messages.error(request, f"Run {run.number} could not be submitted: {run.reason}")
    else:
        messages.success(request, f"Run {run.number} submitted. Earlier runs are kept below.")
    return redirect("projects:detail", project.pk)


@require_http_methods(["GET", "POST"])
@teacher_required
def project_delete(request: TeacherRequest, project_id: int) -> HttpResponse:
    project = _get_project_for_user(request, project_id)
    if request.method == "POST":
        name = project.name
        services.project_delete(project=project)
        messages.success(request, f"The project “{name}” and its results were deleted.")
        return redirect("projects:list")
    return render(
        request,
        "projects/delete.html",
        {"project": project, "run_count": project.runs.count()},
    )


def _chosen_run(project: Project, run_number: int | None) -> ProjectRun | None:
    """The DONE run asked for by number, or the latest DONE run; 404 for a run that isn't there."""
    if run_number is None:
        return selectors.latest_done_run(project=project)
    run = project.runs.filter(number=run_number).first()
    if run is None:
        raise Http404(f"This project has no run {run_number}.")
    return run if run.is_done else None


@require_GET
@teacher_required
def project_export(
    request: TeacherRequest, project_id: int
) -> HttpResponse | StreamingHttpResponse:
    project = _get_project_for_user(request, project_id)
    form = ExploreForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form.problems())
    run = _chosen_run(project, form.cleaned_data["run"])
    if run is None:
        return render(
            request, "projects/not_ready.html", {"project": project, "doing": "export"}, status=409
        )
    filename = f"{slugify(project.name) or 'project'}-run-{run.number}.csv"
    notes = _notes_by_session(run)
    return csv_download(_export_rows(selectors.export_rows(run=run), notes), filename=filename)


def _json_array(statements: Iterator[dict]) -> Iterator[str]:
    """The statements as one JSON array, written as they come: a page at a time in memory."""
    yield "["
    for index, statement in enumerate(statements):
        yield ("," if index else "") + json.dumps(statement)
    yield "]"


@require_GET
@teacher_required
def project_statements(
    request: TeacherRequest, project_id: int
) -> HttpResponse | StreamingHttpResponse:
    """The run as xAPI statements (a JSON download). The platform prepares them first: until it
    is done this answers a page (or, to htmx, its fragment) that checks again by itself."""
    project = _get_project_for_user(request, project_id)
    form = ExploreForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form.problems())
    run = _chosen_run(project, form.cleaned_data["run"])
    if run is None:
        return render(
            request, "projects/not_ready.html", {"project": project, "doing": "export"}, status=409
        )
    context = {"project": project, "run": run, "problem": ""}
    try:
        prepared = services.run_statements(run=run)
    except CollectorError as error:
        log.warning("statements of project %s run %s: %s", project.pk, run.number, error)
        context["problem"] = "The platform could not be reached. Try again in a minute."
        prepared = None
        context["ready"] = False
    else:
        context["ready"] = prepared is None or prepared.status == "DONE"
        context["count"] = prepared.result_count if prepared else 0
    if request.htmx:
        return render(request, "projects/statements.html#preparing", context)
    if not context["ready"] or context["problem"]:
        return render(request, "projects/statements.html", context)
    statements = get_client().iter_statements(prepared.id) if prepared else iter(())
    response = StreamingHttpResponse(_json_array(statements), content_type="application/json")
    filename = f"{slugify(project.name) or 'project'}-run-{run.number}-statements.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # learners' work: no cache keeps it
    return response


EXPORT_HEADER = [
    "real_id", "display_name", "widget", "session", "start", "active_seconds", "sittings",
    "span_seconds", "events", "work_events", "outcome", "score", "maximum", "notes",
]  # fmt: skip


def _notes_by_session(run: ProjectRun) -> dict[tuple[str, str, str], str]:
    """The teachers' notes of the run's sessions, one cell per session: "0:12.3 text | …"."""
    notes: dict[tuple[str, str, str], list[str]] = {}
    for note in notes_for_run(run):
        key = (note.session.learner.real_id, note.session.widget, note.session.session)
        notes.setdefault(key, []).append(f"{format_clock(note.at_ms)} {note.text}")
    return {key: " | ".join(texts) for key, texts in notes.items()}


def _export_rows(rows, notes: dict[tuple[str, str, str], str]) -> Iterator[list]:
    yield EXPORT_HEADER
    zone = timezone.get_current_timezone()
    for row in rows:
        (real_id, name, widget, session, start, active, sittings, span, events, work, outcome,
         score, maximum) = row  # fmt: skip
        moment = datetime.fromtimestamp(start / 1000, tz=UTC).astimezone(zone)
        yield [
            defuse_cell(real_id),
            defuse_cell(name),
            widget,
            defuse_cell(session),
            moment.isoformat(timespec="seconds"),
            f"{active / 1000:.1f}",
            sittings,
            f"{span / 1000:.1f}",
            events,
            work,
            outcome,
            "" if score is None else f"{score:g}",
            "" if maximum is None else f"{maximum:g}",
            defuse_cell(notes.get((real_id, widget, session), "")),
        ]


# --- The explorer ----------------------------------------------------------------------------


@require_GET
@teacher_required
@gzip_page
def explore(request: TeacherRequest, project_id: int) -> HttpResponse:
    project = _get_project_for_user(request, project_id)
    form = ExploreForm(request.GET, widgets=project.widgets)
    if not form.is_valid():
        return _bad_request(request, form.problems())
    run = _chosen_run(project, form.cleaned_data["run"])
    if run is None:
        latest = selectors.latest_run(project=project)
        if latest and latest.is_processing:
            latest = services.run_refresh(run=latest)
        context = _status_context(project, latest, doing="explore")
        return render(request, "projects/not_ready.html", context)
    time_zone = timezone.get_current_timezone_name()
    state = explorer.ExplorerState(
        reverse("projects:explore", args=[project.pk]), form.cleaned_data, run.number
    )
    data = selectors.run_data(project=project, run=run, with_opens=form.cleaned_data["opens"])
    problems = form.check_learners(set(data.labels.index))
    if problems:
        return _bad_request(request, problems)
    shown = state.filters.apply(data, time_zone)
    context = {
        "project": project,
        "run": run,
        "done_runs": list(project.runs.filter(status="DONE").values_list("number", flat=True)),
        "opens_count": run.opens_count,
        "all_lanes": data.lanes,
        "outcome_choices": cast(forms.ChoiceField, ExploreForm.base_fields["outcome"]).choices,
        **explorer.page_context(shown, form.cleaned_data, state, time_zone=time_zone),
    }
    view = state.view_query()
    overview = selectors.overview_version(run=run, data=shown, time_zone=time_zone, view=view)
    figure = reverse("projects:explore_figure", args=[project.pk])
    context["figure_url"] = f"{figure}?{view}&v={overview.digest}"
    if request.htmx and request.htmx.target == "explorer-panel":
        response = render(request, "projects/explore.html#explorer-panel", context)
        return push_url(response, context["state"].link())
    return render(request, "projects/explore.html", context)


@require_GET
@teacher_required
def explore_figure(request: TeacherRequest, project_id: int) -> HttpResponse:
    """The explorer's base figure (every session the view's filters keep) as JSON, for the
    page's script to draw.

    Its own URL, versioned by a digest of what it shows (`?v=`), so the browser fetches it while
    plotly.js loads and keeps it until the run, the filters or its learners' labels change; the
    cache keeps the gzipped bytes, so answering costs no encoding.
    """
    project = _get_project_for_user(request, project_id)
    form = ExploreForm(request.GET, widgets=project.widgets)
    if not form.is_valid():
        return _bad_request(request, form.problems())
    run = _chosen_run(project, form.cleaned_data["run"])
    if run is None:
        raise Http404("This project has no finished run to draw yet.")
    time_zone = timezone.get_current_timezone_name()
    state = explorer.ExplorerState(request.path, form.cleaned_data, run.number)
    data = selectors.run_data(project=project, run=run, with_opens=form.cleaned_data["opens"])
    data = state.filters.apply(data, time_zone)
    overview = selectors.overview_version(
        run=run, data=data, time_zone=time_zone, view=state.view_query()
    )
    etag = f'"{overview.digest}"'
    response: HttpResponse
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        encoded, gzipped = selectors.overview_bytes(
            run=run,
            data=data,
            overview=overview,
            time_zone=time_zone,
            urls={
                "sessionUrl": reverse("projects:session", args=[project.pk, 0]),
                "attemptUrl": reverse("projects:attempt", args=[project.pk, 0]),
            },
        )
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(gzipped, content_type="application/json")
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(encoded, content_type="application/json")
    response["ETag"] = etag
    patch_vary_headers(response, ["Accept-Encoding"])
    current = request.GET.get("v") == overview.digest
    response["Cache-Control"] = (
        "private, max-age=31536000, immutable" if current else "private, no-cache"
    )
    return response


@require_GET
@teacher_required
def explore_csv(request: TeacherRequest, project_id: int) -> HttpResponse | StreamingHttpResponse:
    """The sessions the explorer shows with these filters, as CSV: exactly the chart's marks."""
    project = _get_project_for_user(request, project_id)
    form = ExploreForm(request.GET, widgets=project.widgets)
    if not form.is_valid():
        return _bad_request(request, form.problems())
    run = _chosen_run(project, form.cleaned_data["run"])
    if run is None:
        return render(
            request, "projects/not_ready.html", {"project": project, "doing": "export"}, status=409
        )
    state = explorer.ExplorerState(request.path, form.cleaned_data, run.number)
    data = selectors.run_data(project=project, run=run, with_opens=form.cleaned_data["opens"])
    shown = state.filters.apply(data, timezone.get_current_timezone_name())
    filename = f"{slugify(project.name) or 'project'}-run-{run.number}-shown.csv"
    notes = _notes_by_session(run)
    return csv_download(_export_rows(explorer.export_rows(shown), notes), filename=filename)


@require_GET
@teacher_required
def session_detail(request: TeacherRequest, project_id: int, run_session_id: int) -> HttpResponse:
    """One session of a run: its replay (replay/, docs/replay.md), shown at this URL too, so that
    every link of the explorer lands on it."""
    project = _get_project_for_user(request, project_id)
    session = selectors.session_for(project=project, session_id=run_session_id)
    if session is None:
        raise Http404("This session is not in this project's results (or its learner was deleted).")
    replay = resolve(reverse("replay:session", args=[project.pk, session.pk]))
    return replay.func(request, *replay.args, **replay.kwargs)


@require_GET
@teacher_required
def attempt_detail(request: TeacherRequest, project_id: int, attempt_id: int) -> HttpResponse:
    """One attempt at another activity (xAPI content): its statement timeline
    (replay/attempts.py), shown at this URL too, as a session's replay is at its own."""
    project = _get_project_for_user(request, project_id)
    attempt = selectors.attempt_for(project=project, attempt_id=attempt_id)
    if attempt is None:
        raise Http404("This attempt is not in this project's results (or its learner was deleted).")
    replay = resolve(reverse("replay:attempt", args=[project.pk, attempt.pk]))
    return replay.func(request, *replay.args, **replay.kwargs)
