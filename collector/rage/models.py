"""The RAGE door's records, in the `analytics` database like every platform-side table.

No real identity is kept: a player is an opaque learner id of the tenant (an identified player's
comes from a learner token, an anonymous player's is a new random one), and a session's authToken
is kept only as its SHA-256.
"""

from __future__ import annotations

from django.db import models

from collector.models import OPAQUE_ID_MAX, Tenant


class RageTrackingCode(models.Model):
    """What a game is built with: it names the tenant the game's data belongs to and the activity
    it is about. Made by an operator in the admin (Collector → RAGE tracking codes). Not a
    secret in the usual sense (it ships inside the game), so it is kept as it is, to be read
    again; it lets anyone holding it create anonymous players, and write statements about its
    activity only."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=200, help_text="What it is for, e.g. 'Fractions quest'.")
    activity = models.URLField(
        max_length=500,
        help_text="The activity id (IRI) of the game: statements are about it or under it "
        "(<activity>/level-1); answered to the game as `objectId`.",
    )
    enabled = models.BooleanField(
        default=True, help_text="Off: no new session starts, and its sessions' tokens are refused."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "RAGE tracking code"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class RagePlayer(models.Model):
    """A player as RAGE counts them: one opaque learner id of the tenant, and how many sessions
    it has started (with every tracking code of the tenant)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    learner = models.CharField(max_length=OPAQUE_ID_MAX)
    # Anonymous players are continued by their id alone ({"anonymous": <id>}); identified ones
    # only with a learner token, so that knowing an opaque id is never enough to write as it.
    anonymous = models.BooleanField()
    sessions = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "RAGE player"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "learner"], name="rageplayer_tenant_learner")
        ]

    def __str__(self) -> str:
        return self.learner


class RageSession(models.Model):
    """One start: the authToken's session. Its registration is the statements'
    `context.registration`, so one start is one attempt (and one session of a widget)."""

    player = models.ForeignKey(RagePlayer, on_delete=models.CASCADE, related_name="+")
    tracking_code = models.ForeignKey(RageTrackingCode, on_delete=models.PROTECT, related_name="+")
    registration = models.UUIDField(unique=True)
    token_digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the authToken
    started = models.DateTimeField()

    class Meta:
        verbose_name = "RAGE session"
        indexes = [
            models.Index(fields=["player", "tracking_code"], name="ragesession_player_code"),
        ]

    def __str__(self) -> str:
        return f"session {self.registration}"
