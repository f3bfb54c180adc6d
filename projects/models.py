"""Query projects: a teacher's question to the platform, its runs, and each run's results.

A project is a `scores` data request with its parameters (learners, widgets, time window). Each
submission of it is a run; a project can be run again later to take in new data, and every run
keeps its own time and figures. When a run's request is DONE, its results are stored here, on the
school side, keyed by learner identity, so exploring never waits on the platform and never shows
an opaque id. (Runs submitted before a run became one request have a `sessions` and a `scores`
request, merged at import.)
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from dashboard.models import LearnerIdentity
from widgets.measures import OUTCOME_LABELS, percent_of

OUTCOME_CHOICES = [(str(outcome), label) for outcome, label in OUTCOME_LABELS.items()]

NAME_MAX = 120
# A run still PROCESSING after this long is probably stuck (no worker?): it may be run again.
STALE_AFTER = timedelta(minutes=15)
# A young run's status is checked every 500 ms, so a class-sized run (DONE within a second) shows
# "Done" within ~1.5 s of submit; after this long every 2 s. A check costs 2–3 ms of server CPU.
FAST_POLL_FOR = timedelta(seconds=15)


class Project(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(max_length=NAME_MAX)
    # The class the project was made for (its learners were picked from it); the project keeps
    # its own learner list, so a class changing later does not change a project's question.
    school_class = models.ForeignKey(
        "dashboard.SchoolClass",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
    )
    # A class's own overview (projects/feeds.py): run again every few minutes for the home page,
    # kept out of the teacher's list of projects, and seen by all of the class's teachers.
    is_class_feed = models.BooleanField(default=False)
    learners = models.ManyToManyField(LearnerIdentity, related_name="projects")
    widgets = models.JSONField(default=list, help_text="Widget ids, in the registry's order.")
    time_from = models.DateTimeField(null=True, blank=True)
    time_to = models.DateTimeField(null=True, blank=True, help_text="Exclusive.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a column: on a page of the list, `projects_for` annotates the latest run's id and
    # `attach_latest_runs` fetches those runs in one query (projects/selectors.py).
    latest_run: ProjectRun | None

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="project_owner_created")]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    PROCESSING = "PROCESSING", "Processing"
    DONE = "DONE", "Done"
    FAILED = "FAILED", "Failed"


class ProjectRun(models.Model):
    """One submission of a project's data request, and what came of it.

    A run asks for `scores` alone and stores that request's id in both `*_request_id` columns;
    runs from before have two different ids there (`request_ids` gives either kind).
    `import_started_at` is set once, by whichever status check first sees the request(s) DONE
    (a conditional UPDATE), so the results are imported exactly once however many browser
    tabs are polling. The figures are those of the import and are kept even when learners are
    deleted later.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField()
    sessions_request_id = models.CharField(max_length=64, blank=True)
    scores_request_id = models.CharField(max_length=64, blank=True)
    # The run's work as xAPI statements, asked for when a teacher first downloads it (its
    # learners, widgets and window, up to the run's submission).
    statements_request_id = models.CharField(max_length=64, blank=True)
    # What was asked: opaque ids are not kept here, only how many learners were sent.
    parameters = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=RunStatus, default=RunStatus.PROCESSING)
    progress = models.PositiveSmallIntegerField(null=True, help_text="Percent, when known.")
    reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    import_started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    session_count = models.PositiveIntegerField(default=0)
    learner_count = models.PositiveIntegerField(default=0)
    event_count = models.PositiveBigIntegerField(default=0)
    widget_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(
        default=0, help_text="Sessions of opaque ids no longer known to the school, not stored."
    )
    opens_count = models.PositiveIntegerField(
        default=0, help_text="Sessions opened without any work (not counted in the figures)."
    )
    measured = models.BooleanField(
        default=False,
        help_text="Imported with the learning measures (active time, sittings, outcome).",
    )

    # Not a column: what projects.services.run_refresh heard from an unreachable platform ("" when
    # all went well), for the status fragment to show.
    platform_problem: str

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="run_project_number"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="run_status_submitted")]

    def __str__(self) -> str:
        return f"{self.project} · run {self.number}"

    @property
    def request_ids(self) -> list[str]:
        """The run's data requests: one, or `sessions` then `scores` for a run from before."""
        return list(
            dict.fromkeys(i for i in (self.sessions_request_id, self.scores_request_id) if i)
        )

    @property
    def is_processing(self) -> bool:
        return self.status == RunStatus.PROCESSING

    @property
    def is_done(self) -> bool:
        return self.status == RunStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == RunStatus.FAILED

    @property
    def is_stale(self) -> bool:
        return self.is_processing and timezone.now() - self.submitted_at >= STALE_AFTER

    @property
    def poll_every(self) -> str:
        """How often a page showing this run's status checks it again (htmx's `every` syntax)."""
        return "500ms" if timezone.now() - self.submitted_at < FAST_POLL_FOR else "2s"

    @property
    def is_importing(self) -> bool:
        return self.is_processing and self.import_started_at is not None

    @property
    def took(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.submitted_at

    @property
    def took_text(self) -> str:
        """How long the run took from submit to DONE or FAILED, as "17 s" or "2 min"."""
        from core.formatting import format_duration

        took = self.took
        return "—" if took is None else format_duration(took.total_seconds() * 1000)


class RunSession(models.Model):
    """One session of one learner in one widget, as a DONE run found it.

    Deleting a learner identity deletes their rows here too: the school keeps no results for a
    learner it no longer knows. The run's figures stay as they were at import.
    """

    run = models.ForeignKey(ProjectRun, on_delete=models.CASCADE, related_name="sessions")
    learner = models.ForeignKey(LearnerIdentity, on_delete=models.CASCADE, related_name="+")
    widget = models.CharField(max_length=64)
    session = models.CharField(max_length=128)
    start = models.BigIntegerField(help_text="epoch ms")
    duration = models.BigIntegerField(help_text="Span, first event to last, ms (reference only).")
    events = models.PositiveIntegerField()
    # The measures as the platform defines them (widgets/measures.py); what a teacher reads.
    active = models.BigIntegerField(default=0, help_text="Active time, ms.")
    sittings = models.PositiveIntegerField(default=1)
    work_events = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16, default="", choices=OUTCOME_CHOICES)
    score = models.FloatField(null=True, help_text="Points over attempted items; null: none.")
    maximum = models.FloatField(null=True, help_text="Points available over attempted items.")
    full_maximum = models.FloatField(null=True)
    items_attempted = models.PositiveIntegerField(default=0)
    items_total = models.PositiveIntegerField(default=0)
    items = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["run", "learner", "start"], name="runsession_path")]

    def __str__(self) -> str:
        return f"{self.widget} {self.session}"

    @property
    def score_percent(self) -> float | None:
        return percent_of(self.score, self.maximum)

    @property
    def opened_without_work(self) -> bool:
        return self.work_events == 0

    @property
    def outcome_label(self) -> str:
        return dict(OUTCOME_CHOICES).get(self.outcome, "")


