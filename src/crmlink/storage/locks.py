"""Write locks finer than the database's own, for PostgreSQL.

SQLite needs none: every write transaction starts with ``BEGIN IMMEDIATE``, so writers run one
at a time. PostgreSQL runs them concurrently under READ COMMITTED. ``lock(conn, *parts)`` takes
a transaction-scoped advisory lock named by ``parts`` (released at commit or rollback) where no
row exists to lock: an org's schema changes, a unique value being claimed. Links take none: they
rely on row locks (storage/links.py).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, text

_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock_key(*parts: object) -> int:
    """A stable signed 64-bit key for ``parts``."""
    raw = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big", signed=True)


def lock(conn: Connection, *parts: object) -> None:
    """Wait for, then hold until the end of the transaction, the lock named by ``parts``."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK, {"key": lock_key(*parts)})
