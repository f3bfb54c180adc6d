"""The tool's endpoints an LMS calls (keyset, login, launch) and the pages a launch shows.

Launch pages are shown inside the LMS's page, in a frame from another site: they may be framed
by the registered platforms (and by nobody else), the LMS's posts carry no CSRF token (the
signed id_token, the one-use state and its cookie are the proof), and the widget page they show
needs no cookie at all (its learner token travels in the page).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collector.client import CollectorError
from dashboard.access import LEARNER_SESSION_KEY, public, teacher_required
from dashboard.classes import classes_for
from dashboard.launch import widget_open
from dashboard.models import User
from lti import claims as c
from lti import deeplinking, links, oidc, people
from lti.claims import Launch
from lti.cookies import state_cookie_delete, state_cookie_set
from lti.handoff import handoff_create, handoff_use
from lti.keys import tool_jwks
from lti.models import Platform
from lti.oidc import LaunchRefused
from lti.passback import passback_expect
from widgets.registry import all_widgets, get_widget

log = logging.getLogger("pathlens.lti")

STATE_COOKIE_AGE = int(oidc.LOGIN_MAX_AGE.total_seconds())


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _platform_origins(platforms) -> list[str]:
    origins = set()
    for platform in platforms:
        origins.update({_origin(platform.issuer), _origin(platform.auth_login_url)})
    return sorted(origins)


def _framed_by(
    response: HttpResponse, platforms, *, form_action: Sequence[str] = ()
) -> HttpResponse:
    """Lets the platforms frame this response; `form_action` adds where its forms may post."""
    origins = _platform_origins(platforms)
    policy = {**settings.SECURE_CSP, "frame-ancestors": origins or ["'none'"]}
    if form_action:
        policy["form-action"] = [*cast(list[str], settings.SECURE_CSP["form-action"]), *form_action]
    # Django's CSP middleware takes a response's own policy from this attribute.
    response._csp_config = policy  # type: ignore[attr-defined]
    return response


def _refused(request: HttpRequest, refusal: LaunchRefused) -> HttpResponse:
    log.info("LTI launch refused (%s): %s", refusal.status, refusal)
    retry = f"{reverse('lti:login')}?{refusal.retry_query}" if refusal.retry_query else ""
    response = render(
        request,
        "lti/refused.html",
        {"reason": str(refusal), "retry_url": retry},
        status=refusal.status,
    )
    return _framed_by(response, Platform.objects.all())


@require_GET
@public
def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys, for the LMS to check what Pathlens signs."""
    return JsonResponse(tool_jwks())


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
@public
def login_initiation(request: HttpRequest) -> HttpResponse:
    """OIDC login initiation (third-party initiated login): on to the LMS's authentication URL."""
    params = {key: str(value) for key, value in (request.POST or request.GET).items()}
    try:
        state, url = oidc.login_start(
            params=params, launch_url=request.build_absolute_uri(reverse("lti:launch"))
        )
    except LaunchRefused as refusal:
        return _refused(request, refusal)
    response = redirect(url)
    state_cookie_set(response, oidc.state_cookie_name(state.state), STATE_COOKIE_AGE)
    return response


@csrf_exempt
@xframe_options_exempt
@require_POST
@public
def launch(request: HttpRequest) -> HttpResponse:
    """The LMS posts the signed id_token here: a widget, a class, or the content picker."""
    state = request.POST.get("state", "")
    try:
        checked = oidc.launch_check(
            id_token=request.POST.get("id_token", ""),
            state=state,
            cookie_states={name for name in request.COOKIES if name.startswith("lti-state-")},
        )
        platform = Platform.objects.get(pk=checked.platform_id)
        if checked.message_type == c.DEEP_LINKING_REQUEST:
            response = _content_picker(request, checked, platform)
        elif checked.is_instructor:
            response = _instructor_launch(request, checked, platform)
        else:
            response = _learner_launch(request, checked, platform)
    except LaunchRefused as refusal:
        response = _refused(request, refusal)
    if state:
        state_cookie_delete(response, oidc.state_cookie_name(state))
    return response


