from __future__ import annotations

import hashlib

import pytest
from django.core.management import CommandError, call_command

from collector.models import ApiKey, Tenant
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def test_it_creates_a_key_printed_once_and_stored_only_as_a_hash(capsys, client):
    call_command("create_api_key", "Riverside dashboard", "--tenant", "riverside")
    printed = capsys.readouterr().out
    text = next(line for line in printed.splitlines() if line.startswith("plk_"))
    key = ApiKey.objects.get(name="Riverside dashboard")
    secret = text.split("_", 2)[2]
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in key.secret_hash
    response = client.post(
        "/api/v1/learner-tokens",
        {"learner": "ab" * 16},
        content_type="application/json",
        headers={"Authorization": f"Bearer {text}"},
    )
    assert response.status_code == 201


def test_it_puts_the_key_in_the_named_tenant_creating_it_if_needed(capsys):
    call_command("create_api_key", "Riverside dashboard", "--tenant", "riverside")
    call_command("create_api_key", "Riverside, second key", "--tenant", " riverside ")
    assert "in tenant riverside" in capsys.readouterr().out
    riverside = Tenant.objects.get(name="riverside")
    assert sorted(riverside.api_keys.values_list("name", flat=True)) == [
        "Riverside dashboard",
        "Riverside, second key",
    ]


def test_it_requires_a_tenant_so_that_no_school_lands_in_another_by_omission():
    with pytest.raises(CommandError, match="--tenant"):
        call_command("create_api_key", "Riverside dashboard")
    with pytest.raises(CommandError, match="tenant a name"):
        call_command("create_api_key", "Riverside dashboard", "--tenant", " ")


def test_it_refuses_an_empty_name():
    with pytest.raises(CommandError, match="1 to 100 characters"):
        call_command("create_api_key", "  ", "--tenant", "riverside")
