"""Who a launch is, here: LMS users into the vault, LMS courses into classes.

A learner is found by (platform, sub) and made on first launch through dashboard.identities,
the one place where real and opaque ids meet: the real id is the LMS's own id for them
("Moodle:1234"), the display name comes from the name claims. An instructor is a teacher
account found by email, and only when that email is on the whitelist, which stays the one gate
for teachers. A course becomes a class when its first whitelisted instructor launches; the
instructors who launch after them become its co-teachers.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dashboard.access import email_is_whitelisted
from dashboard.classes import class_create, class_ids_for, class_share
from dashboard.identities import learner_create
from dashboard.models import LearnerIdentity, SchoolClass, User, real_id_key
from lti.claims import Launch
from lti.models import LtiContext, LtiUser, Platform
from lti.oidc import LaunchRefused

log = logging.getLogger("pathlens.lti")

NAME_MAX = 150  # LearnerIdentity.display_name and .real_id


def _real_id(platform: Platform, sub: str) -> str:
    real_id = f"{platform.name}:{sub}"
    if len(real_id) > NAME_MAX:
        raise LaunchRefused(
            f"{platform.name} sent a user id longer than Pathlens can keep "
            f"({NAME_MAX} characters with the platform's name).",
            status=400,
        )
    return real_id


def _identity_for(platform: Platform, sub: str, display_name: str) -> LearnerIdentity:
    real_id = _real_id(platform, sub)
    try:
        return learner_create(real_id=real_id, display_name=display_name)
    except ValidationError:
        # The school's list already has this LMS id (imported before the LMS was linked).
        existing = LearnerIdentity.objects.filter(real_id_key=real_id_key(real_id)).first()
        if existing is None:
            raise
        return existing


def lti_learner(*, launch: Launch, platform: Platform) -> tuple[LtiUser, LearnerIdentity]:
    """The launch's learner identity, made on first launch; the display name follows the LMS."""
    if not launch.sub:
        raise LaunchRefused(
            "The LMS launched without saying who the user is (no sub): Pathlens needs it to "
            "keep each learner's work apart.",
            status=400,
        )
    name = launch.display_name[:NAME_MAX] or f"Learner {launch.sub[:12]}"
    with transaction.atomic():
        user, _ = LtiUser.objects.select_for_update().get_or_create(
            platform=platform, sub=launch.sub
        )
        if user.learner is None:
            user.learner = _identity_for(platform, launch.sub, name)
            user.save(update_fields=["learner"])
            log.info("learner identity %s made for an LMS user", user.learner.pk)
        learner = user.learner
        if launch.display_name and learner.display_name != name:
            learner.display_name = name
            learner.save(update_fields=["display_name", "updated_at"])
    return user, learner


def lti_context(*, launch: Launch, platform: Platform) -> LtiContext | None:
    """The course the launch came from (None when the LMS launched outside a course)."""
    context_id = str(launch.context.get("id") or "")
    if not context_id:
        return None
    title = str(launch.context.get("title") or launch.context.get("label") or "")[:255]
    try:
        context, _ = LtiContext.objects.get_or_create(
            platform=platform, context_id=context_id, defaults={"title": title}
        )
    except IntegrityError:  # made by a launch running at the same moment
        context = LtiContext.objects.get(platform=platform, context_id=context_id)
    return context


def context_add_learner(*, context: LtiContext, learner: LearnerIdentity) -> None:
    if context.school_class is not None:
        context.school_class.learners.add(learner)
    else:
        context.learners.add(learner)  # they join the class when an instructor makes it


def lti_teacher(*, launch: Launch) -> User:
    """The instructor's teacher account, made on first launch; refused off the whitelist."""
    email = launch.email
    if not email:
        raise LaunchRefused(
            "The LMS did not send your email address, so Pathlens cannot check that you are on "
            "its teacher list. Ask your LMS administrator to share instructors' emails with "
            "Pathlens.",
        )
    if not email_is_whitelisted(email):
        raise LaunchRefused(
            f"{email} is not on the Pathlens teacher list, so the class stays closed to you. "
            f"Ask {settings.ACCESS_CONTACT} to add your email.",
        )
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is None:
        username = email[:150]
        if User.objects.filter(username=username).exists():  # someone else's name already
            username = f"{email[:140]}-{secrets.token_hex(4)}"
        user = User(
            username=username,
            email=email,
            first_name=str(launch.claims.get("given_name") or "")[:150],
            last_name=str(launch.claims.get("family_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save()
        log.info("teacher account %s made by an LMS launch", user.pk)
    return user


def context_class(*, context: LtiContext, teacher: User) -> SchoolClass:
    """The course's class: made and owned by its first instructor, shared with the next ones."""
    with transaction.atomic():
        context = LtiContext.objects.select_for_update().get(pk=context.pk)
        school_class = context.school_class
        if school_class is None:
            school_class = class_create(owner=teacher, name=(context.title or "LMS course")[:120])
            school_class.learners.add(*context.learners.all())
            context.learners.clear()
            context.school_class = school_class
            context.save(update_fields=["school_class"])
        elif not class_ids_for(user=teacher).filter(pk=school_class.pk).exists():
            class_share(school_class=school_class, email=teacher.email)
    return school_class