def _learner_launch(request: HttpRequest, launch: Launch, platform: Platform) -> HttpResponse:
    """Straight into the widget, signed in as the LMS's learner (a learner session, rotated)."""
    context = people.lti_context(launch=launch, platform=platform)
    link = links.resource_link_record(launch=launch, platform=platform, context=context)
    widget = links.link_widget(link)
    lti_user, learner = people.lti_learner(launch=launch, platform=platform)
    if context is not None:
        people.context_add_learner(context=context, learner=learner)
    request.session.flush()  # ends any earlier session, teacher or learner; new key
    request.session[LEARNER_SESSION_KEY] = learner.pk
    try:
        config = widget_open(learner=learner, widget=widget)
    except CollectorError as error:
        log.error("widget %s could not open: collector answered %s", widget.id, error.status)
        response = render(
            request, "dashboard/widget_unavailable.html", {"widget": widget}, status=503
        )
        return _framed_by(response, [platform])
    passback_expect(link=link, learner=learner, lti_user=lti_user, session=config["session"])
    log.info("learner launch of %s from platform %s", widget.id, platform.pk)
    # Inside the LMS, the LMS is the way around: no links to our learner pages or sign-out,
    # which the frame could not use anyway (its cookies are blocked there).
    response = render(
        request,
        "dashboard/widget_page.html",
        {"widget": widget, "config": config, "in_lms": True, "current_learner": None},
    )
    return _framed_by(response, [platform])


def _instructor_launch(request: HttpRequest, launch: Launch, platform: Platform) -> HttpResponse:
    """To the course's class page, if the instructor's email is whitelisted. Inside the LMS's
    frame, a button opens it in a window of its own (lti/handoff.py)."""
    teacher = people.lti_teacher(launch=launch)
    context = people.lti_context(launch=launch, platform=platform)
    if launch.resource_link.get("id"):
        links.resource_link_record(launch=launch, platform=platform, context=context)
    school_class = people.context_class(context=context, teacher=teacher) if context else None
    log.info("instructor launch from platform %s", platform.pk)
    if request.headers.get("Sec-Fetch-Dest") == "iframe":
        handoff = handoff_create(user=teacher, school_class=school_class)
        response = render(
            request, "lti/instructor_handoff.html", {"handoff": handoff, "class": school_class}
        )
        return _framed_by(response, [platform])
    return _teacher_signin(request, teacher, school_class)


def _teacher_signin(request: HttpRequest, teacher, school_class) -> HttpResponse:
    request.session.flush()  # ends any learner session; login() gives a new key
    login(request, teacher, backend="django.contrib.auth.backends.ModelBackend")
    if school_class is None:
        return redirect("dashboard:home")
    return redirect("dashboard:class_detail", school_class.pk)


@require_GET
@public
def teacher_handoff(request: HttpRequest, token: str) -> HttpResponse:
    """The instructor's one-use link out of the LMS's frame: signed in, on their class."""
    try:
        handoff = handoff_use(token=token)
    except LaunchRefused as refusal:
        return _refused(request, refusal)
    return _teacher_signin(request, handoff.user, handoff.school_class)


def _content_picker(request: HttpRequest, launch: Launch, platform: Platform) -> HttpResponse:
    """Deep linking: the instructor (whitelisted, like every teacher) picks a widget."""
    people.lti_teacher(launch=launch)
    pick = deeplinking.deep_link_request_create(launch=launch, platform=platform)
    response = render(request, "lti/content_picker.html", {"pick": pick, "widgets": all_widgets()})
    return _framed_by(response, [platform])


@csrf_exempt  # posted from inside the LMS's frame; the one-use pick id is the proof
@xframe_options_exempt
@require_POST
@public
def deep_link(request: HttpRequest, pick_id: str) -> HttpResponse:
    """The picked widget, sent back to the LMS as a signed deep-linking response."""
    try:
        widget = get_widget(request.POST.get("widget", ""))
        if widget is None:
            raise LaunchRefused("Pick one of the activities in the list.", status=400)
        pick = deeplinking.deep_link_request_use(request_id=pick_id)
    except LaunchRefused as refusal:
        return _refused(request, refusal)
    jwt = deeplinking.deep_link_response(
        request=pick,
        widget=widget,
        launch_url=request.build_absolute_uri(reverse("lti:launch")),
    )
    response = render(
        request,
        "lti/deep_link_return.html",
        {"return_url": pick.return_url, "jwt": jwt, "widget": widget},
    )
    return _framed_by(response, [pick.platform], form_action=[_origin(pick.return_url)])


@require_POST
@teacher_required
def class_passback(request: HttpRequest, class_id: int) -> HttpResponse:
    """Turns grade passback to the LMS on or off for one class."""
    teacher = cast(User, request.user)  # teacher_required let only a teacher through
    school_class = get_object_or_404(classes_for(user=teacher), pk=class_id)
    school_class.lti_passback = request.POST.get("passback") == "on"
    school_class.save(update_fields=["lti_passback"])
    return redirect("dashboard:class_detail", school_class.pk)
