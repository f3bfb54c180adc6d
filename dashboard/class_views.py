"""Teachers' classes: list and create, the class page (roster, adding learners, the class code,
co-teachers), edit, delete, and moving a learner to another class.

Every view that takes a class id fetches it through `_get_class_for_user`, which 404s for a
teacher who neither owns nor co-teaches it. Pages work without JavaScript; htmx requests to the
learner picker get its fragment.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.formatting import plural
from dashboard import classes, notifications, profiles
from dashboard.access import TeacherRequest, teacher_required
from dashboard.forms import (
    ClassForm,
    ClassLearnersForm,
    ClassMoveForm,
    ClassShareForm,
    LearnerSearchForm,
    NotificationSettingsForm,
)
from dashboard.home import live_now
from dashboard.models import LearnerIdentity, SchoolClass
from projects.feeds import feed_state
from projects.selectors import items_context
from projects.services import run_refresh

PICKER_PAGE_SIZE = 30


def _get_class_for_user(request: TeacherRequest, class_id: int) -> SchoolClass:
    return get_object_or_404(classes.classes_for(user=request.user), pk=class_id)


def _status(form) -> int:
    return 200 if form is None or not form.errors else 400


@require_http_methods(["GET", "POST"])
@teacher_required
def class_list(request: TeacherRequest) -> HttpResponse:
    form = ClassForm(request.POST) if request.method == "POST" else ClassForm()
    if request.method == "POST" and form.is_valid():
        school_class = classes.class_create(owner=request.user, **form.cleaned_data)
        messages.success(
            request,
            f"“{school_class.name}” was created. Add its learners, then share its code "
            f"({school_class.code}) with them.",
        )
        return redirect("dashboard:class_detail", school_class.pk)
    return render(
        request,
        "dashboard/classes/list.html",
        {"classes": classes.classes_for(user=request.user), "form": form},
        status=_status(form),
    )


def _detail_context(request: TeacherRequest, school_class: SchoolClass, **forms) -> dict:
    search = LearnerSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    candidates = LearnerIdentity.objects.exclude(classes=school_class)
    if query:
        candidates = candidates.filter(
            Q(display_name__icontains=query) | Q(real_id__icontains=query)
        )
    page = Paginator(candidates.order_by("display_name", "real_id_key"), PICKER_PAGE_SIZE)
    return {
        "school_class": school_class,
        "roster": school_class.learners.order_by("display_name", "real_id_key"),
        "shared_names": classes.shared_names(school_class=school_class),
        "co_teachers": school_class.co_teachers.all(),
        "other_classes": classes.classes_for(user=request.user).exclude(pk=school_class.pk),
        "is_owner": school_class.owner_id == request.user.pk,
        "query": query,
        "candidates": page.get_page(search.cleaned_data.get("page") if search.is_valid() else 1),
        "edit_form": forms.get("edit_form")
        or ClassForm(
            initial={
                "name": school_class.name,
                "year": school_class.year,
                "subject": school_class.subject,
            }
        ),
        "share_form": forms.get("share_form") or ClassShareForm(),
        "add_form": forms.get("add_form"),
        **_items_context(school_class),
    }


def _items_context(school_class: SchoolClass) -> dict:
    """The item analysis of the class's overview (its latest DONE run), as on a project. While
    its first overview is on its way (the home page asks for it), the panel looks again every
    2 s, and each look imports the run once the platform is done, as the home page's card does."""
    state = feed_state(school_class=school_class)
    gathering = False
    if state.run is None and state.feed is not None:
        latest = state.feed.runs.order_by("-number").first()
        if latest is not None and latest.is_processing:
            run_refresh(run=latest)  # says nothing when the platform cannot be reached: next time
            state = feed_state(school_class=school_class)
            gathering = state.run is None
    run = state.run
    return {
        **items_context(run=run, project=run.project if run else None),
        "items_gathering": gathering,
        "items_refresh_url": reverse("dashboard:class_detail", args=[school_class.pk]),
    }


@require_GET
@teacher_required
def class_detail(request: TeacherRequest, class_id: int) -> HttpResponse:
    school_class = _get_class_for_user(request, class_id)
    context = _detail_context(request, school_class)
    template = "dashboard/classes/detail.html"
    if request.htmx and request.htmx.target == "learner-picker":
        template += "#learner-picker"
    return render(request, template, context)


@require_POST
@teacher_required
def class_edit(request: TeacherRequest, class_id: int) -> HttpResponse:
    school_class = _get_class_for_user(request, class_id)
    form = ClassForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, school_class, edit_form=form)
        return render(request, "dashboard/classes/detail.html", context, status=400)
    classes.class_update(school_class=school_class, **form.cleaned_data)
    messages.success(request, "Saved.")
    return redirect("dashboard:class_detail", school_class.pk)


