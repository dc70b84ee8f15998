"""Time: integer microseconds (as stored) and ISO-8601 with offset (as Zoho renders it)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache


def now_us() -> int:
    return time.time_ns() // 1000


# How far each org's clock runs ahead of the real one, in microseconds (set through the admin
# API, so a test can make its tokens and grant codes expire on demand). Kept in the process: a
# test server is one process. Orgs without an entry run on the real clock.
_org_offsets: dict[int, int] = {}


def org_now_us(org_id: int) -> int:
    """``now_us`` as seen by an org whose clock a test has moved."""
    return time.time_ns() // 1000 + _org_offsets.get(org_id, 0)


def advance_org_clock(org_id: int, seconds: float) -> int:
    """Move an org's clock forward (never back); returns its offset in seconds now."""
    if seconds < 0:
        raise ValueError("an org's clock only moves forward")
    offset = _org_offsets.get(org_id, 0) + int(seconds * 1_000_000)
    _org_offsets[org_id] = offset
    return offset // 1_000_000


def reset_org_clock(org_id: int) -> None:
    _org_offsets.pop(org_id, None)


def org_clock_offset(org_id: int) -> int:
    """Seconds an org's clock runs ahead of the real one."""
    return _org_offsets.get(org_id, 0) // 1_000_000


def iso(us: int) -> str:
    """``2021-08-09T14:54:48+00:00``: second resolution with offset, as Zoho renders times."""
    return iso_seconds(us // 1_000_000)


@lru_cache(maxsize=65_536)
def iso_seconds(seconds: int) -> str:
    """``iso`` of whole seconds; callers rendering many times call it directly (a page of 200
    records renders 400 times, mostly of few distinct seconds: bulk writes share theirs)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def parse_iso(value: str) -> int | None:
    """Microseconds from an ISO-8601 datetime with offset (``Z`` accepted); None if unparseable."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp() * 1_000_000)
