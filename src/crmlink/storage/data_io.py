"""The SQL of ``crmlink load`` and ``crmlink export`` (``domain/data_io.py`` decides).

Export reads a module in keyset pages (``id > last``, on ``ix_records_module``: org, module,
id), so a page costs the same at the start and the end of a million rows and no more than a
page is held. A load ends with ``refresh_statistics`` so the planner sees the new row counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select, text

from crmlink.storage import tables
from crmlink.storage.records import RECORD_COLUMNS, RecordRow
from crmlink.storage.schema import taken_values
from crmlink.storage.users import UserFilter, UserRow, users

_r = tables.records


def records_after(
    conn: Connection, org_id: int, module: str, after_id: int, limit: int
) -> Sequence[RecordRow]:
    """Up to ``limit`` records of ``module`` with ids above ``after_id``, by id."""
    query = (
        select(*RECORD_COLUMNS)
        .where(_r.c.org_id == org_id, _r.c.module == module, _r.c.id > after_id)
        .order_by(_r.c.id)
        .limit(limit)
    )
    return conn.execute(query).all()


def ids_by_value(
    conn: Connection, org_id: int, module: str, field: str, values: Sequence[str]
) -> dict[str, int]:
    """``{value: record id}`` for records of ``module`` whose ``field`` holds one of ``values``
    (a lookup named by its target's display name)."""
    return taken_values(conn, org_id, module, field, values)


def user_names(conn: Connection, org_id: int) -> dict[str, int]:
    """``{name or email: user id}`` of the org's users (first user wins a shared name)."""
    u = tables.users
    out: dict[str, int] = {}
    for user_id, name, email in conn.execute(
        select(u.c.id, u.c.name, u.c.email).where(u.c.org_id == org_id).order_by(u.c.id)
    ):
        out.setdefault(email, user_id)
        out.setdefault(name, user_id)
    return out


def first_admin(conn: Connection, org_id: int) -> UserRow | None:
    found = users(conn, org_id, UserFilter.ACTIVE_ADMINS, limit=1, offset=0)
    return found[0] if found else None


def refresh_statistics(conn: Connection) -> None:
    """After a bulk load: ``ANALYZE`` on PostgreSQL, ``PRAGMA optimize`` on SQLite."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA optimize")
    else:
        for table in ("records", "lookups", "links"):
            conn.execute(text(f"ANALYZE {table}"))
