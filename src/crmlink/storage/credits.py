"""The one engine-specific statement of API credit accounting: add one to a minute's count."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crmlink.storage import tables


def add_credit(conn: Connection, org_id: int, minute: int) -> None:
    """``used += 1`` for (org, minute), creating the row (an upsert; both engines spell it alike
    but SQLAlchemy builds it from each dialect's own ``insert``)."""
    c = tables.api_credits
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(c).values(org_id=org_id, minute=minute, used=1)
    conn.execute(
        statement.on_conflict_do_update(index_elements=[c.c.org_id, c.c.minute], set_={"used": c.c.used + 1})
    )
