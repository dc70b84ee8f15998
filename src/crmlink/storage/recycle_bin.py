"""The recycle bin: rows of ``deleted_records`` (see ``tables.deleted_records``).

A row's type is a matter of its age: ``recycle`` while ``deleted_at`` is at or after the
recycle cutoff, ``permanent`` before it, gone before the retention cutoff. Reads filter by those
cutoffs, so an answer never depends on when the purge last ran; ``purge`` forgets what Zoho no
longer shows (the data of permanent rows, then the rows) and runs in the delete path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, insert, select, update

from crmlink.storage import tables


@dataclass(frozen=True, slots=True)
class BinnedRecord:
    """What a delete leaves of one record."""

    id: int
    display_name: str | None
    data: str
    created_by: int


@dataclass(frozen=True, slots=True)
class DeletedRow:
    id: int
    display_name: str | None
    created_by: int | None
    deleted_by: int | None
    deleted_at: int


def records_to_bin(conn: Connection, org_id: int, ids: Sequence[int]) -> list[tuple[int, str, int]]:
    """``(id, data, created_by)`` of the records about to be deleted."""
    r = tables.records
    if not ids:
        return []
    rows = conn.execute(
        select(r.c.id, r.c.data, r.c.created_by)
        .where(r.c.org_id == org_id, r.c.id.in_(list(ids)))
        .order_by(r.c.id)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def add(
    conn: Connection, org_id: int, module: str, deleted_by: int, at: int, rows: Sequence[BinnedRecord]
) -> None:
    if not rows:
        return
    conn.execute(
        insert(tables.deleted_records),
        [
            {
                "org_id": org_id,
                "id": row.id,
                "module": module,
                # A text column: PostgreSQL's cannot hold U+0000, so on both engines the name
                # keeps U+FFFD in its place, as searches read it (storage/query.py).
                "display_name": None
                if row.display_name is None
                else row.display_name.replace("\x00", "\ufffd"),
                "data": row.data,
                "created_by": row.created_by,
                "deleted_by": deleted_by,
                "deleted_at": at,
            }
            for row in rows
        ],
    )


def page(
    conn: Connection,
    org_id: int,
    module: str,
    *,
    newer_than: int,
    older_than: int | None,
    since: int | None,
    limit: int,
    offset: int,
) -> list[DeletedRow]:
    """Rows deleted at or after ``newer_than`` (and before ``older_than``, after ``since``),
    newest first (ties by id, descending), through ``ix_deleted_records_module``."""
    d = tables.deleted_records
    query = select(d.c.id, d.c.display_name, d.c.created_by, d.c.deleted_by, d.c.deleted_at).where(
        d.c.org_id == org_id, d.c.module == module, d.c.deleted_at >= newer_than
    )
    if older_than is not None:
        query = query.where(d.c.deleted_at < older_than)
    if since is not None:
        query = query.where(d.c.deleted_at > since)
    query = query.order_by(d.c.deleted_at.desc(), d.c.id.desc()).limit(limit).offset(offset)
    return [DeletedRow(*row) for row in conn.execute(query)]


def purge(conn: Connection, org_id: int, module: str, *, recycle_cutoff: int, retention_cutoff: int) -> None:
    """Drop rows deleted before ``retention_cutoff``; forget the data, name and users of those
    deleted before ``recycle_cutoff`` (now ``permanent``)."""
    d = tables.deleted_records
    mine = and_(d.c.org_id == org_id, d.c.module == module)
    conn.execute(delete(d).where(mine, d.c.deleted_at < retention_cutoff))
    conn.execute(
        update(d)
        .where(mine, d.c.deleted_at < recycle_cutoff, d.c.data.is_not(None))
        .values(data=None, display_name=None, created_by=None, deleted_by=None)
    )