@require_http_methods(["GET", "POST"])
@teacher_required
def class_delete(request: TeacherRequest, class_id: int) -> HttpResponse:
    school_class = _get_class_for_user(request, class_id)
    if school_class.owner_id != request.user.pk:
        messages.error(request, "Only the teacher who made a class can delete it.")
        return redirect("dashboard:class_detail", school_class.pk)
    if request.method == "POST":
        name = school_class.name
        classes.class_delete(school_class=school_class)
        messages.success(
            request, f"The class “{name}” was deleted. Its learners and their work are kept."
        )
        return redirect("dashboard:class_list")
    return render(request, "dashboard/classes/delete.html", {"school_class": school_class})


@require_POST
@teacher_required
def class_learners_add(request: TeacherRequest, class_id: int) -> HttpResponse:
    school_class = _get_class_for_user(request, class_id)
    form = ClassLearnersForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, school_class, add_form=form)
        return render(request, "dashboard/classes/detail.html", context, status=400)
    added = classes.class_add_learners(
        school_class=school_class, learners=form.cleaned_data["learner"]
    )
    messages.success(request, f"{plural(added, 'learner')} added to {school_class.name}.")
    return redirect("dashboard:class_detail", school_class.pk)


@require_POST
@teacher_required
def class_learner_remove(request: TeacherRequest, class_id: int, learner_id: int) -> HttpResponse:
    school_class = _get_class_for_user(request, class_id)
    learner = get_object_or_404(school_class.learners, pk=learner_id)
    classes.class_remove_learner(school_class=school_class, learner=learner)
    messages.success(
        request,
        f"{learner.display_name} left {school_class.name}. Their identity and work are kept.",
    )
    return redirect("dashboard:class_detail", school_class.pk)


@require_POST
@teacher_required
def class_learner_move(request: TeacherRequest, class_id: int, learner_id: int) -> HttpResponse:
    school_class = _get_class_for_user(request, class_id)
    learner = get_object_or_404(school_class.learners, pk=learner_id)
    form = ClassMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["to"]))
        return redirect("dashboard:class_detail", school_class.pk)
    target = get_object_or_404(classes.classes_for(user=request.user), pk=form.cleaned_data["to"])
    try:
        classes.class_move_learner(learner=learner, source=school_class, target=target)
    except classes.ClassRefused as refused:
        messages.error(request, str(refused))
        return redirect("dashboard:class_detail", school_class.pk)
    messages.success(request, f"{learner.display_name} moved to {target.name}.")
    return redirect("dashboard:class_detail", school_class.pk)


@require_POST
@teacher_required
def class_share(request: TeacherRequest, class_id: int) -> HttpResponse:
    school_class = _get_class_for_user(request, class_id)
    form = ClassShareForm(request.POST)
    if form.is_valid():
        try:
            teacher = classes.class_share(
                school_class=school_class, email=form.cleaned_data["email"]
            )
        except classes.ClassRefused as refused:
            form.add_error("email", str(refused))
        else:
            messages.success(request, f"{teacher.email} now teaches {school_class.name} too.")
            return redirect("dashboard:class_detail", school_class.pk)
    context = _detail_context(request, school_class, share_form=form)
    return render(request, "dashboard/classes/detail.html", context, status=400)


@require_POST
@teacher_required
def class_unshare(request: TeacherRequest, class_id: int, teacher_id: int) -> HttpResponse:
    school_class = _get_class_for_user(request, class_id)
    try:
        email = classes.class_unshare(school_class=school_class, teacher_id=teacher_id)
    except classes.ClassRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{email} no longer has access to {school_class.name}.")
    if not classes.classes_for(user=request.user).filter(pk=school_class.pk).exists():
        return redirect("dashboard:class_list")  # they took themselves off
    return redirect("dashboard:class_detail", school_class.pk)


@require_GET
@teacher_required
def learner_profile(request: TeacherRequest, pk: int) -> HttpResponse:
    """A learner's sessions in the classes this teacher teaches, their flags, their progress."""
    learner = get_object_or_404(LearnerIdentity, pk=pk)  # identities are the school's
    profile = profiles.learner_profile(learner=learner, teacher=request.user)
    return render(request, "dashboard/learners/profile.html", {"profile": profile})


@require_http_methods(["GET", "POST"])
@teacher_required
def notification_settings(request: TeacherRequest) -> HttpResponse:
    settings_row = notifications.notification_settings_for(user=request.user)
    form = NotificationSettingsForm(request.POST or None, instance=settings_row)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved. E-mails go to " + (request.user.email or "—") + ".")
        return redirect("dashboard:notifications")
    return render(
        request,
        "dashboard/notifications.html",
        {"form": form, "email": request.user.email},
        status=400 if form.errors else 200,
    )


LIVE_EVERY_SECONDS = 5


@require_GET
@teacher_required
def class_live(request: TeacherRequest, class_id: int) -> HttpResponse:
    """Who in the class is working right now (an event in the last 2 minutes), and on what:
    one call to the collector, one indexed read of its session rows. Polled by the home page."""
    school_class = _get_class_for_user(request, class_id)
    if not request.htmx:
        return redirect(f"{reverse('dashboard:home')}#class-{school_class.pk}")
    live, problem = live_now(school_class=school_class)
    return render(
        request,
        "dashboard/_live_now.html",
        {"school_class": school_class, "live": live, "problem": problem,
         "every": LIVE_EVERY_SECONDS},
    )  # fmt: skip
