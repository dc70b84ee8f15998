"""The request log: the last API calls of each org, for a person looking at a failed test.

Each entry keeps the method, path, query, headers (every token masked), the request body and
the answer up to ``BODY_BOUND`` bytes each, the status and the latency. The log lives in the
server process, ``size`` entries per org (oldest dropped first); it is kept only while the admin
API is enabled (tests and ``--demo``), and read through it and ``crmlink requests``.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

BODY_BOUND = 4_096
DEFAULT_SIZE = 200

# Header values that carry secrets; their value is replaced by a masked form.
_SECRET_HEADERS = frozenset({"authorization", "cookie", "x-crmlink-admin-key", "proxy-authorization"})
# Secrets that may appear in bodies or query strings (OAuth forms): masked as well.
_SECRET_FIELDS = re.compile(
    r"((?:client_secret|refresh_token|access_token|code|password|token)=)[^&\s]+", re.IGNORECASE
)
_JSON_SECRETS = re.compile(
    r'("(?:client_secret|refresh_token|access_token|password|token)"\s*:\s*")[^"]*(")', re.IGNORECASE
)


def mask(value: str) -> str:
    """``Zoho-oauthtoken 1000.abcd...`` -> ``Zoho-oauthtoken 1000.***``: enough to tell tokens
    apart in a log, never enough to use one."""
    scheme, sep, secret = value.partition(" ")
    if not sep:
        scheme, secret = "", value
    shown = secret[:5] if len(secret) > 12 else ""
    return f"{scheme}{sep}{shown}***"


def mask_text(text: str) -> str:
    return _JSON_SECRETS.sub(r"\1***\2", _SECRET_FIELDS.sub(r"\1***", text))


def bounded(body: bytes) -> tuple[str, bool]:
    """The body as text up to the bound, and whether it was cut."""
    cut = len(body) > BODY_BOUND
    return mask_text(body[:BODY_BOUND].decode("utf-8", errors="replace")), cut


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    seq: int
    at: float
    org_id: int | None
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: str
    body_truncated: bool
    status: int
    answer: str
    answer_truncated: bool
    latency_ms: float
    fault_rule: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "org_id": None if self.org_id is None else str(self.org_id),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": dict(self.headers),
            "body": self.body,
            "body_truncated": self.body_truncated,
            "status": self.status,
            "answer": self.answer,
            "answer_truncated": self.answer_truncated,
            "latency_ms": round(self.latency_ms, 3),
            "fault_rule": None if self.fault_rule is None else str(self.fault_rule),
        }


def safe_headers(raw: list[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    out = []
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        out.append((key, mask(text) if key in _SECRET_HEADERS else text))
    return tuple(out)


class RequestLog:
    """The last ``size`` calls per org (calls whose token names no org are kept under None)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._by_org: dict[int | None, deque[LoggedRequest]] = {}
        self._seq = itertools.count(1)

    def next_seq(self) -> int:
        with self._lock:
            return next(self._seq)

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            ring = self._by_org.get(entry.org_id)
            if ring is None:
                ring = self._by_org[entry.org_id] = deque(maxlen=self.size)
            ring.append(entry)

    def entries(
        self, org_id: int | None, *, since: int = 0, limit: int = DEFAULT_SIZE
    ) -> list[LoggedRequest]:
        """Entries of an org after ``since`` (a ``seq``), oldest first, at most ``limit``."""
        with self._lock:
            ring = list(self._by_org.get(org_id, ()))
        return [e for e in ring if e.seq > since][-limit:] if limit else []

    def forget(self, org_id: int | None) -> None:
        with self._lock:
            self._by_org.pop(org_id, None)
