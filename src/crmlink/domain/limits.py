"""Zoho's limits: API credits per org over a rolling 24 hours, and concurrent requests per user
and client.

* **Credits** are counted per org and minute in ``api_credits`` (one row per org and minute), so
  every server process on one database shares them. A request is charged one credit after its
  token is checked; a refused request is not charged. Over the limit the answer is 429 with
  ``Retry-After`` = the seconds until enough of the oldest minutes leave the window.
* **Concurrency** is counted in memory, per server process (each of ``--workers N`` processes,
  and each of several hosts, has its own count): requests in flight per (org, user, client).
  Over the cap the answer is 429 with ``Retry-After: 1``.

Both are off (0) unless configured; ``--strict`` turns on Zoho-like defaults
(``config.STRICT_API_CREDITS_PER_DAY``, ``config.STRICT_MAX_CONCURRENT_REQUESTS``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable

from crmlink.errors import TooManyRequests
from crmlink.storage import credits as store
from crmlink.storage.connection import Connection

WINDOW_MINUTES = 24 * 60


def too_many(retry_after: int) -> TooManyRequests:
    return TooManyRequests(headers={"Retry-After": str(max(1, retry_after))})


def spend_credit(conn: Connection, org_id: int, now: float, limit: int) -> None:
    """Charge one credit to ``org_id`` inside the caller's write transaction.

    Raises ``TooManyRequests`` (nothing charged) when ``limit`` credits were spent in the last
    24 hours. On PostgreSQL the org row is locked first, so that processes charging the same org
    at once cannot both take the last credit; SQLite's ``BEGIN IMMEDIATE`` already serialises.
    """
    minute = int(now // 60)
    first = minute - WINDOW_MINUTES + 1
    store.lock_org_credits(conn, org_id)
    rows = store.credits_since(conn, org_id, first)
    used = sum(row.used for row in rows)
    if used >= limit:
        # Credits come back as the oldest minutes leave the window (at the end of minute+1439).
        need, freed = used - limit + 1, 0
        for row in rows:
            freed += row.used
            if freed >= need:
                raise too_many(math.ceil((row.minute + WINDOW_MINUTES) * 60 - now))
        raise too_many(60)
    if not rows or rows[-1].minute != minute:
        # First credit of this minute: drop the minutes that left the window.
        store.drop_credits_before(conn, org_id, first)
    store.add_credit(conn, org_id, minute)


class ConcurrencyGate:
    """Requests in flight per key, within this process; ``enter`` refuses over ``limit``.

    Used from the event loop only (handlers and the releasing middleware), so no lock is needed.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._in_flight: Counter[Hashable] = Counter()

    def enter(self, key: Hashable) -> None:
        if self._in_flight[key] >= self.limit:
            raise too_many(1)
        self._in_flight[key] += 1

    def leave(self, key: Hashable) -> None:
        self._in_flight[key] -= 1
        if self._in_flight[key] <= 0:
            del self._in_flight[key]

    def in_flight(self, key: Hashable) -> int:
        return self._in_flight[key]
