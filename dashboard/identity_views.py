"""Teachers manage learner identities: list, add, edit, import, export, rotate, delete.

Every page works without JavaScript; with htmx, the list's search and pages and the add and edit
forms update in place. All reading and writing of the real-id ↔ opaque-id mapping goes through
dashboard.identities.
"""

from __future__ import annotations

import logging
import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from collector.client import CollectorError
from core.formatting import plural
from dashboard import identities
from dashboard.access import TeacherRequest, teacher_required
from dashboard.forms import (
    LearnerDeleteForm,
    LearnerForm,
    LearnerImportConfirmForm,
    LearnerImportForm,
    LearnerRotateForm,
    LearnerSearchForm,
)
from dashboard.models import LearnerIdentity
from dashboard.spreadsheets import csv_download

log = logging.getLogger("pathlens.identities")

PAGE_SIZE = 50
PREVIEW_ROWS = 100
PROBLEMS_SHOWN = 200
IMPORT_SESSION_KEY = "pathlens_learner_import"


def _get_learner(pk: int) -> LearnerIdentity:
    # Identities belong to the school, not to one teacher: every teacher may manage each one.
    return get_object_or_404(LearnerIdentity, pk=pk)


def _go(request: TeacherRequest, url: str) -> HttpResponse:
    """After a write: a plain POST redirects; an htmx POST asks htmx for a full page load."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _invalid_status(request: TeacherRequest) -> int:
    """400 for a refused form; 422 when htmx asked, which the page swaps in (see _script.html).

    htmx leaves 4xx answers out by default, and django-htmx's debug script replaces the whole
    page with any 400, taking it for a crash; 422 is the form-errors status both let through.
    """
    return 422 if request.htmx else 400


def _focus(form: LearnerForm, fallback: str = "") -> str:
    """The field to put the cursor in: the first one with an error, else `fallback`."""
    return next((name for name in form.fields if name in form.errors), fallback)


def _session_counts(learners: list[LearnerIdentity]) -> tuple[dict[int, int], str]:
    """Sessions per learner pk, or no counts and the collector's reason."""
    try:
        return identities.learners_session_counts(learners=learners), ""
    except CollectorError as error:
        log.warning("session counts unavailable: collector answered %s", error.status)
        return {}, error.message


@require_GET
@teacher_required
def learners(request: TeacherRequest) -> HttpResponse:
    search = LearnerSearchForm(request.GET)
    if not search.is_valid():
        return render(request, "dashboard/bad_request.html", {"form": search}, status=400)
    query = search.cleaned_data["q"]
    page = Paginator(identities.learners_search(query=query), PAGE_SIZE).get_page(
        search.cleaned_data["page"]
    )
    learners_on_page = list(page.object_list)
    counts, counts_problem = _session_counts(learners_on_page)
    context = {
        "page": page,
        "query": query,
        "rows": [(learner, counts.get(learner.pk)) for learner in learners_on_page],
        "counts_problem": counts_problem,
        "total": LearnerIdentity.objects.count(),
    }
    template = "dashboard/learners/list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#learner-table"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
