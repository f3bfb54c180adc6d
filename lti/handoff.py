"""From an instructor's launch inside the LMS's frame to their class in a window of its own.

Teacher pages refuse to be framed, and a frame from another site cannot keep our sign-in cookie
(browsers block it there), so an instructor launched inside the LMS's page gets a button that
opens their class in a new window through a one-use link, valid for HANDOFF_MAX_AGE. The link
signs them in there, first-party, after checking the whitelist again.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dashboard.access import is_teacher
from dashboard.models import SchoolClass, User
from lti.models import TeacherHandoff
from lti.oidc import LaunchRefused

HANDOFF_MAX_AGE = timedelta(minutes=2)


def handoff_create(*, user: User, school_class: SchoolClass | None) -> TeacherHandoff:
    TeacherHandoff.objects.filter(created_at__lt=timezone.now() - HANDOFF_MAX_AGE).delete()
    return TeacherHandoff.objects.create(user=user, school_class=school_class)


def handoff_use(*, token: str) -> TeacherHandoff:
    """The hand-off, once; refused when used, too old, or the teacher is off the whitelist."""
    with transaction.atomic():
        handoff = (
            TeacherHandoff.objects.select_for_update(of=("self",))
            .select_related("user", "school_class")
            .filter(token=token, created_at__gte=timezone.now() - HANDOFF_MAX_AGE)
            .first()
        )
        if handoff is None:
            raise LaunchRefused(
                "This link to your class was already used, or is more than two minutes old. "
                "Open Pathlens again from your LMS.",
                status=410,
            )
        handoff.delete()
    if not is_teacher(handoff.user):
        raise LaunchRefused(
            f"{handoff.user.email} is no longer on the Pathlens teacher list.", status=403
        )
    return handoff
