"""Segment write keys: the credential a Segment client sends (HTTP Basic, user = the key).

Imported by collector/models.py, so that it is a collector model, in the `analytics` database.
"""

from __future__ import annotations

from django.db import models

from collector.models import Tenant


class SegmentWriteKey(models.Model):
    """A tenant's write key. Segment designs write keys to be semi-public (they sit in a web
    page's or an app's code, and only append data), so the key is stored as it is and shown to
    operators in the admin; revoking it is the remedy for one that leaked."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=100, help_text="Who or what sends with it (an app, a site).")
    created = models.DateTimeField(auto_now_add=True)
    revoked = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "Segment write key"

    def __str__(self) -> str:
        return f"{self.name} ({self.key[:8]}…)"
