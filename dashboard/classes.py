"""Classes: who teaches them, who is in them, and how learners find theirs.

A class belongs to the teacher who made it and to the co-teachers it is shared with (by email,
so a colleague who has not signed in yet can be added); every read goes through `classes_for`,
so a teacher who is neither gets 404. Learner identities stay school-wide: adding a learner to a
class or taking them out never touches their identity or history.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from dashboard.access import email_is_whitelisted
from dashboard.models import (
    CLASS_CODE_ALPHABET,
    ClassTeacher,
    LearnerIdentity,
    SchoolClass,
    User,
)

log = logging.getLogger("pathlens.classes")


class ClassRefused(Exception):
    """A change to a class that cannot be made; the message says why, for the teacher."""


def class_ids_for(*, user: User) -> QuerySet[SchoolClass, Any]:
    """The ids of the classes this teacher owns or co-teaches, as a subquery."""
    email = (user.email or "").strip()
    shared = Q(co_teachers__email__iexact=email) if email else Q(pk__in=[])
    return SchoolClass.objects.filter(Q(owner_id=user.pk) | shared).values("pk")


def classes_for(*, user: User) -> QuerySet[SchoolClass]:
    """The classes this teacher owns or co-teaches, with their learner counts."""
    ids = class_ids_for(user=user)
    return (
        SchoolClass.objects.filter(pk__in=ids)
        .select_related("owner")
        .annotate(learner_count=Count("learners", distinct=True))
        .order_by("name", "id")
    )


def class_create(*, owner: User, name: str, year: str = "", subject: str = "") -> SchoolClass:
    school_class = SchoolClass.objects.create(
        owner_id=owner.pk, name=name.strip(), year=year.strip(), subject=subject.strip()
    )
    log.info("class %s created", school_class.pk)
    return school_class


def class_update(*, school_class: SchoolClass, name: str, year: str, subject: str) -> SchoolClass:
    school_class.name, school_class.year, school_class.subject = (
        name.strip(),
        year.strip(),
        subject.strip(),
    )
    school_class.save(update_fields=["name", "year", "subject"])
    return school_class


def class_delete(*, school_class: SchoolClass) -> None:
    """Deletes the class; its learners' identities and their history stay."""
    pk = school_class.pk
    school_class.delete()
    log.info("class %s deleted", pk)


def class_add_learners(*, school_class: SchoolClass, learners: Iterable[LearnerIdentity]) -> int:
    """Adds learners (those already in the class are left as they are); returns how many."""
    learners = list(learners)
    ids = [learner.pk for learner in learners]
    already = set(school_class.learners.filter(pk__in=ids).values_list("pk", flat=True))
    new = [learner for learner in learners if learner.pk not in already]
    school_class.learners.add(*new)
    return len(new)


def class_remove_learner(*, school_class: SchoolClass, learner: LearnerIdentity) -> None:
    school_class.learners.remove(learner)


def class_move_learner(
    *, learner: LearnerIdentity, source: SchoolClass, target: SchoolClass
) -> None:
    """Moves a learner from one of the teacher's classes to another, in one transaction."""
    if source.pk == target.pk:
        raise ClassRefused(f"{learner.display_name} is already in {target.name}.")
    with transaction.atomic():
        source.learners.remove(learner)
        target.learners.add(learner)


def class_share(*, school_class: SchoolClass, email: str) -> ClassTeacher:
    """Shares the class with a co-teacher. Only a whitelisted email can be one: the whitelist
    stays the one gate for teachers, and a class must not be shared with someone it keeps out."""
    email = email.strip()
    if school_class.owner.email and school_class.owner.email.lower() == email.lower():
        raise ClassRefused(f"{email} owns this class already.")
    if not email_is_whitelisted(email):
        raise ClassRefused(
            f"{email} is not on the teacher whitelist, so they could not open the class. "
            "Ask your Pathlens administrator to add them first."
        )
    if school_class.co_teachers.filter(email__iexact=email).exists():
        raise ClassRefused(f"{email} already teaches this class.")
    teacher = ClassTeacher.objects.create(school_class=school_class, email=email)
    log.info("class %s shared with a co-teacher", school_class.pk)
    return teacher


def class_unshare(*, school_class: SchoolClass, teacher_id: int) -> str:
    """Stops sharing with one co-teacher; returns their email. 0 rows: already gone."""
    teacher = school_class.co_teachers.filter(pk=teacher_id).first()
    if teacher is None:
        raise ClassRefused("That teacher no longer has access to this class.")
    teacher.delete()
    return teacher.email


# --- Learners finding their class ----------------------------------------------------------


def normalise_code(text: str) -> str:
    """What a child types, as a code: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_looks_valid(code: str) -> bool:
    return bool(code) and len(code) <= 12 and all(ch in CLASS_CODE_ALPHABET for ch in code)


def class_by_code(code: str) -> SchoolClass | None:
    code = normalise_code(code)
    if not code_looks_valid(code):
        return None
    return SchoolClass.objects.filter(code=code).first()


def classes_for_signin() -> QuerySet[SchoolClass]:
    """The classes a learner may pick from: those with learners in them."""
    return (
        SchoolClass.objects.annotate(learner_count=Count("learners"))
        .filter(learner_count__gt=0)
        .order_by("name", "id")
    )


@dataclass(frozen=True)
class NameChoice:
    pk: int
    label: str


def class_name_choices(*, school_class: SchoolClass, query: str = "") -> list[NameChoice]:
    """The class's learners as the sign-in list shows them: display names only, never a real id.

    Two learners of one class with the same display name are numbered ("Sam Lee · 1", "· 2")
    in a stable order; the class page tells the teacher to tell them apart.
    """
    learners = list(school_class.learners.order_by("display_name", "pk"))
    counts = Counter(learner.display_name for learner in learners)
    seen: Counter[str] = Counter()
    choices = []
    for learner in learners:
        name = learner.display_name
        label = name
        if counts[name] > 1:
            seen[name] += 1
            label = f"{name} · {seen[name]}"
        choices.append(NameChoice(learner.pk, label))
    query = " ".join(query.split()).casefold()
    if query:
        choices = [choice for choice in choices if query in choice.label.casefold()]
    return choices


def shared_names(*, school_class: SchoolClass) -> list[str]:
    """Display names that two or more learners of the class share (they must pick by number)."""
    return list(
        school_class.learners.values("display_name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("display_name", flat=True)
    )
