"""Storing a request's statements, with MetaCX's idempotency: an object sent again with the same
`idempotencyKey` (and eventKey) is received but not processed again, whatever else it carries.

Its statement id is made from the key (collector/metacx/mapping.py), so a repeat is a statement
id the tenant already has: left out here, rather than compared as the xAPI endpoint compares a
statement sent again (there, other content under a stored id is a conflict; here the first one
sent wins, as MetaCX documents). Within one request the first object of a key wins too.
"""

from __future__ import annotations

from collector.ingest import ALIAS
from collector.metacx.access import Access
from collector.xapi.iris import api_key_home_page
from collector.xapi.models import Statement
from collector.xapi.statements import Conflict, statements_store
from collector.xapi.validation import CleanStatement


def _not_yet_stored(tenant_id: int, cleans: list[CleanStatement]) -> list[CleanStatement]:
    first = {clean.statement_id: clean for clean in reversed(cleans)}  # the first of each id wins
    stored = set(
        str(statement_id)
        for statement_id in Statement.objects.using(ALIAS)
        .filter(tenant_id=tenant_id, statement_id__in=list(first))
        .values_list("statement_id", flat=True)
    )
    return [
        clean
        for clean in cleans
        if clean.statement_id not in stored and first[clean.statement_id] is clean
    ]


def _store_new(access: Access, cleans: list[CleanStatement]) -> int:
    new = _not_yet_stored(access.tenant_id, cleans)
    if new:
        authority = {
            "objectType": "Agent",
            "account": {"homePage": api_key_home_page(), "name": access.key_prefix},
        }
        statements_store(tenant_id=access.tenant_id, cleans=new, authority=authority, batch=True)
    return len(new)


def events_store(*, access: Access, cleans: list[CleanStatement]) -> int:
    """Stores the statements not stored yet, all or none; answers how many were new."""
    try:
        return _store_new(access, cleans)
    except Conflict:
        # A request with the same keys stored some of them since we looked (a client's retry,
        # sent before its first try was answered): look again, once.
        return _store_new(access, cleans)
