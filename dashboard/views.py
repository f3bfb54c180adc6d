"""Sign-in (Google, demo, learner pick), sign-out, and the teacher and learner home pages."""

from __future__ import annotations

import logging
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collector.client import CollectorError
from core.requests import HtmxRequest
from dashboard import classes, selectors
from dashboard import home as home_reads
from dashboard.access import (
    LEARNER_SESSION_KEY,
    TeacherRequest,
    current_learner,
    is_teacher,
    learner_required,
    public,
    teacher_required,
)
from dashboard.demo.teacher import demo_teacher
from dashboard.forms import ClassCodeForm, GridSortForm, LearnerPickForm, LearnerSearchForm
from dashboard.launch import widget_open
from dashboard.models import LearnerIdentity
from projects import feeds
from widgets.registry import get_widget

log = logging.getLogger("pathlens.access")


@require_GET
@public
def signin(request: HttpRequest) -> HttpResponse:
    if is_teacher(request.user):
        return redirect("dashboard:home")
    if current_learner(request) is not None:
        return redirect("dashboard:learner_home")
    return render(
        request,
        "dashboard/signin.html",
        {
            "google_enabled": settings.GOOGLE_LOGIN_ENABLED,
            "demo_enabled": settings.DEMO_LOGIN,
            "learner_pick_enabled": settings.LEARNER_PICK_SIGNIN,
            "next": request.GET.get("next", ""),
        },
    )


@require_GET
@public
def signin_denied(request: HttpRequest) -> HttpResponse:
    refused_email = ""
    for message in messages.get_messages(request):
        if "refused-email" in message.tags:
            refused_email = str(message)
    return render(
        request,
        "dashboard/signin_denied.html",
        {"refused_email": refused_email, "contact": settings.ACCESS_CONTACT},
        status=403,
    )


@require_POST
@public
def demo_signin(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO_LOGIN:
        return render(request, "dashboard/demo_off.html", status=404)
    teacher = demo_teacher()
    if not teacher.is_demo:
        # Someone else holds the name; never hand a real account to the demo button.
        log.error("demo sign-in refused: the demo-teacher username belongs to a real account")
        return render(request, "dashboard/demo_off.html", status=409)
    request.session.pop(LEARNER_SESSION_KEY, None)
    login(request, teacher, backend="django.contrib.auth.backends.ModelBackend")
    log.info("demo teacher signed in")
    return redirect("dashboard:home")


@require_GET
@public
def learner_signin(request: HttpRequest) -> HttpResponse:
    """Step one for a learner: find the class, by its code or by picking it from the list."""
    if not settings.LEARNER_PICK_SIGNIN:
        return render(request, "dashboard/learner_pick_off.html", status=404)
    form = ClassCodeForm(request.GET)
    code = form.cleaned_data["code"] if form.is_valid() else ""
    if code:
        school_class = classes.class_by_code(code)
        if school_class is not None:
            return redirect("dashboard:learner_signin_class", school_class.code)
        form.add_error(
            "code", f"No class has the code “{code}”. Check the board, or ask your teacher."
        )
    return render(
        request,
        "dashboard/learner_signin.html",
        {"form": form, "classes": classes.classes_for_signin()},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@public
def learner_signin_class(request: HtmxRequest, code: str) -> HttpResponse:
    """Step two: the learner picks their name among their class's learners (names only)."""
    if not settings.LEARNER_PICK_SIGNIN:
        return render(request, "dashboard/learner_pick_off.html", status=404)
    school_class = classes.class_by_code(code)
    if school_class is None:
        raise Http404("No class has this code.")
    form = LearnerPickForm(request.POST if request.method == "POST" else None)
    cast(forms.ModelChoiceField, form.fields["learner"]).queryset = school_class.learners.all()
    if request.method == "POST" and form.is_valid():
        learner: LearnerIdentity = form.cleaned_data["learner"]
        # flush() ends any teacher session and gives a new session key (no fixation).
        request.session.flush()
        request.session[LEARNER_SESSION_KEY] = learner.pk
        log.info("learner signed in by pick")
        return redirect("dashboard:learner_home")
    search = LearnerSearchForm(request.GET)
    if not search.is_valid():
        return render(request, "dashboard/bad_request.html", {"form": search}, status=400)
    query = search.cleaned_data["q"]
    context = {
        "school_class": school_class,
        "choices": classes.class_name_choices(school_class=school_class, query=query),
        "query": query,
        "form": form,
    }
    template = "dashboard/learner_signin_class.html"
    if request.htmx and request.method == "GET":
        template += "#learner-choices"
    return render(request, template, context, status=400 if form.errors else 200)


@require_POST
@public
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session: teacher and learner alike
    messages.success(request, "You are signed out.")
    return redirect("dashboard:signin")


@require_GET
@teacher_required
def home(request: TeacherRequest) -> HttpResponse:
    """Today's classes: each class's progress grid, who needs attention and why."""
    form = GridSortForm(request.GET)
    if not form.is_valid():
        return render(request, "dashboard/bad_request.html", {"form": form}, status=400)
    sort = form.cleaned_data["sort"]
    overviews = []
    for school_class in classes.classes_for(user=request.user):
        state = feeds.feed_state(school_class=school_class)
        if state.feed is None and feeds.feed_refresh(school_class=school_class):
            state = feeds.feed_state(school_class=school_class)  # a new class's first overview
        overviews.append(
            home_reads.class_overview(school_class=school_class, sort=sort, state=state)
        )
    return render(
        request,
        "dashboard/home.html",
        {"overviews": overviews, "sort": sort, "learner_count": LearnerIdentity.objects.count()},
    )


@require_http_methods(["GET", "POST"])
@teacher_required
def class_overview(request: TeacherRequest, class_id: int) -> HttpResponse:
    """One class's card on the home page: polled while its overview refreshes; POST refreshes."""
    school_class = get_object_or_404(classes.classes_for(user=request.user), pk=class_id)
    if request.method == "POST":
        feeds.feed_refresh(school_class=school_class, force=True)
    if not request.htmx:
        return redirect(f"{reverse('dashboard:home')}#class-{school_class.pk}")
    form = GridSortForm(request.GET)
    sort = form.cleaned_data["sort"] if form.is_valid() else "name"
    overview = home_reads.class_overview(school_class=school_class, sort=sort)
    return render(request, "dashboard/_class_overview.html", {"overview": overview, "sort": sort})


@require_GET
@learner_required
def learner_home(request: HttpRequest, learner: LearnerIdentity) -> HttpResponse:
    return render(
        request,
        "dashboard/learner_home.html",
        {"learner": learner, "cards": selectors.learner_widget_cards(learner=learner)},
    )


@require_GET
@learner_required
def widget_page(request: HttpRequest, widget_id: str, learner: LearnerIdentity) -> HttpResponse:
    widget = get_widget(widget_id)
    if widget is None:
        raise Http404("No such activity.")
    try:
        config = widget_open(learner=learner, widget=widget)
    except CollectorError as error:
        log.error("widget %s could not open: collector answered %s", widget.id, error.status)
        return render(request, "dashboard/widget_unavailable.html", {"widget": widget}, status=503)
    return render(request, "dashboard/widget_page.html", {"widget": widget, "config": config})
