"""Record ids: 19-digit, time-ordered 64-bit integers, unique across processes.

Layout (Snowflake-style) added to 10**18 so every id has exactly 19 digits::

    10**18 + (milliseconds since 2020-01-01 << 22 | node << 12 | sequence)

``node`` (10 bits) is drawn from a counter in the database at start, so two processes on one
database never share it (until 1,024 processes have started; the counter wraps then, see
docs/deployment.md). ``sequence`` gives 4,096 ids per millisecond per process; past that, and
when the clock steps back, the generator borrows the next millisecond rather than repeat.
"""

from __future__ import annotations

import threading
import time

from crmlink.storage.counters import increment
from crmlink.storage.engine import Database

EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
BASE = 10**18
NODE_BITS = 10
SEQ_BITS = 12
MAX_NODE = (1 << NODE_BITS) - 1
MAX_SEQ = (1 << SEQ_BITS) - 1


class IdGenerator:
    """Mints ids for one process; thread-safe."""

    def __init__(self, node: int) -> None:
        if not 0 <= node <= MAX_NODE:
            raise ValueError(f"node must be in 0..{MAX_NODE}")
        self.node = node
        self._last_ms = 0
        self._seq = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        return self.take(1)[0]

    def take(self, n: int) -> list[int]:
        out: list[int] = []
        with self._lock:
            for _ in range(n):
                now = int(time.time() * 1000) - EPOCH_MS
                if now > self._last_ms:
                    self._last_ms, self._seq = now, 0
                else:
                    self._seq += 1
                    if self._seq > MAX_SEQ:
                        self._last_ms, self._seq = self._last_ms + 1, 0
                out.append(
                    BASE + (self._last_ms << (NODE_BITS + SEQ_BITS) | self.node << SEQ_BITS | self._seq)
                )
        return out


def allocate_node(db: Database) -> int:
    """Draw this process's node number from the shared counter (one transaction)."""
    with db.write() as conn:
        value = increment(conn, "id_node")
    return value % (MAX_NODE + 1)


def ids_for_process(db: Database) -> IdGenerator:
    return IdGenerator(allocate_node(db))


def parse_id(value: object) -> int | None:
    """An id from JSON or a path: a positive integer or a string of at most 19 digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and 0 < len(value) <= 19 and value.isascii() and value.isdigit():
        number = int(value)
        return number if 0 < number < 2**63 else None
    return None


__all__ = ["IdGenerator", "allocate_node", "ids_for_process", "parse_id"]
