"""SQL for attachments and record photos (their bytes live in the blob store, storage/blobs.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from crmlink.storage import tables

_a, _p = tables.attachments, tables.record_photos


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    id: int
    parent_id: int
    parent_module: str
    file_name: str
    size: int
    blob_key: str | None
    link_url: str | None
    owner_id: int
    created_by: int
    modified_by: int
    created_at: int
    modified_at: int


_COLUMNS = (
    _a.c.id,
    _a.c.parent_id,
    _a.c.parent_module,
    _a.c.file_name,
    _a.c.size,
    _a.c.blob_key,
    _a.c.link_url,
    _a.c.owner_id,
    _a.c.created_by,
    _a.c.modified_by,
    _a.c.created_at,
    _a.c.modified_at,
)


def insert_attachment(conn: Connection, org_id: int, row: AttachmentRow) -> None:
    conn.execute(
        insert(_a).values(
            org_id=org_id,
            id=row.id,
            parent_id=row.parent_id,
            parent_module=row.parent_module,
            file_name=row.file_name,
            size=row.size,
            blob_key=row.blob_key,
            link_url=row.link_url,
            owner_id=row.owner_id,
            created_by=row.created_by,
            modified_by=row.modified_by,
            created_at=row.created_at,
            modified_at=row.modified_at,
        )
    )


def list_attachments(
    conn: Connection, org_id: int, parent_id: int, *, limit: int | None = None, offset: int = 0
) -> list[AttachmentRow]:
    query = select(*_COLUMNS).where(_a.c.org_id == org_id, _a.c.parent_id == parent_id).order_by(_a.c.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [AttachmentRow(**row._mapping) for row in conn.execute(query)]


def find_attachments(
    conn: Connection, org_id: int, parent_id: int, ids: Sequence[int]
) -> list[AttachmentRow]:
    if not ids:
        return []
    query = select(*_COLUMNS).where(
        _a.c.org_id == org_id, _a.c.parent_id == parent_id, _a.c.id.in_(sorted(set(ids)))
    )
    return [AttachmentRow(**row._mapping) for row in conn.execute(query.with_for_update())]


def link_exists(conn: Connection, org_id: int, parent_id: int, url: str) -> bool:
    query = select(_a.c.id).where(_a.c.org_id == org_id, _a.c.parent_id == parent_id, _a.c.link_url == url)
    return conn.execute(query.limit(1)).first() is not None


def delete_attachments(conn: Connection, org_id: int, ids: Sequence[int]) -> None:
    if ids:
        conn.execute(delete(_a).where(_a.c.org_id == org_id, _a.c.id.in_(list(ids))))


def delete_for_records(conn: Connection, org_id: int, record_ids: Sequence[int]) -> list[str]:
    """Remove the attachments and photos of deleted records; the blob keys they named."""
    if not record_ids:
        return []
    wanted = list(record_ids)
    keys = list(
        conn.scalars(
            select(_a.c.blob_key).where(
                _a.c.org_id == org_id, _a.c.parent_id.in_(wanted), _a.c.blob_key.is_not(None)
            )
        )
    )
    keys += list(conn.scalars(select(_p.c.blob_key).where(_p.c.org_id == org_id, _p.c.record_id.in_(wanted))))
    conn.execute(delete(_a).where(_a.c.org_id == org_id, _a.c.parent_id.in_(wanted)))
    conn.execute(delete(_p).where(_p.c.org_id == org_id, _p.c.record_id.in_(wanted)))
    return [k for k in keys if k is not None]


def move_attachments(
    conn: Connection, org_id: int, from_parent: int, to_parent: int, to_module: str, at: int
) -> list[int]:
    """Re-parent every attachment of ``from_parent`` (lead conversion); the ids moved."""
    moved = list(conn.scalars(select(_a.c.id).where(_a.c.org_id == org_id, _a.c.parent_id == from_parent)))
    if moved:
        conn.execute(
            update(_a)
            .where(_a.c.org_id == org_id, _a.c.parent_id == from_parent)
            .values(parent_id=to_parent, parent_module=to_module, modified_at=at)
        )
    return moved


def blob_is_referenced(conn: Connection, org_id: int, key: str) -> bool:
    """Whether a row names the blob (the sweeper's check, one key at a time)."""
    if conn.execute(select(_a.c.id).where(_a.c.org_id == org_id, _a.c.blob_key == key).limit(1)).first():
        return True
    found = select(_p.c.record_id).where(_p.c.org_id == org_id, _p.c.blob_key == key).limit(1)
    return conn.execute(found).first() is not None


# --- photos ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhotoRow:
    blob_key: str
    content_type: str
    file_name: str
    size: int


def get_photo(conn: Connection, org_id: int, record_id: int) -> PhotoRow | None:
    row = conn.execute(
        select(_p.c.blob_key, _p.c.content_type, _p.c.file_name, _p.c.size).where(
            _p.c.org_id == org_id, _p.c.record_id == record_id
        )
    ).first()
    return PhotoRow(**row._mapping) if row else None


def put_photo(
    conn: Connection, org_id: int, record_id: int, photo: PhotoRow, actor_id: int, at: int
) -> str | None:
    """Set the record's photo; the blob key of the photo it replaces, if any."""
    old = get_photo(conn, org_id, record_id)
    conn.execute(delete(_p).where(_p.c.org_id == org_id, _p.c.record_id == record_id))
    conn.execute(
        insert(_p).values(
            org_id=org_id,
            record_id=record_id,
            blob_key=photo.blob_key,
            content_type=photo.content_type,
            file_name=photo.file_name,
            size=photo.size,
            created_by=actor_id,
            created_at=at,
        )
    )
    return old.blob_key if old else None


def delete_photo(conn: Connection, org_id: int, record_id: int) -> str | None:
    old = get_photo(conn, org_id, record_id)
    if old is not None:
        conn.execute(delete(_p).where(_p.c.org_id == org_id, _p.c.record_id == record_id))
    return old.blob_key if old else None
