"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS) for the two rules of the API that JSON
Schema cannot state, because each relates two values: a data request's `from` is before its `to`,
and a learner is moved to another id. The document states both in words; the server answers a
400 naming the field for a request that breaks one (tested in tests/collector/).

Such requests are not generated (`filter_case`); where one is built anyway (the fuzzing phase
builds some cases outside the filtered strategy), the 400 the rule gives it is not counted as a
failure (`filter_failure`), and nothing else is excused."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote

import schemathesis


def _moment(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def breaks_a_rule_json_schema_cannot_state(case) -> bool:
    body = case.body if isinstance(case.body, dict) else {}
    operation = case.operation.definition.raw.get("operationId")
    if operation == "createDataRequest":
        start, end = _moment(body.get("from")), _moment(body.get("to"))
        return bool(start and end and start >= end)
    if operation == "moveLearner":
        # Path parameters are held percent-encoded, as they will be sent.
        return body.get("to") == unquote(str((case.path_parameters or {}).get("learner")))
    return False


@schemathesis.hook
def filter_case(context, case) -> bool:
    return not breaks_a_rule_json_schema_cannot_state(case)


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    refused_for_the_rule = response.status_code == 400 and (
        "must be earlier than 'to'" in response.text or "'to' must differ" in response.text
    )
    return not (refused_for_the_rule and breaks_a_rule_json_schema_cannot_state(case))
