"""The one rule for a learner that a request makes known to the collector, on every door that
takes one (Segment's `userId`, MetaCX's `learner`, an xAPI account's `name`, the learner of a
token minted or of a learner moved): it is an opaque id in the form Pathlens issues, or it is
refused. Lookups (revoke, erase) take any stored id: one stored before the rule stays erasable.

Pathlens makes every opaque id the same way: 128 random bits as 32 lowercase hex digits (the
school side's `dashboard.models.new_opaque_id`, RAGE's anonymous players). Anything else is not
one of ours, and may well be a real identity: an e-mail address, a name, or the school's own
student number (`S-77-GRACE`, `20231234`), which no other check could tell from an id. Checking
the form refuses all of those with one rule.

Why not check that the tenant knows the id: the collector learns an opaque id when it first sees
it (a learner token minted for it, or the first message of these doors naming it), so a learner's
first message would be refused.

Pure functions, no database; each door words the refusal with its own pointer.
"""

from __future__ import annotations

import re
from typing import Any

LEARNER_ID = re.compile(r"[0-9a-f]{32}")
# The same, as the OpenAPI documents give it to generated clients.
LEARNER_ID_SCHEMA = {"type": "string", "pattern": f"^{LEARNER_ID.pattern}$"}
OPAQUE_ID = (
    "the learner's opaque id: 32 lowercase hex digits, as the school's Pathlens dashboard gives "
    "it (the Copy button beside a learner on its Learners page)."
)
NOT_OURS = (
    "This is not an opaque id Pathlens issued (and a school's own student number is a real "
    "identity)"
)


def learner_id_problem(value: Any) -> str | None:
    """Why `value` cannot name a learner, in words a sender can act on; None when it can."""
    if isinstance(value, str) and LEARNER_ID.fullmatch(value):
        return None
    if not isinstance(value, str) or not value:
        return f"Required: {OPAQUE_ID}"
    if "@" in value:
        kind = "This looks like an e-mail address, a real identity"
    elif any(char.isspace() for char in value):
        kind = "This looks like a name, a real identity"
    else:
        kind = NOT_OURS
    return f"{kind}, which Pathlens never takes. Send {OPAQUE_ID}"
