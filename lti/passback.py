"""Grade passback: a completed session's score goes to the LMS gradebook, once.

A learner launch from a graded link leaves a `Passback` waiting for its session. A periodic
sweep takes each waiting one's next step (lti/tasks.py), which:

1. asks the collector whether the session is completed (its status, not the learner's word);
2. once it is, asks for its score through a `scores` data request (the score of the learning
   measures, docs/widgets.md: points over the items attempted), and waits for it to be DONE;
3. posts the score to the link's line item, and marks the passback sent.

Whoever takes a step holds a claim on the row (a token with a lease), so the sweep never sends
the same score twice beside a task that is retrying; a retry carries the claim on. A class whose
teacher turned passback off (`SchoolClass.lti_passback`) sends nothing.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone

from collector.client import CollectorError, get_client
from dashboard.models import LearnerIdentity
from lti import ags, links
from lti.models import LtiUser, Passback, PassbackStatus, ResourceLink
from widgets.registry import get_widget

log = logging.getLogger("pathlens.lti")

WAIT_AT_MOST = timedelta(days=14)  # a session not completed by then is no longer looked at
SWEEP_BATCH = 500
LEASE = timedelta(minutes=2)


class Step(StrEnum):
    WAITING = "waiting"  # not completed yet, or its score is being computed
    SENT = "sent"
    OFF = "off"  # the class's passback is off
    BUSY = "busy"  # another task holds the claim
    GONE = "gone"


def passback_expect(
    *, link: ResourceLink, learner: LearnerIdentity, lti_user: LtiUser, session: str
) -> Passback | None:
    """Notes that this session's score is to go to the link's gradebook column."""
    if not links.link_grades(link):
        return None
    passback, _ = Passback.objects.get_or_create(
        link=link, learner=learner, session=session, defaults={"lti_user": lti_user}
    )
    return passback


def passback_on(passback: Passback) -> bool:
    context = passback.link.context
    school_class = context.school_class if context is not None else None
    return school_class is None or school_class.lti_passback


def passbacks_due() -> list[int]:
    """Waiting passbacks that no task holds, of classes whose passback is on."""
    now = timezone.now()
    return list(
        Passback.objects.filter(status=PassbackStatus.WAITING, created_at__gte=now - WAIT_AT_MOST)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .exclude(link__context__school_class__lti_passback=False)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def passback_claim(*, passback_id: int, claim: str, lease: timedelta = LEASE) -> bool:
    now = timezone.now()
    return bool(
        Passback.objects.filter(pk=passback_id, status=PassbackStatus.WAITING)
        .filter(Q(claim=claim) | Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claim=claim, claimed_until=now + lease)
    )


def passback_release(*, passback_id: int, until=None) -> None:
    Passback.objects.filter(pk=passback_id).update(claimed_until=until)


def new_claim() -> str:
    return secrets.token_hex(8)


def _completed(passback: Passback) -> bool:
    try:
        found = get_client().session_events(
            learner=passback.learner.opaque_id,
            session=passback.session,
            widget=passback.link.widget,
        )
    except CollectorError as error:
        if error.status == 404:  # nothing recorded yet
            return False
        raise
    return any(s["status"] == "completed" for s in found["sessions"])


def _score(passback: Passback) -> tuple[bool, float | None, float | None]:
    """(ready, score, maximum) from the passback's `scores` data request, made when needed."""
    client = get_client()
    if passback.data_request:
        info = client.get_data_request(passback.data_request)
        if info.status == "DONE":
            for row in client.iter_results(passback.data_request):
                if row["session"] == passback.session:
                    return True, row.get("score"), row.get("maximum")
            return True, None, None
        if info.status == "PROCESSING":
            return False, None, None
    info = client.create_data_request(
        kind="scores", learners=[passback.learner.opaque_id], widgets=[passback.link.widget]
    )
    passback.data_request = info.id
    passback.save(update_fields=["data_request"])
    return False, None, None


def passback_step(*, passback_id: int) -> Step:
    """One step of the passback (the caller holds its claim). Raises ags.GradebookUnavailable
    when the LMS cannot take the score now, ags.GradebookRefused when it never will."""
    passback = (
        Passback.objects.select_related("link__platform", "link__context__school_class", "learner")
        .filter(pk=passback_id)
        .first()
    )
    if passback is None:
        return Step.GONE
    if not passback_on(passback):
        return Step.OFF
    if not _completed(passback):
        return Step.WAITING
    ready, given, maximum = _score(passback)
    if not ready:
        return Step.WAITING
    widget = get_widget(passback.link.widget)
    lineitem = ags.lineitem_url(passback.link, widget.title if widget else passback.link.widget)
    ags.score_send(
        link=passback.link,
        lineitem=lineitem,
        user_id=passback.lti_user.sub,
        given=given,
        maximum=maximum,
    )
    Passback.objects.filter(pk=passback.pk).update(
        status=PassbackStatus.SENT,
        score_given=given,
        score_maximum=maximum,
        sent_at=timezone.now(),
        claimed_until=None,
    )
    log.info("score of passback %s sent to platform %s", passback.pk, passback.link.platform_id)
    return Step.SENT


def passback_failed(*, passback_id: int, reason: str, give_up: bool) -> None:
    passback = Passback.objects.filter(pk=passback_id).first()
    if passback is None:
        return
    passback.attempts += 1
    passback.last_error = reason[:300]
    if give_up:
        passback.status = PassbackStatus.FAILED
    passback.save(update_fields=["attempts", "last_error", "status"])