@teacher_required
def learners_new(request: TeacherRequest) -> HttpResponse:
    form = LearnerForm(request.POST if request.method == "POST" else None)
    created = None
    if form.is_valid():
        try:
            created = identities.learner_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(
                    request, f"Added {created.display_name} ({created.real_id}). Add another?"
                )
                return redirect("dashboard:learners_new")
            form = LearnerForm()  # an empty form, ready for the next learner
    template = "dashboard/learners/new.html"
    if request.htmx and request.method == "POST":
        template += "#learner-form"
    return render(
        request,
        template,
        {"form": form, "created": created, "focus": _focus(form, "real_id")},
        status=_invalid_status(request) if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@teacher_required
def learners_edit(request: TeacherRequest, pk: int) -> HttpResponse:
    learner = _get_learner(pk)
    saved = False
    if request.method == "POST":
        form = LearnerForm(request.POST)
        if form.is_valid():
            try:
                identities.learner_update(learner=learner, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if not request.htmx:
                    messages.success(request, f"Saved {learner.display_name}.")
                    return redirect("dashboard:learners_edit", pk=learner.pk)
                saved = True
                form = LearnerForm(
                    initial={"real_id": learner.real_id, "display_name": learner.display_name}
                )
        learner.refresh_from_db()  # show what is stored, not what was refused
    else:
        form = LearnerForm(
            initial={"real_id": learner.real_id, "display_name": learner.display_name}
        )
    template = "dashboard/learners/edit.html"
    context = {"learner": learner, "form": form, "saved": saved, "focus": _focus(form)}
    if request.htmx and request.method == "POST":
        template += "#learner-form"
    else:
        counts, context["counts_problem"] = _session_counts([learner])
        context["sessions"] = counts.get(learner.pk)
    return render(
        request, template, context, status=_invalid_status(request) if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@teacher_required
def learners_rotate(request: TeacherRequest, pk: int) -> HttpResponse:
    learner = _get_learner(pk)
    form = LearnerRotateForm(request.POST if request.method == "POST" else None)
    problem = ""
    if form.is_valid():
        move = form.cleaned_data["move_events"]
        try:
            rotation = identities.learner_rotate(learner=learner, move_events=move)
        except CollectorError as error:
            log.warning("rotation refused: collector answered %s", error.status)
            problem = error.message
        else:
            if rotation.events_moved is None:
                events = (
                    f"Earlier events stay under the old opaque id {rotation.old_opaque_id}, "
                    "which is no longer linked to this learner."
                )
            else:
                events = (
                    f"{plural(rotation.events_moved, 'earlier event')} moved to the new opaque id."
                )
            messages.success(
                request,
                f"{learner.display_name} has a new opaque id. Their old learner tokens are "
                f"revoked. {events}",
            )
            return _go(request, reverse("dashboard:learners_edit", args=[learner.pk]))
    return _learner_action_page(request, "dashboard/learners/rotate.html", learner, form, problem)


def _learner_action_page(
    request: HttpRequest, template: str, learner: LearnerIdentity, form: forms.Form, problem: str
) -> HttpResponse:
    """A page that asks before acting on a learner (new opaque id, deletion), with the number of
    sessions at stake: 502 when the collector refused, 400 for a bad form."""
    counts, counts_problem = _session_counts([learner])
    return render(
        request,
        template,
        {
            "learner": learner,
            "form": form,
            "problem": problem,
            "sessions": counts.get(learner.pk),
            "counts_problem": counts_problem,
        },
        status=502 if problem else 400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@teacher_required
def learners_delete(request: TeacherRequest, pk: int) -> HttpResponse:
    learner = _get_learner(pk)
    form = LearnerDeleteForm(request.POST if request.method == "POST" else None)
    problem = ""
    if form.is_valid():
        erase = form.cleaned_data["events"] == "erase"
        try:
            deletion = identities.learner_delete(learner=learner, erase_events=erase)
        except CollectorError as error:
            log.warning("deletion refused: collector answered %s", error.status)
            problem = error.message
        else:
            if erase:
                outcome = (
                    f"Their {plural(deletion.events_erased or 0, 'event')} in "
                    f"{plural(deletion.sessions_erased or 0, 'session')} were erased."
                )
            else:
                outcome = "Their pseudonymous events were kept; nothing links them to a person now."
            messages.success(request, f"Deleted {deletion.display_name}. {outcome}")
            return _go(request, reverse("dashboard:learners"))
    return _learner_action_page(request, "dashboard/learners/delete.html", learner, form, problem)


@require_GET
@teacher_required
def learners_export(request: TeacherRequest) -> StreamingHttpResponse:
    rows = identities.learners_export_rows(exported_by=request.user)
    stamp = timezone.localdate().isoformat()
    return csv_download(rows, filename=f"pathlens-learners-{stamp}.csv")


def _import_page(
    request: HttpRequest,
    form: LearnerImportForm,
    problems: list[identities.ImportProblem] | None = None,
    *,
    after_preview: bool = False,
    status: int = 200,
) -> HttpResponse:
    problems = problems or []
    return render(
        request,
        "dashboard/learners/import.html",
        {
            "form": form,
            "problems": problems[:PROBLEMS_SHOWN],
            "more_problems": max(0, len(problems) - PROBLEMS_SHOWN),
            "problem_count": len(problems),
            "after_preview": after_preview,
            "max_mb": identities.IMPORT_MAX_BYTES // 1024 // 1024,
            "max_rows": f"{identities.IMPORT_MAX_ROWS:,}",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@teacher_required
def learners_import(request: TeacherRequest) -> HttpResponse:
    max_bytes = identities.IMPORT_MAX_BYTES
    if request.method == "GET":
        return _import_page(request, LearnerImportForm(max_bytes=max_bytes))
    form = LearnerImportForm(request.POST, request.FILES, max_bytes=max_bytes)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        rows = identities.learners_import_read(content=upload.read())
    except identities.ImportRefused as refused:
        return _import_page(request, form, refused.problems, status=400)
    # The checked rows wait on the server for the confirmation; the browser only sends back
    # which preview it confirms, so nothing it sends is imported unchecked.
    request.session[IMPORT_SESSION_KEY] = {
        "preview": secrets.token_hex(16),
        "filename": upload.name[:200],
        "rows": [[row.line, row.real_id, row.display_name, row.class_name] for row in rows],
    }
    return redirect("dashboard:learners_import_preview")


def _class_of(row: list) -> str:
    # Previews waiting from before the class column have three values per row.
    return row[3] if len(row) > 3 else ""


def _waiting_import(request: HttpRequest) -> dict | None:
    waiting = request.session.get(IMPORT_SESSION_KEY)
    return waiting if isinstance(waiting, dict) and waiting.get("rows") else None


@require_http_methods(["GET", "POST"])
@teacher_required
def learners_import_preview(request: TeacherRequest) -> HttpResponse:
    waiting = _waiting_import(request)
    if request.method == "POST":
        form = LearnerImportConfirmForm(request.POST)
        if not form.is_valid():
            return render(request, "dashboard/bad_request.html", {"form": form}, status=400)
        if form.cleaned_data["action"] == "cancel":
            request.session.pop(IMPORT_SESSION_KEY, None)
            messages.info(request, "Import cancelled. Nothing was added.")
            return redirect("dashboard:learners_import")
        if waiting is None or not secrets.compare_digest(
            waiting["preview"], form.cleaned_data["preview"]
        ):
            messages.error(
                request,
                "This preview is out of date: another file was uploaded since, or it was "
                "imported already. Nothing was added; check the list, or upload the file again.",
            )
            return redirect("dashboard:learners_import")
        rows = [
            identities.ImportRow(
                line=row[0], real_id=row[1], display_name=row[2], class_name=_class_of(row)
            )
            for row in waiting["rows"]
        ]
        request.session.pop(IMPORT_SESSION_KEY, None)
        try:
            created = identities.learners_import(rows=rows, teacher=request.user)
        except identities.ImportRefused as refused:
            return _import_page(
                request,
                LearnerImportForm(max_bytes=identities.IMPORT_MAX_BYTES),
                refused.problems,
                after_preview=True,
                status=409,
            )
        messages.success(
            request,
            f"Imported {plural(created, 'learner')} from {waiting['filename']}, "
            "each with a new opaque id.",
        )
        return redirect("dashboard:learners")

    if waiting is None:
        messages.info(request, "There is no import waiting for confirmation. Upload a file first.")
        return redirect("dashboard:learners_import")
    rows = waiting["rows"]
    return render(
        request,
        "dashboard/learners/import_preview.html",
        {
            "with_classes": any(_class_of(row) for row in rows),
            "preview": waiting["preview"],
            "filename": waiting["filename"],
            "count": len(rows),
            "rows": rows[:PREVIEW_ROWS],
            "more_rows": max(0, len(rows) - PREVIEW_ROWS),
        },
    )
