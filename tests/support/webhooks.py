"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 that verifies each delivery's
signature with the ten lines docs/collector.md gives receivers, dedupes changes by id as a
receiver must, and can be down for a while (answering 503, or not listening at all)."""

from __future__ import annotations

import contextlib
import json
import re
import textwrap
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec_tests-only-a-receivers-secret"


def documented_verify() -> Callable[..., bool]:
    """The receiver's check exactly as docs/collector.md shows it (its first Python block after
    the webhooks heading), so that the documented code is the tested code."""
    text = (ROOT / "docs" / "collector.md").read_text()
    section = text[text.index("## Webhooks: session changes pushed to you") :]
    code = re.search(r"```python\n(.*?)\s*```", section, re.S)
    assert code, "docs/collector.md: the webhooks section has no Python example"
    namespace: dict[str, Any] = {}
    exec(textwrap.dedent(code.group(1)), namespace)  # noqa: S102 (our own documentation)
    return namespace["verify"]


class Receiver:
    """What arrived. `answers`: statuses to answer next, in order (then 200); an answer of 500
    is given *after* the changes were taken, as when a receiver's answer is lost."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.verify = documented_verify()
        self.answers: list[int] = []
        self.unavailable = False  # answer 503 without taking anything
        self.refused = 0  # requests answered 503 so
        self.requests: list[tuple[dict[str, str], dict]] = []
        self.changes: dict[str, dict] = {}  # by id, first arrival
        self.order: list[str] = []  # ids as first taken
        self.duplicates = 0
        self.bad_signatures = 0
        self.arrived = threading.Condition()  # notified at each request: tests wait on it
        self.url = ""
        self.port = 0
        self._server: ThreadingHTTPServer | None = None

    def take(self, headers: dict[str, str], body: bytes) -> int:
        with self.arrived:
            try:
                if self.unavailable:
                    self.refused += 1
                    return 503
                if not self.verify(self.secret, body, headers.get("Pathlens-Signature", "")):
                    self.bad_signatures += 1
                    return 400
                payload = json.loads(body)
                self.requests.append((headers, payload))
                for change in payload["changes"]:
                    if change["id"] in self.changes:
                        self.duplicates += 1
                    else:
                        self.changes[change["id"]] = change
                        self.order.append(change["id"])
                return self.answers.pop(0) if self.answers else 200
            finally:
                self.arrived.notify_all()

    def by_session(self) -> dict[tuple[str, str, str], list[int]]:
        """Each session's seqs, in the order first taken."""
        seqs: dict[tuple[str, str, str], list[int]] = {}
        for change_id in self.order:
            change = self.changes[change_id]
            key = (change["learner"], change["widget"], change["session"])
            seqs.setdefault(key, []).append(change["seq"])
        return seqs

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.take(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Not listening: connections are refused until `start()` (on the same port)."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextlib.contextmanager
def receiving(secret: str = SECRET) -> Iterator[Receiver]:
    receiver = Receiver(secret)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
