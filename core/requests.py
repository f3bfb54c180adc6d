"""What the type checker knows of a request after our middleware ran.

django-htmx's middleware sets `request.htmx` on every request; Django's own HttpRequest does not
declare it. Views annotate their request with these classes (a cast for the checker only: at run
time the request is Django's own). Views behind `teacher_required` use
`dashboard.access.TeacherRequest`, which also knows that `request.user` is a signed-in teacher.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx's middleware on every request
