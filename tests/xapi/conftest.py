"""Fixtures of the xAPI tests: the npm client, installed once with `npm ci`."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

CLIENTS = Path(__file__).resolve().parents[1] / "xapi_clients"


def npm_installed(clients: Path) -> Path:
    """`clients` (a folder of tests/ with a package.json) with its node_modules as its
    package-lock.json pins them: installed by `npm ci` when the lock file changed since the last
    install (a stamp in node_modules records its hash), under a file lock so that test runs
    started together install once."""
    npm = shutil.which("npm")
    assert npm and shutil.which("node"), "Node.js and npm are needed for the client tests"
    lock = hashlib.sha256((clients / "package-lock.json").read_bytes()).hexdigest()
    stamp = clients / "node_modules" / ".pathlens-lock-sha256"
    with open(clients / ".install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != lock:
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
                cwd=clients, check=True, capture_output=True, timeout=300,
            )  # fmt: skip
            stamp.write_text(lock)
    return clients


@pytest.fixture(scope="session")
def node_clients() -> Path:
    """tests/xapi_clients, installed (npm_installed)."""
    return npm_installed(CLIENTS)
