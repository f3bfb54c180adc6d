"""Notes a teacher pins to moments of a replayed session ("confused numerator and denominator
here"). School side (default database): a note names a stored session and its author, never an
opaque id, and never goes to the collector. Who may see and change one is decided in one place,
`replay.selectors.notes_visible_to` (docs/replay.md, "Notes").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

NOTE_MAX_LENGTH = 500


class MomentNote(models.Model):
    session = models.ForeignKey(
        "projects.RunSession", on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moment_notes"
    )
    # Play time in ms (replay/sessiontime.py: since the first event, gaps between sittings cut),
    # what the replay's clock, seek bar and `?t=` read.
    at_ms = models.FloatField()
    text = models.CharField(max_length=NOTE_MAX_LENGTH)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("at_ms", "pk")
        indexes = [models.Index(fields=("session", "at_ms"))]

    def __str__(self) -> str:
        return f"note at {self.at_ms:.0f} ms on run session {self.session_id}"
