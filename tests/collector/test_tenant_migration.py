"""Upgrading a collector that had no tenants: everything it held goes into the default tenant, and
each learner it knew gets a row, carrying its revocation."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES, transaction=True)

BEFORE = [("collector", "0002_session_measures")]
AFTER = [("collector", "0003_tenants")]


def migrate(targets):
    executor = MigrationExecutor(connections["analytics"])
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_it_puts_existing_keys_learners_sessions_events_and_requests_into_the_default_tenant():
    try:
        old = migrate(BEFORE)
        key = old.get_model("collector", "ApiKey").objects.create(
            name="school", prefix="abc", secret_hash="x"
        )
        old.get_model("collector", "DataRequest").objects.create(
            api_key=key, kind="sessions", learners=["a" * 32]
        )
        for learner in ("a" * 32, "b" * 32):
            old.get_model("collector", "Event").objects.create(
                event_id=uuid.uuid4(), learner=learner, session="s", widget="BLL002",
                type="session_started", t=1, time=1, received=1, digest="d",
            )  # fmt: skip
            old.get_model("collector", "Session").objects.create(
                learner=learner, widget="BLL002", session="s", first_time=1, last_time=1
            )
        old.get_model("collector", "LearnerRevocation").objects.create(
            learner="c" * 32, revoked_ms=1234
        )

        new = migrate(AFTER)
        default = new.get_model("collector", "Tenant").objects.get()
        assert default.name == "default"
        for name in ("ApiKey", "DataRequest", "Event", "Session"):
            model = new.get_model("collector", name)
            assert set(model.objects.values_list("tenant_id", flat=True)) == {default.pk}, name
        learners = new.get_model("collector", "Learner").objects.filter(tenant=default)
        assert dict(learners.values_list("opaque_id", "revoked_ms")) == {
            "a" * 32: None,
            "b" * 32: None,
            "c" * 32: 1234,
        }
    finally:
        call_command("migrate", "collector", database="analytics", verbosity=0)
