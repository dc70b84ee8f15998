"""The SQL of API credit accounting (``api_credits``: one row per org and minute)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crmlink.storage import tables

_c, _o = tables.api_credits, tables.orgs


class MinuteCredits(NamedTuple):
    minute: int
    used: int


def lock_org_credits(conn: Connection, org_id: int) -> None:
    """Hold the org's row until the transaction ends, so that processes charging the same org at
    once cannot both take its last credit (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
    makes writers take turns)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(_o.c.id).where(_o.c.id == org_id).with_for_update())


def credits_since(conn: Connection, org_id: int, first_minute: int) -> list[MinuteCredits]:
    """Credits used per minute from ``first_minute`` on, oldest first."""
    rows = conn.execute(
        select(_c.c.minute, _c.c.used)
        .where(_c.c.org_id == org_id, _c.c.minute >= first_minute)
        .order_by(_c.c.minute)
    )
    return [MinuteCredits(row.minute, row.used) for row in rows]


def drop_credits_before(conn: Connection, org_id: int, first_minute: int) -> None:
    conn.execute(delete(_c).where(_c.c.org_id == org_id, _c.c.minute < first_minute))


def add_credit(conn: Connection, org_id: int, minute: int) -> None:
    """``used += 1`` for (org, minute), creating the row (an upsert; both engines spell it alike
    but SQLAlchemy builds it from each dialect's own ``insert``)."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(_c).values(org_id=org_id, minute=minute, used=1)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[_c.c.org_id, _c.c.minute], set_={"used": _c.c.used + 1}
        )
    )
