"""LTI 1.3 records (school side): registered platforms, the tool's keys, and what launches made.

An LMS user (issuer + `sub`) maps to a learner identity of the vault; an LMS course (`context`)
maps to a class; a placement of Pathlens in a course (a resource link) names one widget and,
when the LMS offers grade services, the line item its scores go to. Nothing here reaches the
collector: it only ever sees the identity's opaque id (dashboard/identities.py).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models

from dashboard.models import LearnerIdentity, SchoolClass, User


def _one_per_line(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


class Platform(models.Model):
    """An LMS registered by an administrator: what it told us, copied from its LTI settings."""

    name = models.CharField(
        max_length=40,
        unique=True,
        help_text="A short name teachers recognise, e.g. Moodle. It prefixes the real ids of "
        "the learners this LMS sends (Moodle:1234).",
    )
    issuer = models.URLField(
        max_length=255, help_text="The platform's issuer (iss), e.g. https://moodle.school.org"
    )
    client_id = models.CharField(
        max_length=255, help_text="The client id the LMS gave Pathlens when it was added."
    )
    auth_login_url = models.URLField(
        "authentication request URL",
        max_length=500,
        help_text="Where the OIDC login goes, e.g. https://moodle.school.org/mod/lti/auth.php",
    )
    auth_token_url = models.URLField(
        "access token URL",
        max_length=500,
        help_text="Where grade passback gets its OAuth2 token, e.g. …/mod/lti/token.php",
    )
    jwks_url = models.URLField(
        "public keyset URL",
        max_length=500,
        help_text="The LMS's JWKS, e.g. https://moodle.school.org/mod/lti/certs.php",
    )
    deployment_ids = models.TextField(
        help_text="The deployment ids of Pathlens on this LMS, one per line."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "LMS platform"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_once")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not _one_per_line(self.deployment_ids):
            raise ValidationError({"deployment_ids": "Give at least one deployment id."})

    @property
    def deployments(self) -> list[str]:
        return _one_per_line(self.deployment_ids)


class ToolKey(models.Model):
    """One RSA key pair of the tool: it signs deep-linking responses and token requests.

    The newest key signs; older ones stay in the JWKS until an administrator deletes them, so an
    LMS that cached the keyset keeps verifying while a new key rolls in.
    """

    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "tool key"

    def __str__(self) -> str:
        return self.kid


def new_state() -> str:
    return secrets.token_urlsafe(32)


class LoginState(models.Model):
    """An OIDC login in progress: the state and nonce the launch must bring back, once."""

    state = models.CharField(max_length=64, primary_key=True, default=new_state)
    nonce = models.CharField(max_length=64, default=new_state)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    # The LMS's login parameters, to start the same launch again in a window of its own when
    # the browser kept no cookie inside the LMS's frame.
    login_params = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"login to {self.platform_id} at {self.created_at:%H:%M:%S}"


class LtiUser(models.Model):
    """An LMS user as the LMS names them, and who they are here."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="users")
    sub = models.CharField(max_length=255)
    learner = models.ForeignKey(
        LearnerIdentity, on_delete=models.CASCADE, null=True, related_name="lti_users"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "sub"], name="lti_user_once")]

    def __str__(self) -> str:
        return f"{self.platform}:{self.sub}"


class LtiContext(models.Model):
    """An LMS course. Its class is made by the first whitelisted instructor who launches;
    learners who arrive before that wait in `learners` and join the class when it is made."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="contexts")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="lti_contexts"
    )
    learners = models.ManyToManyField(LearnerIdentity, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "LMS course"
        constraints = [
            models.UniqueConstraint(fields=["platform", "context_id"], name="lti_context_once")
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


class ResourceLink(models.Model):
    """One placement of Pathlens in a course: the widget it opens and where its grades go."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="links")
    resource_link_id = models.CharField(max_length=255)
    context = models.ForeignKey(
        LtiContext, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )
    widget = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=255, blank=True)
    # Assignment and Grade Services, from the launch's endpoint claim.
    lineitem_url = models.URLField(max_length=500, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "resource_link_id"], name="lti_resource_link_once"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class PassbackStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the session to be completed"
    SENT = "sent", "Sent to the gradebook"
    FAILED = "failed", "Gave up"


class Passback(models.Model):
    """A learner's session opened from a graded link: its score goes to the gradebook when the
    session is completed, once (a later, different score is sent again)."""

    link = models.ForeignKey(ResourceLink, on_delete=models.CASCADE, related_name="passbacks")
    learner = models.ForeignKey(LearnerIdentity, on_delete=models.CASCADE, related_name="+")
    lti_user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="+")
    session = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=PassbackStatus, default=PassbackStatus.WAITING)
    data_request = models.CharField(max_length=64, blank=True)
    score_given = models.FloatField(null=True)
    score_maximum = models.FloatField(null=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # Held by the task working on the row (lti/passback.py), until `claimed_until`.
    claim = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "learner", "session"], name="lti_passback_once")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="lti_passback_waiting")]

    def __str__(self) -> str:
        return f"{self.link} {self.session} ({self.status})"


class DeepLinkRequest(models.Model):
    """An instructor's content-picker visit: the LMS's return address and data, kept on the
    server under an unguessable id so the picker works inside the LMS's frame without cookies."""

    id = models.CharField(max_length=64, primary_key=True, default=new_state)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    deployment_id = models.CharField(max_length=255)
    return_url = models.URLField(max_length=1000)
    data = models.TextField(blank=True)
    accept_multiple = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"content pick for {self.platform_id} at {self.created_at:%H:%M:%S}"


class TeacherHandoff(models.Model):
    """A one-use link from an instructor's launch inside the LMS's frame to their class in a
    window of its own (teacher pages are never framed, and the frame cannot keep a sign-in)."""

    token = models.CharField(max_length=64, primary_key=True, default=new_state)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"hand-off for {self.user_id} at {self.created_at:%H:%M:%S}"
