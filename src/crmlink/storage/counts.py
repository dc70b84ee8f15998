"""How many records a module holds in an org (``GET /{module}/actions/count``)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from crmlink.storage import tables


def count_records(conn: Connection, org_id: int, module: str) -> int:
    """One pass over the org's part of ``ix_records_module`` (org_id, module, id)."""
    r = tables.records
    return int(conn.scalar(select(func.count()).where(r.c.org_id == org_id, r.c.module == module)) or 0)
