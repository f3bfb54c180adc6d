"""School-side records: teachers' accounts, the teacher whitelist and learner identities.

Learner identities are the only place where a real learner id sits next to its opaque id;
everything sent to the collector carries the opaque id alone (see dashboard/identities.py).
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A person who signs in to the dashboard: a teacher, an admin, or the demo teacher."""

    is_demo = models.BooleanField(
        default=False,
        help_text="The shared demo teacher. It has access only while DEMO_LOGIN is on.",
    )


def normalize_whitelist_value(value: str) -> str:
    """Lower-cases an email or an "@domain" entry and checks its shape."""
    value = value.strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or not domain or "." not in domain or " " in value or "@" in local:
        raise ValidationError(
            f"“{value}” is neither an email address (ada@school.org) "
            "nor a whole domain (@school.org)."
        )
    return value


class WhitelistEntry(models.Model):
    """One email address, or one whole domain written as "@school.org", allowed to sign in."""

    value = models.CharField(
        "email or @domain",
        max_length=254,
        unique=True,
        help_text="An email (ada@school.org) or a whole domain (@school.org); case is ignored.",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "whitelisted teacher email or domain"
        verbose_name_plural = "teacher whitelist"
        ordering = ["value"]
        constraints = [
            models.UniqueConstraint(Lower("value"), name="whitelist_value_case_insensitive"),
        ]

    def __str__(self) -> str:
        return self.value

    def clean(self) -> None:
        self.value = normalize_whitelist_value(self.value)

    @property
    def is_domain(self) -> bool:
        return self.value.startswith("@")


def new_opaque_id() -> str:
    """128 random bits, hex: unguessable and never derived from the real id."""
    return secrets.token_hex(16)


def real_id_key(real_id: str) -> str:
    """The form under which real ids must be unique: trimmed and case-folded."""
    return " ".join(real_id.split()).casefold()


class LearnerIdentity(models.Model):
    """Maps a learner's real id (school side only) to the opaque id the platform sees."""

    real_id = models.CharField(max_length=150)
    real_id_key = models.CharField(max_length=150, unique=True, editable=False)
    display_name = models.CharField(max_length=150)
    opaque_id = models.CharField(max_length=64, unique=True, default=new_opaque_id, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "real_id_key"]
        verbose_name_plural = "learner identities"

    def __str__(self) -> str:
        return f"{self.display_name} ({self.real_id})"


class WidgetOpening(models.Model):
    """A learner opening a widget: which session the page recorded into.

    `resume` widgets continue the learner's latest session of that widget; `per_open` widgets
    start a new one each time. Session ids are random and carry nothing about the learner.
    """

    learner = models.ForeignKey(LearnerIdentity, on_delete=models.CASCADE, related_name="openings")
    widget = models.CharField(max_length=64)
    session = models.CharField(max_length=128)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["learner", "widget", "-opened_at"], name="opening_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.widget} {self.session}"


# Letters and digits a child reads without confusing them (no 0/O, 1/I/L, 5/S, 2/Z).
CLASS_CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
CLASS_CODE_LENGTH = 6


def new_class_code() -> str:
    """A short code a teacher writes on the board; learners type it to find their class."""
    return "".join(secrets.choice(CLASS_CODE_ALPHABET) for _ in range(CLASS_CODE_LENGTH))


class SchoolClass(models.Model):
    """A teacher's class: a group of learner identities, shared with co-teachers.

    Identities stay school-wide: a learner may be in several classes, and leaving a class keeps
    the identity and its history. The class's teachers are its owner and the co-teachers listed
    by email (`ClassTeacher`), whose access is checked against the whitelist like any teacher's.
    """

    name = models.CharField(max_length=120)
    year = models.CharField(max_length=40, blank=True, help_text="e.g. Year 7, or 2026–27.")
    subject = models.CharField(max_length=80, blank=True)
    code = models.CharField(max_length=12, unique=True, default=new_class_code, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="owned_classes")
    learners = models.ManyToManyField(LearnerIdentity, related_name="classes", blank=True)
    lti_passback = models.BooleanField(
        "send scores to the LMS",
        default=True,
        help_text="For a class made by an LMS launch: completed scores go to its gradebook.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "class"
        verbose_name_plural = "classes"

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name with its year and subject, as teachers and learners see it in lists."""
        extra = " · ".join(part for part in (self.year, self.subject) if part)
        return f"{self.name} ({extra})" if extra else self.name


class ClassTeacher(models.Model):
    """A co-teacher of a class, by email: they may not have signed in to Pathlens yet."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="co_teachers"
    )
    email = models.EmailField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                "school_class", Lower("email"), name="class_teacher_email_once"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class NotificationSettings(models.Model):
    """What a teacher asked to be e-mailed about (nothing, until they say so)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notifications")
    run_done = models.BooleanField(
        default=False, help_text="E-mail me when a run of one of my projects has finished."
    )
    daily_digest = models.BooleanField(
        default=False,
        help_text="Each morning, e-mail me who needs attention in each of my classes.",
    )
    digest_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "notification settings"
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"notifications of {self.user}"
