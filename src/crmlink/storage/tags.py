"""SQL for tags (``tags``) and the records carrying them (``record_tags``), with the change
events every tag link change writes (``link_events``, relation ``tags``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, func, insert, select, tuple_, update

from crmlink.storage import tables

_t, _rt, _ev = tables.tags, tables.record_tags, tables.link_events
RELATION = "tags"


@dataclass(frozen=True, slots=True)
class TagRow:
    id: int
    module: str
    name: str
    color_code: str
    created_by: int
    modified_by: int
    created_at: int
    modified_at: int


_COLUMNS = (
    _t.c.id,
    _t.c.module,
    _t.c.name,
    _t.c.color_code,
    _t.c.created_by,
    _t.c.modified_by,
    _t.c.created_at,
    _t.c.modified_at,
)


def _rows(conn: Connection, query: object) -> list[TagRow]:
    return [TagRow(**row._mapping) for row in conn.execute(query)]  # type: ignore[call-overload]


def list_tags(conn: Connection, org_id: int, module: str, *, created_by: int | None = None) -> list[TagRow]:
    query = select(*_COLUMNS).where(_t.c.org_id == org_id, _t.c.module == module)
    if created_by is not None:
        query = query.where(_t.c.created_by == created_by)
    return _rows(conn, query.order_by(_t.c.name_key))


def count_tags(conn: Connection, org_id: int, module: str) -> int:
    query = select(func.count()).select_from(_t).where(_t.c.org_id == org_id, _t.c.module == module)
    return int(conn.scalar(query) or 0)


def tags_by_id(conn: Connection, org_id: int, ids: Iterable[int]) -> dict[int, TagRow]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(*_COLUMNS).where(_t.c.org_id == org_id, _t.c.id.in_(wanted))
    return {r.id: r for r in _rows(conn, query.with_for_update())}


def tags_by_name(conn: Connection, org_id: int, module: str, names: Iterable[str]) -> dict[str, TagRow]:
    """Tags by lower-cased name."""
    keys = sorted({n.lower() for n in names})
    if not keys:
        return {}
    query = select(*_COLUMNS).where(_t.c.org_id == org_id, _t.c.module == module, _t.c.name_key.in_(keys))
    return {r.name.lower(): r for r in _rows(conn, query)}


def insert_tag(conn: Connection, org_id: int, tag: TagRow) -> None:
    conn.execute(
        insert(_t).values(
            org_id=org_id,
            id=tag.id,
            module=tag.module,
            name=tag.name,
            name_key=tag.name.lower(),
            color_code=tag.color_code,
            created_by=tag.created_by,
            modified_by=tag.modified_by,
            created_at=tag.created_at,
            modified_at=tag.modified_at,
        )
    )


def update_tag(conn: Connection, org_id: int, tag: TagRow) -> None:
    conn.execute(
        update(_t)
        .where(_t.c.org_id == org_id, _t.c.id == tag.id)
        .values(
            name=tag.name,
            name_key=tag.name.lower(),
            color_code=tag.color_code,
            modified_by=tag.modified_by,
            modified_at=tag.modified_at,
        )
    )


def delete_tag(conn: Connection, org_id: int, tag_id: int, actor_id: int, at: int) -> None:
    """The tag, and its links to records (one ``removed`` event each)."""
    records = records_with_tag(conn, org_id, tag_id)
    remove_links(conn, org_id, [(r, tag_id) for r in records], actor_id, at)
    conn.execute(delete(_t).where(_t.c.org_id == org_id, _t.c.id == tag_id))


def records_with_tag(conn: Connection, org_id: int, tag_id: int) -> list[int]:
    query = select(_rt.c.record_id).where(_rt.c.org_id == org_id, _rt.c.tag_id == tag_id)
    return list(conn.scalars(query.order_by(_rt.c.record_id)))


def count_records(conn: Connection, org_id: int, tag_id: int) -> int:
    query = select(func.count()).select_from(_rt).where(_rt.c.org_id == org_id, _rt.c.tag_id == tag_id)
    return int(conn.scalar(query) or 0)


def tags_of(conn: Connection, org_id: int, record_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """``{record_id: [(tag_id, name), ...]}`` (by name) for the records that have tags."""
    wanted = sorted(set(record_ids))
    out: dict[int, list[tuple[int, str]]] = {}
    if not wanted:
        return out
    query = (
        select(_rt.c.record_id, _t.c.id, _t.c.name)
        .select_from(_rt.join(_t, and_(_t.c.org_id == _rt.c.org_id, _t.c.id == _rt.c.tag_id)))
        .where(_rt.c.org_id == org_id, _rt.c.record_id.in_(wanted))
        .order_by(_rt.c.record_id, _t.c.name_key)
    )
    for record_id, tag_id, name in conn.execute(query):
        out.setdefault(record_id, []).append((tag_id, name))
    return out


def _events(
    conn: Connection, org_id: int, pairs: Sequence[tuple[int, int]], action: str, actor_id: int, at: int
) -> None:
    if pairs:
        conn.execute(
            insert(_ev),
            [
                {
                    "org_id": org_id,
                    "at": at,
                    "actor_id": actor_id,
                    "relation": RELATION,
                    "action": action,
                    "left_id": record_id,
                    "right_id": tag_id,
                    "old_data": "{}" if action != "added" else None,
                    "new_data": "{}" if action == "added" else None,
                }
                for record_id, tag_id in pairs
            ],
        )


def add_links(
    conn: Connection, org_id: int, pairs: Sequence[tuple[int, int]], actor_id: int, at: int
) -> None:
    """(record, tag) links that do not exist yet, with an ``added`` event each."""
    if not pairs:
        return
    conn.execute(
        insert(_rt), [{"org_id": org_id, "record_id": r, "tag_id": t, "created_at": at} for r, t in pairs]
    )
    _events(conn, org_id, pairs, "added", actor_id, at)


def remove_links(
    conn: Connection,
    org_id: int,
    pairs: Sequence[tuple[int, int]],
    actor_id: int,
    at: int,
    action: str = "removed",
) -> None:
    if not pairs:
        return
    conn.execute(
        delete(_rt).where(_rt.c.org_id == org_id, tuple_(_rt.c.record_id, _rt.c.tag_id).in_(list(pairs)))
    )
    _events(conn, org_id, pairs, action, actor_id, at)


def remove_for_records(
    conn: Connection, org_id: int, record_ids: Sequence[int], actor_id: int, at: int
) -> None:
    """A deleted record's tag links, one ``removed_by_delete`` event each."""
    if not record_ids:
        return
    found = conn.execute(
        select(_rt.c.record_id, _rt.c.tag_id).where(
            _rt.c.org_id == org_id, _rt.c.record_id.in_(list(record_ids))
        )
    ).all()
    remove_links(conn, org_id, [(r, t) for r, t in found], actor_id, at, "removed_by_delete")
