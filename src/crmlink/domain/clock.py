"""Time: integer microseconds (as stored) and ISO-8601 with offset (as Zoho renders it)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache


def now_us() -> int:
    return time.time_ns() // 1000


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
