"""A statement that commits late, after statements with higher seqs were forwarded, is still
forwarded: each forwarding keeps pending rows, not a cursor over seqs (collector/xapi/models.py,
StatementPending). On PostgreSQL with two real transactions, on SQLite (one writer at a time)
with the late statement's rows held back (tests/support/late.py); a cursor would fail on both."""

from __future__ import annotations

import pytest

from collector.models import LrsForwarding, Statement, StatementPending
from collector.tenants import tenant_default
from collector.xapi.forwarding import forwarding_lag, forwardings_run
from tests.support.db import BOTH_DATABASES
from tests.support.late import committed_late
from tests.xapi.helpers import account, basic, post, statement
from tests.xapi.test_forwarding import other_lrs


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_a_statement_committed_after_higher_seqs_were_forwarded_is_still_forwarded(client):
    late = statement(actor=account("1a" * 16))
    early = [statement(), statement()]
    late_auth, early_auth = basic(), basic()  # two keys: each request touches its own

    def slow() -> None:
        assert post(client, [late], late_auth).status_code == 200

    with other_lrs() as lrs:
        target = LrsForwarding.objects.create(
            tenant=tenant_default(), endpoint=lrs.url, username="plk_other", password="s3cret"
        )
        with committed_late(slow, Statement, StatementPending):
            assert post(client, early, early_auth).status_code == 200
            assert forwardings_run() == {"sent": 2, "failed": 0}
        assert forwardings_run() == {"sent": 1, "failed": 0}
        assert forwardings_run() == {"sent": 0, "failed": 0}
    seqs = {str(key): seq for key, seq in Statement.objects.values_list("statement_id", "seq")}
    assert seqs[late["id"]] < min(seqs[item["id"]] for item in early)  # took its seq first
    sent = [[item["id"] for item in body] for _, body in lrs.requests]
    assert sent == [[item["id"] for item in early], [late["id"]]]
    target.refresh_from_db()
    assert forwarding_lag(target) == (0, None)
