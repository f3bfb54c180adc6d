"""The State resource (`/xapi/activities/state`): documents content keeps to resume a learner.

A document is keyed by activity, agent (a learner's opaque id), registration (optional) and state
id. PUT replaces it; POST merges a JSON object into a stored JSON object (top-level properties, the
spec's rule) and refuses to merge anything else; GET answers one document, or the list of state
ids; DELETE removes one, or all of the activity's for that agent and registration.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from collector.ingest import ALIAS
from collector.xapi.models import ActivityState
from collector.xapi.problems import Invalid

JSON_TYPE = "application/json"


@dataclass(frozen=True)
class StateKey:
    tenant_id: int
    learner: str
    activity: str
    registration: str | None

    def digest(self, state_id: str) -> str:
        parts = (self.activity, self.learner, self.registration or "", state_id)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def rows(self):
        return ActivityState.objects.using(ALIAS).filter(
            tenant_id=self.tenant_id,
            learner=self.learner,
            activity=self.activity,
            registration=self.registration,
        )


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(content)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def state_put(*, key: StateKey, state_id: str, content: bytes, content_type: str) -> None:
    _write(key, state_id, content, content_type)


def state_post(*, key: StateKey, state_id: str, content: bytes, content_type: str) -> None:
    """Merges a JSON object into the stored one; stores it if there is none."""
    incoming = _json_object(content) if content_type == JSON_TYPE else None
    if incoming is None:
        raise Invalid("", "POST merges JSON: send a JSON object as application/json (or PUT).")
    with transaction.atomic(using=ALIAS):
        stored = key.rows().select_for_update().filter(state_id=state_id).first()
        if stored is not None:
            earlier = _json_object(bytes(stored.content))
            if stored.content_type != JSON_TYPE or earlier is None:
                raise Invalid("", "The stored document is not a JSON object; PUT to replace it.")
            content = json.dumps({**earlier, **incoming}).encode()
        _write(key, state_id, content, JSON_TYPE)


def _write(key: StateKey, state_id: str, content: bytes, content_type: str) -> None:
    values = {"content": content, "content_type": content_type, "updated": timezone.now()}
    rows = ActivityState.objects.using(ALIAS)
    digest = key.digest(state_id)
    for _ in range(2):  # a concurrent first write of the same document: the second one updates
        try:
            with transaction.atomic(using=ALIAS):
                rows.update_or_create(
                    tenant_id=key.tenant_id,
                    key=digest,
                    defaults=values,
                    create_defaults={
                        **values,
                        "learner": key.learner,
                        "activity": key.activity,
                        "registration": key.registration,
                        "state_id": state_id,
                    },
                )
            return
        except IntegrityError:
            continue


def state_get(*, key: StateKey, state_id: str) -> ActivityState | None:
    return key.rows().filter(state_id=state_id).first()


def state_ids(*, key: StateKey, since: datetime | None) -> list[str]:
    rows = key.rows()
    if since is not None:
        rows = rows.filter(updated__gt=since)
    return list(rows.order_by("state_id").values_list("state_id", flat=True))


def state_delete(*, key: StateKey, state_id: str | None) -> None:
    rows = key.rows()
    if state_id is not None:
        rows = rows.filter(state_id=state_id)
    rows.delete()
