"""The item analysis of a project's run (projects/items.py): its page beside the explorer, and
its CSV. The class page shows the same panel for the class's overview run (dashboard)."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from dashboard.access import TeacherRequest, teacher_required
from dashboard.spreadsheets import csv_download, defuse_cell
from projects import items
from projects.forms import ExploreForm
from projects.selectors import items_context
from projects.views import _bad_request, _chosen_run, _get_project_for_user


@require_GET
@teacher_required
def run_items(request: TeacherRequest, project_id: int) -> HttpResponse:
    project = _get_project_for_user(request, project_id)
    form = ExploreForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form.problems())
    run = _chosen_run(project, form.cleaned_data["run"])
    if run is None:
        return render(request, "projects/not_ready.html", {"project": project, "doing": "explore"})
    context = {"project": project, "run": run, **items_context(run=run, project=project)}
    if request.htmx and request.htmx.target == "items-panel":
        return render(request, "projects/_items.html", context)
    return render(request, "projects/items.html", context)


@require_GET
@teacher_required
def run_items_csv(request: TeacherRequest, project_id: int) -> HttpResponse | StreamingHttpResponse:
    project = _get_project_for_user(request, project_id)
    form = ExploreForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form.problems())
    run = _chosen_run(project, form.cleaned_data["run"])
    if run is None:
        return render(
            request, "projects/not_ready.html", {"project": project, "doing": "export"}, status=409
        )
    # However large the run: a download waits for its analysis rather than answering "later".
    analysis = items.run_items(run=run, queue_if_large=False) or items.run_items_load(run=run)
    rows = items.items_csv_rows(analysis, items.learner_names(analysis))
    filename = f"{slugify(project.name) or 'project'}-run-{run.number}-items.csv"
    return csv_download(
        ([defuse_cell(c) if isinstance(c, str) else c for c in row] for row in rows),
        filename=filename,
    )
