"""The SQL of named counters (``counters``), shared by every process on one database."""

from __future__ import annotations

from sqlalchemy import Connection, update

from crmlink.storage import tables

_counters = tables.counters


def increment(conn: Connection, name: str) -> int:
    """Add one to the counter ``name`` (created at 1) and return its new value."""
    row = conn.execute(
        update(_counters)
        .where(_counters.c.name == name)
        .values(value=_counters.c.value + 1)
        .returning(_counters.c.value)
    ).first()
    if row is None:
        conn.execute(_counters.insert().values(name=name, value=1))
        return 1
    return int(row.value)
