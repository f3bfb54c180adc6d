"""Fixtures of the Segment door's tests: the npm client, installed once with `npm ci`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.xapi.conftest import npm_installed

CLIENTS = Path(__file__).resolve().parents[1] / "segment_clients"


@pytest.fixture(scope="session")
def segment_node_client() -> Path:
    return npm_installed(CLIENTS)
