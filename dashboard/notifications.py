"""E-mails teachers asked for: a project run has finished; each morning, who needs attention.

Sent by Celery tasks (dashboard/tasks.py), never inside a request, through Django's e-mail
backend (the console in the embedded set-up, SMTP in production: README, "Configuration"). Only
to whitelisted teachers, and only what they may see: their own projects, the classes they teach.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from dashboard.access import is_teacher
from dashboard.classes import classes_for
from dashboard.home import class_overview
from dashboard.models import NotificationSettings, User
from projects.selectors import ProjectRun

log = logging.getLogger("pathlens.notifications")


def notification_settings_for(*, user: User) -> NotificationSettings:
    found, _ = NotificationSettings.objects.get_or_create(user_id=user.pk)
    return found


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def run_done_email(*, run_id: int) -> bool:
    """E-mails the owner that the run finished, if they asked to be told; True if sent."""
    run = ProjectRun.objects.select_related("project__owner").filter(pk=run_id).first()
    if run is None or run.is_processing or run.project.is_class_feed:
        return False
    owner = run.project.owner
    wanted = NotificationSettings.objects.filter(user=owner, run_done=True).exists()
    if not wanted or not owner.email or not is_teacher(owner):
        return False
    project = run.project
    if run.is_done:
        subject = f"“{project.name}” is ready (run {run.number})"
        body = (
            f"Run {run.number} of “{project.name}” has finished: {run.session_count} sessions of "
            f"{run.learner_count} learners"
            + (f", {run.opens_count} more opened without work" if run.opens_count else "")
            + ".\n\nExplore it: "
            + _link(reverse("projects:explore", args=[project.pk]) + f"?run={run.number}")
        )
    else:
        subject = f"“{project.name}” could not be computed (run {run.number})"
        body = f"{run.reason}\n\nRun it again: " + _link(
            reverse("projects:detail", args=[project.pk])
        )
    send_mail(subject, body + "\n", None, [owner.email])
    log.info("run %s: e-mailed its owner", run.pk)
    return True


def attention_digest(*, user: User) -> str | None:
    """The text of a teacher's digest, or None when no class of theirs has a flag."""
    parts = []
    for school_class in classes_for(user=user):
        overview = class_overview(school_class=school_class)
        if not overview.flags:
            continue
        lines = [f"{school_class.name}:"]
        lines += [f"- {name}: {flag.words}\n  {_link(url)}" for flag, url, name in overview.flags]
        if overview.more_flags:
            lines.append(f"- and {overview.more_flags} more on the home page.")
        parts.append("\n".join(lines))
    if not parts:
        return None
    return "\n\n".join(parts) + f"\n\nYour classes: {_link(reverse('dashboard:home'))}\n"


def attention_digests_send(*, now: datetime | None = None) -> int:
    """Sends today's digest to every teacher who asked for it, once a day, from DIGEST_HOUR
    (local time) on. Returns how many were sent."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < settings.DIGEST_HOUR:
        return 0
    today = now.date()
    sent = 0
    due = NotificationSettings.objects.filter(daily_digest=True).exclude(digest_sent_on=today)
    for wanted in due.select_related("user"):
        user = wanted.user
        if user.email and is_teacher(user):
            text = attention_digest(user=user)
            if text:
                send_mail(f"Who needs attention today ({today:%-d %b})", text, None, [user.email])
                sent += 1
        wanted.digest_sent_on = today  # nothing to say is an answer too: no second try today
        wanted.save(update_fields=["digest_sent_on"])
    if sent:
        log.info("sent %d attention digests", sent)
    return sent
