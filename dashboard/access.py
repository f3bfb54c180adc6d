"""Who may see what: teachers (whitelisted or demo) and learners (picked from the list).

A teacher is a signed-in Django user whose email is on the whitelist *now* (checked on every
request, so removing an email ends access at once), or the demo teacher while DEMO_LOGIN is on.
A learner is not a Django user at all: the session holds the id of their LearnerIdentity, so a
learner session can never pass a teacher check.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from core.access import public as public  # the tag lives in core (for /healthz); kept here
from core.requests import HtmxRequest
from dashboard.models import LearnerIdentity, User, WhitelistEntry

log = logging.getLogger("pathlens.access")

LEARNER_SESSION_KEY = "pathlens_learner_id"


class TeacherRequest(HtmxRequest):
    """The request a view behind `teacher_required` gets: its user is a signed-in teacher.

    For the type checker only (the request is Django's own): `request.user` is then our User, not
    `User | AnonymousUser`, and `request.htmx` is django-htmx's."""

    user: User


def email_is_whitelisted(email: str) -> bool:
    email = (email or "").strip().lower()
    if "@" not in email:
        return False
    domain = "@" + email.rpartition("@")[2]
    return WhitelistEntry.objects.filter(Q(value__iexact=email) | Q(value__iexact=domain)).exists()


def is_teacher(user: User | AnonymousUser) -> bool:
    if not (isinstance(user, User) and user.is_active):  # an anonymous visitor is no User
        return False
    if user.is_demo:
        return settings.DEMO_LOGIN
    return email_is_whitelisted(user.email)


def current_learner(request: HttpRequest) -> LearnerIdentity | None:
    learner_pk = request.session.get(LEARNER_SESSION_KEY)
    if learner_pk is None:
        return None
    return LearnerIdentity.objects.filter(pk=learner_pk).first()


def _go_to_signin(request: HtmxRequest) -> HttpResponse:
    if request.htmx:
        # Swapping the sign-in page into a fragment would be confusing: reload the page instead.
        return HttpResponseClientRedirect(reverse("dashboard:signin"))
    return redirect_to_login(request.get_full_path())


# Writing the session on every request would be wasteful; a minute's precision is plenty.
SEEN_WRITE_INTERVAL = 60


def _teacher_session_expired(request: HttpRequest) -> bool:
    """Idle and absolute timeouts for teacher sessions (TEACHER_IDLE_TIMEOUT, …_ABSOLUTE_…)."""
    now = time.time()
    session = request.session
    started = session.setdefault("teacher_since", now)
    seen = session.get("teacher_seen", now)
    if (
        now - seen > settings.TEACHER_IDLE_TIMEOUT
        or now - started > settings.TEACHER_ABSOLUTE_TIMEOUT
    ):
        log.info("teacher session ended by timeout for user id=%s", request.user.pk)
        return True
    if now - seen >= SEEN_WRITE_INTERVAL or "teacher_seen" not in session:
        session["teacher_seen"] = now
    return False


def teacher_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Lets whitelisted teachers through; learners get a 403 page, everyone else the sign-in."""

    @wraps(view)
    def wrapper(request: HtmxRequest, *args, **kwargs) -> HttpResponseBase:
        user = request.user
        if is_teacher(user):
            if _teacher_session_expired(request):
                logout(request)
                messages.info(request, "You were signed out to keep your learners' data safe.")
                return _go_to_signin(request)
            return view(request, *args, **kwargs)
        if user.is_authenticated:
            # Signed in, but no longer (or never) allowed: end the session rather than leave a
            # half-valid one behind.
            log.warning("teacher access refused for user id=%s", user.pk)
            logout(request)
            messages.error(
                request,
                "Your account no longer has access to Pathlens. "
                f"Ask {settings.ACCESS_CONTACT} to add your email to the teacher list.",
            )
            return _go_to_signin(request)
        if current_learner(request) is not None:
            log.info("learner refused a teacher page: %s", request.path)
            return render(request, "dashboard/teachers_only.html", status=403)
        return _go_to_signin(request)

    wrapper.pathlens_access = "teacher"  # type: ignore[attr-defined]
    return wrapper


def learner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Passes the signed-in learner to the view as `learner`; others go to the learner list."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        learner = current_learner(request)
        if learner is None:
            if LEARNER_SESSION_KEY in request.session:
                # The identity was deleted while the learner was signed in.
                request.session.flush()
            return redirect("dashboard:learner_signin")
        return view(request, *args, learner=learner, **kwargs)

    wrapper.pathlens_access = "learner"  # type: ignore[attr-defined]
    return wrapper
