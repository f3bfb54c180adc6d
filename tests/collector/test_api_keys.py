from __future__ import annotations

import hashlib

import pytest
from django.core.management import CommandError, call_command

from collector.models import ApiKey

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


def test_it_creates_a_key_printed_once_and_stored_only_as_a_hash(capsys, client):
    call_command("create_api_key", "Riverside dashboard")
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


def test_it_refuses_an_empty_name():
    with pytest.raises(CommandError, match="1 to 100 characters"):
        call_command("create_api_key", "  ")
