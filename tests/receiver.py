"""A real HTTP receiver for notification callbacks, running in the test process.

Each test takes a path of its own (``receiver.url(...)``) and may script the answers on it:
``receiver.script(path, [500, 200])`` answers 500 then 200 (then 200 for the rest);
``receiver.hold(path)`` makes requests on it wait until ``receiver.release(path)``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Received:
    path: str
    query: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


class Receiver:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._got: dict[str, list[Received]] = {}
        self._scripts: dict[str, list[int]] = {}
        self._holds: dict[str, threading.Event] = {}
        self._arrived = threading.Condition(self._lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                item = Received(
                    parts.path, parts.query, dict(self.headers), json.loads(raw), time.monotonic()
                )
                hold = receiver._holds.get(parts.path)
                with receiver._lock:
                    receiver._got.setdefault(parts.path, []).append(item)
                    script = receiver._scripts.get(parts.path)
                    status = script.pop(0) if script else 200
                    receiver._arrived.notify_all()
                if hold is not None:
                    hold.wait(30)
                payload = b'{"ok":true}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, query: str = "") -> tuple[str, str]:
        """A fresh path and its URL (with ``query`` appended)."""
        path = f"/hook/{uuid.uuid4().hex}"
        return path, f"http://127.0.0.1:{self.port}{path}" + (f"?{query}" if query else "")

    def script(self, path: str, statuses: list[int]) -> None:
        with self._lock:
            self._scripts[path] = list(statuses)

    def hold(self, path: str) -> None:
        self._holds[path] = threading.Event()

    def release(self, path: str) -> None:
        self._holds.pop(path).set()

    def got(self, path: str) -> list[Received]:
        with self._lock:
            return list(self._got.get(path, []))

    def wait_for(self, path: str, count: int, timeout: float = 30.0) -> list[Received]:
        """At least ``count`` requests on ``path`` (AssertionError when they do not come)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._got.get(path, [])) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self._got.get(path, []))} of {count} notifications arrived")
                self._arrived.wait(left)
            return list(self._got[path])

    def close(self) -> None:
        for event in self._holds.values():
            event.set()
        self.server.shutdown()
        self.server.server_close()


def running() -> Iterator[Receiver]:
    receiver = Receiver()
    try:
        yield receiver
    finally:
        receiver.close()