class RunAttempt(models.Model):
    """One attempt at an activity that is not one of our widgets (xAPI content: an H5P quiz, a
    simulation), as a DONE run found it in its window: a registration's statements, or those
    without one together. The explorer draws it in a lane of its activity; its replay is its
    statement timeline, read from the platform by (learner, activity, registration).
    """

    run = models.ForeignKey(ProjectRun, on_delete=models.CASCADE, related_name="attempts")
    learner = models.ForeignKey(LearnerIdentity, on_delete=models.CASCADE, related_name="+")
    activity = models.TextField(help_text="The activity's id (an IRI): never shown to teachers.")
    name = models.CharField(max_length=200, help_text="The activity's name, as its content says.")
    registration = models.CharField(max_length=36, blank=True)
    start = models.BigIntegerField(help_text="epoch ms")
    end = models.BigIntegerField(help_text="epoch ms")
    statements = models.PositiveIntegerField()
    completed = models.BooleanField(default=False)
    passed = models.BooleanField(default=False)
    score = models.FloatField(null=True, help_text="The best result.score.scaled, -1 to 1.")
    active = models.BigIntegerField(default=0, help_text="Active time, ms.")

    class Meta:
        indexes = [models.Index(fields=["run", "learner", "start"], name="runattempt_path")]

    def __str__(self) -> str:
        return f"attempt at {self.name}"

    @property
    def score_percent(self) -> float | None:
        return None if self.score is None else round(100 * self.score, 1)
